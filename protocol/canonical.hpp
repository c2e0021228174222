// The canonical byte encoding shared by every signed structure: cereal's portable binary archive
// in little-endian mode. Layout rules (docs/protocol.md, "Canonical encoding"):
//   - the first byte is cereal's endianness flag, always 0x01 (little-endian);
//   - integers are fixed width, little-endian;
//   - fixed-size byte strings (keys, hashes, signatures) are written raw, without a length;
//   - variable byte strings and UTF-8 strings are a u64 length followed by the bytes.
// The reader is strict: it never trusts a length before checking it against the bytes left, so a
// hostile length cannot make it allocate, and it reports truncation as an error, not a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace cereal {
class PortableBinaryOutputArchive;
class PortableBinaryInputArchive;
}  // namespace cereal

namespace ifex {

class CanonicalWriter {
 public:
  CanonicalWriter();
  ~CanonicalWriter();

  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u64(std::uint64_t v);
  void fixed(ByteView bytes);             // raw, no length
  void bytes(ByteView bytes);             // u64 length + bytes
  void text(std::string_view s) { bytes(as_bytes(s)); }

  // The bytes written so far (the archive writes through to the buffer immediately).
  Bytes finish();

 private:
  std::ostringstream stream_;
  std::unique_ptr<cereal::PortableBinaryOutputArchive> archive_;
};

// Thrown inside decoders and caught at their public boundary; never escapes protocol/.
struct DecodeFailure {
  Error error;
};

class CanonicalReader {
 public:
  // Fails (DecodeFailure) unless the first byte is the little-endian flag 0x01.
  explicit CanonicalReader(ByteView input);
  ~CanonicalReader();

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint64_t u64();
  template <class Fixed>
  Fixed fixed() {
    Fixed out;
    read_raw(out.data(), Fixed::size, "fixed-size field");
    return out;
  }
  // A length-prefixed byte string of at most max_len bytes.
  Bytes bytes(std::uint64_t max_len, std::string_view what);
  // A length-prefixed string of at most max_len bytes; UTF-8 validity is the caller's check.
  std::string text(std::uint64_t max_len, std::string_view what);
  // A u64 count of at most max_count items.
  std::uint64_t count(std::uint64_t max_count, std::string_view what);

  std::size_t position() const;
  std::size_t remaining() const { return input_.size() - position(); }
  // Fails unless every byte was consumed: trailing bytes are not canonical.
  void expect_end(std::string_view what) const;

  [[noreturn]] static void fail(std::string code, std::string message);

 private:
  void read_raw(void* out, std::size_t n, std::string_view what);
  class SpanBuf;
  ByteView input_;
  std::unique_ptr<SpanBuf> buf_;
  std::unique_ptr<std::istream> stream_;
  std::unique_ptr<cereal::PortableBinaryInputArchive> archive_;
};

// Runs a decoder body, turning DecodeFailure into an Error result.
template <class T, class Fn>
Result<T> decode_guarded(Fn&& body) {
  try {
    return body();
  } catch (const DecodeFailure& failure) {
    return failure.error;
  }
}

}  // namespace ifex
