#include "emulator/engine/uuid.hpp"

#include <fmt/format.h>

namespace emu::engine {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::string deterministic_uuid(std::uint64_t seed, std::uint64_t counter) {
  const std::uint64_t hi = splitmix64(splitmix64(seed) ^ (counter * 2 + 1));
  std::uint64_t lo = splitmix64(hi ^ splitmix64(counter));
  const std::uint64_t version_hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", version_hi >> 32, (version_hi >> 16) & 0xffff,
                     version_hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

}  // namespace emu::engine
