#include "emulator/server/request_id_generator.hpp"

#include <array>

namespace emu::server {

RequestIdGenerator::RequestIdGenerator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  engine_.seed(seed);
}

void RequestIdGenerator::append(std::string& out) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::uint64_t high = engine_();
  std::uint64_t low = engine_();
  high = (high & ~std::uint64_t{0xf000}) | 0x4000;                         // version 4
  low = (low & ~(std::uint64_t{0xc} << 60)) | (std::uint64_t{0x8} << 60);  // RFC 4122 variant
  std::array<char, 36> text{};
  std::size_t pos = 0;
  const auto put = [&](std::uint64_t value, int nibbles) {
    for (int shift = (nibbles - 1) * 4; shift >= 0; shift -= 4) text[pos++] = kHex[(value >> shift) & 0xf];
  };
  put(high >> 32, 8);
  text[pos++] = '-';
  put(high >> 16, 4);
  text[pos++] = '-';
  put(high, 4);
  text[pos++] = '-';
  put(low >> 48, 4);
  text[pos++] = '-';
  put(low, 12);
  out.append(text.data(), text.size());
}

}  // namespace emu::server
