// SHA-256 (FIPS 180-4), incremental. Layer: core. Used for content keys (prefix-cache
// blocks) where collisions must be out of reach.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ondo::core {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  Sha256Digest finish();  // the hasher must not be updated afterwards

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

Sha256Digest sha256(std::string_view data);
std::string to_hex(const Sha256Digest& d);

}  // namespace ondo::core
