// Arabic text analysis for the search index: orthographic normalisation and a light stemmer.
// Pure functions, no Xapian; the same code runs at index time, at query time and for snippets,
// so a word written two ways meets itself.
//
// Why not Snowball's Arabic stemmer alone: in Xapian 1.4.22 it conflates inconsistently
// (صحفي -> صحف but صحفيون -> صحفي; اعتقال -> اعتقال but اعتقالات -> اعتقالا). The light stemmer
// below follows Larkey, Ballesteros & Connell, "Light Stemming for Arabic Information
// Retrieval" (light10), with minimum stem lengths tuned so feminine and plural forms of the same
// word conflate (see arabic_light_stem).
//
// Not handled (different words to this stemmer): broken plurals (صحيفة/صحف, موقع/مواقع,
// كاتب/كتاب, سجين/سجناء), verb conjugation (أعلن/أعلنت), the one-letter prepositions ب ك ل ف
// before a word without the article, pronoun suffixes other than ه/ها (هم, كم, نا), and the
// presentation forms U+FB50..U+FEFF. Changing anything here changes the terms: the index must be
// rebuilt (`ifexnode reindex`).
#pragma once

#include <string>
#include <string_view>

namespace ifex {

// Removes tashkeel (U+0610..U+061A, U+064B..U+065F, U+0670, U+06D6..U+06ED) and tatweel
// (U+0640); maps أ إ آ ٱ to ا, ى and Persian ی to ي, ة to ه, ؤ ئ to ء, Persian ک to ك, and
// Arabic-Indic digits to ASCII digits. Every other byte is copied unchanged, invalid UTF-8
// included. Idempotent.
std::string normalize_arabic(std::string_view text);

// True when the first character of `word` is in an Arabic-script block.
bool is_arabic_word(std::string_view word);

// The light stem of one word (normalised first, so any spelling may be passed):
//   1. the article and its proclitics: وال بال كال فال ولل لل ال (when 2+ letters remain);
//   2. the conjunction و (when 3+ letters remain), so وزير, الوزير and والوزير all give زير;
//   3. in this order, each at most once: ها ان ات ون ين يه ه ي. ه (the normalised ة) and ات leave
//      at least 2 letters (قوة/قوات -> قو), the others at least 3, so three-letter words such as
//      سجين or مدون keep their last letters and still conflate with سجينة or مدونين.
// Examples: صحفي, صحفيون, الصحفيين, صحفية, صحفيات -> صحف; اعتقال, الاعتقالات -> اعتقال.
std::string arabic_light_stem(std::string_view word);

}  // namespace ifex
