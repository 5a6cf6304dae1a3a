// SHA-256 (FIPS 180-4). The compiler hashes source files and the table
// content with it; the runtime recomputes the table digest on load.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace carepath {

class Sha256 {
public:
  Sha256();
  /// Feeds more bytes; may be called any number of times.
  void update(std::string_view bytes);
  /// Finishes and returns the 32-byte digest; the object must not be reused.
  std::array<uint8_t, 32> finish();
  /// Lower-case hex of the digest of `bytes`.
  static std::string hex(std::string_view bytes);

private:
  void block(const uint8_t *p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t bufLen_ = 0;
  uint64_t total_ = 0;
};

}  // namespace carepath
