#include "protocol/clock_file.hpp"

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

void put(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

}  // namespace

Bytes encode_clock_file(std::vector<HeldLog> logs) {
  std::sort(logs.begin(), logs.end(),
            [](const HeldLog& a, const HeldLog& b) { return a.author < b.author; });
  Bytes out(clock_file_magic.begin(), clock_file_magic.end());
  out.reserve(clock_file_size(logs.size()));
  out.push_back(clock_file_version);
  put_le(out, logs.size(), 4);
  for (const HeldLog& log : logs) {
    put(out, log.author.view());
    out.push_back(log.fork_proof ? clock_flag_fork_proof : 0);
    put_le(out, log.head.seq, 8);
    put(out, log.head.id.view());
  }
  Hash sum = blake2b_256({ByteView(out)});
  put(out, sum.view());
  return out;
}

Result<std::vector<HeldLog>> decode_clock_file(ByteView bytes, std::uint32_t max_authors) {
  const std::size_t magic = clock_file_magic.size();
  // A short input that starts like a clock file is one cut short, not some other file.
  if (bytes.empty() ||
      std::memcmp(bytes.data(), clock_file_magic.data(), std::min(bytes.size(), magic)) != 0)
    return make_error("not_a_clock", "not an ifexnode clock file (the magic bytes are missing)");
  if (bytes.size() < clock_file_header_size)
    return make_error("truncated", "the clock file ends inside its header: it was cut short");
  if (bytes[magic] != clock_file_version)
    return make_error("unknown_version",
                      "unknown clock file version " + std::to_string(bytes[magic]));
  const std::uint64_t count = get_le(bytes.data() + magic + 1, 4);
  if (count > max_authors)
    return make_error("too_large", "the clock file names " + std::to_string(count) +
                                       " authors, over the limit of " +
                                       std::to_string(max_authors));
  const std::size_t expected = clock_file_size(count);
  if (bytes.size() < expected)
    return make_error("truncated", "the clock file holds " + std::to_string(bytes.size()) +
                                       " bytes where its count needs " + std::to_string(expected) +
                                       ": it was cut short");
  if (bytes.size() > expected)
    return make_error("trailing_bytes", "the clock file has " +
                                            std::to_string(bytes.size() - expected) +
                                            " bytes after its checksum");
  const std::size_t body = expected - clock_file_checksum_size;
  Hash sum = blake2b_256({bytes.first(body)});
  if (std::memcmp(sum.data(), bytes.data() + body, clock_file_checksum_size) != 0)
    return make_error("bad_checksum",
                      "the clock file's checksum does not match: it was damaged in transit");

  std::vector<HeldLog> logs;
  logs.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint8_t* p = bytes.data() + clock_file_header_size + i * clock_file_record_size;
    auto bad = [&](const std::string& what) {
      return make_error("bad_record", "clock record " + std::to_string(i + 1) + ": " + what);
    };
    HeldLog log;
    log.author = *PublicKey::from({p, 32});
    const std::uint8_t flags = p[32];
    if (flags & ~clock_flag_fork_proof) return bad("unknown flag bits " + std::to_string(flags));
    log.fork_proof = flags & clock_flag_fork_proof;
    log.head.seq = get_le(p + 33, 8);
    log.head.id = *Hash::from({p + 41, 32});
    if (log.head.seq == 0 && !log.head.id.is_zero()) return bad("a head id at seq 0");
    if (!logs.empty() && !(logs.back().author < log.author))
      return bad("authors out of order or repeated");
    logs.push_back(log);
  }
  return logs;
}

}  // namespace ifex
