#include "protocol/bundle.hpp"

#include <algorithm>
#include <cstring>

namespace ifex {

namespace {
void put_le(Bytes& out, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint64_t get_le(const std::uint8_t* p, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
}  // namespace

Bytes bundle_header() {
  Bytes out(bundle_magic.begin(), bundle_magic.end());
  out.push_back(bundle_version);
  return out;
}

Bytes bundle_record(BundleRecordType type, ByteView body) {
  Bytes out;
  out.reserve(bundle_record_header_size + body.size());
  out.push_back(static_cast<std::uint8_t>(type));
  put_le(out, body.size(), 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes bundle_trailer(std::uint64_t record_count) {
  Bytes count;
  put_le(count, record_count, 8);
  return bundle_record(BundleRecordType::end, count);
}

BundleReader::BundleReader(ByteView input, std::size_t max_record_bytes)
    : input_(input), max_record_bytes_(max_record_bytes) {
  const Bytes header = bundle_header();
  // A short input that starts like a bundle is a bundle cut short, not some other file.
  if (input.size() < bundle_header_size && std::equal(input.begin(), input.end(), header.begin()))
    error_ = make_error("truncated", "the bundle ends inside its header: it was cut short");
  else if (input.size() < bundle_header_size ||
           std::memcmp(input.data(), bundle_magic.data(), bundle_magic.size()) != 0)
    error_ = make_error("not_a_bundle", "not an ifexnode bundle (the magic bytes are missing)");
  else if (input[8] != bundle_version)
    error_ = make_error("unknown_version",
                        "unknown bundle version " + std::to_string(input[8]));
  pos_ = bundle_header_size;
}

Result<std::optional<BundleRecord>> BundleReader::next() {
  if (error_) return *error_;
  if (done_) return std::optional<BundleRecord>();
  auto fail = [&](std::string code, std::string message) -> Result<std::optional<BundleRecord>> {
    error_ = make_error(std::move(code), std::move(message) + " (at byte " +
                                             std::to_string(pos_) + ")");
    return *error_;
  };
  if (pos_ == input_.size())
    return fail("truncated", "the bundle ends without its end record: it was cut short");
  if (input_.size() - pos_ < bundle_record_header_size)
    return fail("truncated", "the bundle ends inside a record header");
  const std::uint8_t type = input_[pos_];
  const std::uint64_t len = get_le(input_.data() + pos_ + 1, 4);
  if (type > static_cast<std::uint8_t>(BundleRecordType::fork_proof))
    return fail("bad_record", "unknown record type " + std::to_string(type));
  if (len > max_record_bytes_)
    return fail("too_large", "a record of " + std::to_string(len) + " bytes exceeds the limit of " +
                                 std::to_string(max_record_bytes_));
  if (input_.size() - pos_ - bundle_record_header_size < len)
    return fail("truncated", "the bundle ends inside a record");
  BundleRecord record{static_cast<BundleRecordType>(type),
                      input_.subspan(pos_ + bundle_record_header_size, len), pos_};
  if (record.type == BundleRecordType::end) {
    if (len != 8) return fail("bad_record", "the end record must hold exactly 8 bytes");
    std::uint64_t declared = get_le(record.body.data(), 8);
    if (declared != count_)
      return fail("count_mismatch", "the end record declares " + std::to_string(declared) +
                                        " records but " + std::to_string(count_) + " were read");
    pos_ += bundle_record_header_size + len;
    if (pos_ != input_.size())
      return fail("trailing_bytes", "bytes follow the end record");
    done_ = true;
    return std::optional<BundleRecord>();
  }
  pos_ += bundle_record_header_size + len;
  ++count_;
  return std::optional<BundleRecord>(record);
}

}  // namespace ifex
