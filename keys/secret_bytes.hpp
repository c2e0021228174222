// SecretBytes: secret material (seeds, passphrases, derived keys) in libsodium guarded memory:
// mlocked so it is never swapped out, guard pages around it, wiped when freed.
// Not copyable; movable. Not thread-safe: one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ifex {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Allocates `size` zeroed bytes. Throws std::bad_alloc if libsodium cannot allocate.
  explicit SecretBytes(std::size_t size);
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  // Copies `text` into guarded memory (the caller still owns and should wipe the source).
  static SecretBytes copy_of(std::span<const std::uint8_t> bytes);

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const std::uint8_t> view() const { return {data_, size_}; }
  std::string_view text() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Drops the last bytes (wiping them); used to strip a trailing newline from a passphrase.
  void shrink(std::size_t new_size);

 private:
  void release();
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ifex
