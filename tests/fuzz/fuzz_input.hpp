// Reads a fuzzer's bytes as a small script: single bytes, fixed-size pieces and u16-length
// prefixed chunks. Running out of input is not an error: every read then yields less (an empty
// chunk, zeros), so any byte string is a valid script and the fuzzer never wastes inputs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "keys/bytes.hpp"

namespace ifex::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }

  // Exactly `n` bytes, zero-padded when the input ends early.
  Bytes fixed(std::size_t n) {
    Bytes out(n, 0);
    std::size_t got = std::min(n, size_ - pos_);
    std::copy_n(data_ + pos_, got, out.begin());
    pos_ += got;
    return out;
  }

  // A u16 little-endian length, then that many bytes (fewer if the input ends).
  Bytes chunk() {
    std::size_t n = u8();
    n |= static_cast<std::size_t>(u8()) << 8;
    n = std::min(n, size_ - pos_);
    Bytes out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }

  bool empty() const { return pos_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// The writer's side, for the seed generator: the chunk layout FuzzInput::chunk reads.
inline void append_chunk(Bytes& out, ByteView chunk) {
  out.push_back(static_cast<std::uint8_t>(chunk.size() & 0xff));
  out.push_back(static_cast<std::uint8_t>((chunk.size() >> 8) & 0xff));
  out.insert(out.end(), chunk.begin(), chunk.end());
}

}  // namespace ifex::fuzz
