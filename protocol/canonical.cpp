#include "protocol/canonical.hpp"

#include <cereal/archives/portable_binary.hpp>

#include <streambuf>

namespace ifex {

namespace {
constexpr std::uint8_t little_endian_flag = 0x01;
using Out = cereal::PortableBinaryOutputArchive;
using In = cereal::PortableBinaryInputArchive;
}  // namespace

CanonicalWriter::CanonicalWriter()
    : archive_(std::make_unique<Out>(stream_, Out::Options::LittleEndian())) {}
CanonicalWriter::~CanonicalWriter() = default;

void CanonicalWriter::u8(std::uint8_t v) { (*archive_)(v); }
void CanonicalWriter::u16(std::uint16_t v) { (*archive_)(v); }
void CanonicalWriter::u64(std::uint64_t v) { (*archive_)(v); }
void CanonicalWriter::fixed(ByteView bytes) {
  (*archive_)(cereal::binary_data(bytes.data(), bytes.size()));
}
void CanonicalWriter::bytes(ByteView bytes) {
  u64(bytes.size());
  if (!bytes.empty()) fixed(bytes);
}

Bytes CanonicalWriter::finish() {
  std::string_view written = stream_.view();
  return Bytes(written.begin(), written.end());
}

// A read-only streambuf over caller-owned bytes: no copy of the input.
class CanonicalReader::SpanBuf : public std::streambuf {
 public:
  explicit SpanBuf(ByteView bytes) {
    char* begin = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(begin, begin, begin + bytes.size());
  }
  std::size_t consumed() const { return static_cast<std::size_t>(gptr() - eback()); }
};

CanonicalReader::CanonicalReader(ByteView input)
    : input_(input), buf_(std::make_unique<SpanBuf>(input)) {
  if (input.empty()) fail("truncated", "empty input");
  if (input[0] != little_endian_flag)
    fail("not_canonical", "first byte must be 0x01 (little-endian portable binary)");
  stream_ = std::make_unique<std::istream>(buf_.get());
  try {
    // The input option names the byte order wanted in memory, not the stream's (the stream's is
    // its first byte): the host's, so that a big-endian host swaps what it reads.
    archive_ = std::make_unique<In>(*stream_, In::Options::Default());
  } catch (const cereal::Exception&) {
    fail("truncated", "input ends inside the header");
  }
}
CanonicalReader::~CanonicalReader() = default;

void CanonicalReader::fail(std::string code, std::string message) {
  throw DecodeFailure{Error{std::move(code), std::move(message)}};
}

std::size_t CanonicalReader::position() const { return buf_->consumed(); }

void CanonicalReader::read_raw(void* out, std::size_t n, std::string_view what) {
  if (n > remaining())
    fail("truncated", "input ends inside " + std::string(what));
  try {
    // As bytes, so a host that swaps integers leaves byte strings alone.
    (*archive_)(cereal::binary_data(static_cast<std::uint8_t*>(out), n));
  } catch (const cereal::Exception&) {
    fail("truncated", "input ends inside " + std::string(what));
  }
}

std::uint8_t CanonicalReader::u8() {
  std::uint8_t v;
  read_raw(&v, 1, "an integer");
  return v;
}
std::uint16_t CanonicalReader::u16() {
  std::uint16_t v;
  if (remaining() < sizeof v) fail("truncated", "input ends inside an integer");
  (*archive_)(v);
  return v;
}
std::uint64_t CanonicalReader::u64() {
  std::uint64_t v;
  if (remaining() < sizeof v) fail("truncated", "input ends inside an integer");
  (*archive_)(v);
  return v;
}

Bytes CanonicalReader::bytes(std::uint64_t max_len, std::string_view what) {
  std::uint64_t n = u64();
  if (n > max_len)
    fail("too_large", std::string(what) + " is " + std::to_string(n) + " bytes; the limit is " +
                          std::to_string(max_len));
  if (n > remaining()) fail("truncated", "input ends inside " + std::string(what));
  Bytes out(n);
  if (n != 0) read_raw(out.data(), n, what);
  return out;
}

std::string CanonicalReader::text(std::uint64_t max_len, std::string_view what) {
  Bytes raw = bytes(max_len, what);
  return std::string(raw.begin(), raw.end());
}

std::uint64_t CanonicalReader::count(std::uint64_t max_count, std::string_view what) {
  std::uint64_t n = u64();
  if (n > max_count)
    fail("too_many", std::string(what) + ": " + std::to_string(n) + " items; the limit is " +
                         std::to_string(max_count));
  return n;
}

void CanonicalReader::expect_end(std::string_view what) const {
  if (remaining() != 0)
    fail("trailing_bytes", std::to_string(remaining()) + " unexpected bytes after the end of " +
                               std::string(what));
}

}  // namespace ifex
