#include "node/codec/strict_json.hpp"

#include "protocol/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <set>
#include <string>
#include <vector>

namespace ifex {

namespace json = boost::json;
using boost::system::error_code;

namespace {

// A handler for json::basic_parser that only watches keys: one set of seen keys per open
// object. Everything else is accepted as is (the real parse that follows builds the value).
struct DuplicateKeyFinder {
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  std::vector<std::set<std::string>> open;
  std::string key;
  bool found_duplicate = false;
  std::string duplicate;  // the first key seen twice

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) {
    open.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code& ec) {
    key.append(s.data(), s.size());
    const bool fresh = open.back().insert(key).second;
    if (!fresh) {
      found_duplicate = true;
      duplicate = key;
      ec = json::error::syntax;  // stops the parser; the message below says why
    }
    key.clear();
    return fresh;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return true; }
  bool on_double(double, json::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

// Hostile keys end up in error messages: printable ASCII only, and short.
std::string quoted(const std::string& key) {
  std::string out;
  for (unsigned char c : key.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + (key.size() > 80 ? "..." : "");
}

// One pass of the key watcher: the first duplicate key, or where and why the text stopped
// being JSON.
struct KeyScan {
  std::optional<std::string> duplicate;
  error_code ec;
  std::size_t read = 0;
};

KeyScan scan_keys(std::string_view text, const json::parse_options& options) {
  json::basic_parser<DuplicateKeyFinder> finder(options);
  KeyScan scan;
  scan.read = finder.write_some(false, text.data(), text.size(), scan.ec);
  if (finder.handler().found_duplicate) scan.duplicate = quoted(finder.handler().duplicate);
  return scan;
}

}  // namespace

std::optional<std::string> first_duplicate_key(std::string_view text,
                                               const json::parse_options& options) {
  return scan_keys(text, options).duplicate;
}

Result<json::value> parse_strict_json(std::string_view text, std::size_t max_depth) {
  // Said first and plainly: the JSON parser would only call it a syntax error.
  if (auto bad = first_invalid_utf8(text))
    return make_error("bad_request", "the body is not valid UTF-8 (at byte " + std::to_string(*bad) +
                                         "): overlong forms, encoded surrogates and bytes such "
                                         "as FF are refused");
  json::parse_options options;
  options.max_depth = max_depth;
  const KeyScan scan = scan_keys(text, options);
  if (scan.duplicate)
    return make_error("bad_request", "the body names the key '" + *scan.duplicate +
                                         "' twice in one object");
  if (scan.ec)
    return make_error("bad_request", "the body is not valid JSON (at byte " +
                                         std::to_string(scan.read) + "): " + scan.ec.message());
  error_code ec;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return make_error("bad_request", "the body is not valid JSON: " + ec.message());
  return value;
}

}  // namespace ifex
