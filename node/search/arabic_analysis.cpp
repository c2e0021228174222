#include "node/search/arabic_analysis.hpp"

#include "protocol/utf8.hpp"

namespace ifex {

namespace {

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_dropped_mark(char32_t cp) {
  return (cp >= 0x0610 && cp <= 0x061A) || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 ||
         (cp >= 0x06D6 && cp <= 0x06ED) || cp == 0x0640;
}

// The replacement for `cp`, or `cp` itself.
char32_t fold(char32_t cp) {
  switch (cp) {
    case 0x0622:      // آ
    case 0x0623:      // أ
    case 0x0625:      // إ
    case 0x0671:      // ٱ
      return 0x0627;  // ا
    case 0x0649:      // ى
    case 0x06CC:      // Persian ی
      return 0x064A;  // ي
    case 0x0629:      // ة
      return 0x0647;  // ه
    case 0x0624:      // ؤ
    case 0x0626:      // ئ
      return 0x0621;  // ء
    case 0x06A9:      // Persian ک
      return 0x0643;  // ك
    default:
      break;
  }
  if (cp >= 0x0660 && cp <= 0x0669) return U'0' + (cp - 0x0660);
  if (cp >= 0x06F0 && cp <= 0x06F9) return U'0' + (cp - 0x06F0);
  return cp;
}

bool is_arabic_script(char32_t cp) {
  return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
         (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFF);
}

bool starts_with(const std::u32string& w, std::u32string_view p) {
  return w.size() >= p.size() && std::u32string_view(w).substr(0, p.size()) == p;
}
bool ends_with(const std::u32string& w, std::u32string_view p) {
  return w.size() >= p.size() && std::u32string_view(w).substr(w.size() - p.size()) == p;
}

}  // namespace

std::string normalize_arabic(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // An invalid byte is passed through as it is, one byte at a time.
    const Utf8Step d = decode_utf8_at(text, i);
    if (!d.valid || d.code_point < 0x0600 || d.code_point > 0x06FF) {
      out.append(text.substr(i, d.length));  // fast path: only the Arabic block changes
    } else if (!is_dropped_mark(d.code_point)) {
      append_utf8(out, fold(d.code_point));
    }
    i += d.length;
  }
  return out;
}

bool is_arabic_word(std::string_view word) {
  if (word.empty()) return false;
  const Utf8Step d = decode_utf8_at(word, 0);
  return d.valid && is_arabic_script(d.code_point);
}

std::string arabic_light_stem(std::string_view word) {
  const std::string normal = normalize_arabic(word);
  std::u32string w;
  for (std::size_t i = 0; i < normal.size();) {
    const Utf8Step d = decode_utf8_at(normal, i);
    if (!d.valid) return normal;  // not text: leave it alone
    w.push_back(d.code_point);
    i += d.length;
  }

  static constexpr std::u32string_view articles[] = {U"وال", U"بال", U"كال", U"فال",
                                                     U"ولل", U"لل",  U"ال"};
  for (auto p : articles) {
    if (starts_with(w, p) && w.size() - p.size() >= 2) {
      w.erase(0, p.size());
      break;
    }
  }
  if (w.size() >= 4 && w[0] == U'و') w.erase(0, 1);

  struct Suffix {
    std::u32string_view text;
    std::size_t min_stem;
  };
  static constexpr Suffix suffixes[] = {{U"ها", 3}, {U"ان", 3}, {U"ات", 2}, {U"ون", 3},
                                        {U"ين", 3}, {U"يه", 3}, {U"ه", 2},  {U"ي", 3}};
  for (const auto& s : suffixes) {
    if (ends_with(w, s.text) && w.size() - s.text.size() >= s.min_stem)
      w.erase(w.size() - s.text.size());
  }

  std::string out;
  for (char32_t cp : w) append_utf8(out, cp);
  return out;
}

}  // namespace ifex
