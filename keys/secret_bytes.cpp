#include "keys/secret_bytes.hpp"

#include "keys/identity.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

namespace ifex {

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  init_crypto();
  // sodium_malloc(0) is legal but pointless; keep one byte so data() is never null.
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size == 0 ? 1 : size));
  if (data_ == nullptr) throw std::bad_alloc();
  sodium_memzero(data_, size == 0 ? 1 : size);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { release(); }

void SecretBytes::release() {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free wipes before unmapping
  data_ = nullptr;
  size_ = 0;
}

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
  SecretBytes out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

void SecretBytes::shrink(std::size_t new_size) {
  if (new_size >= size_) return;
  sodium_memzero(data_ + new_size, size_ - new_size);
  size_ = new_size;
}

}  // namespace ifex
