#include "emulator/core/rng.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace emu::core {

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Rng::Rng(std::uint64_t seed) : seed_(seed), engine_(seed) {}

Rng Rng::fork(std::string_view component) const {
  // Mixing the parent seed before the xor keeps fork("a") of seed s apart from seed s ^ hash("a").
  return Rng(splitmix64(splitmix64(seed_) ^ fnv1a64(component)));
}

std::uint64_t Rng::uniform_u64(std::uint64_t lo, std::uint64_t hi) {
  if (hi < lo) std::swap(lo, hi);
  const std::uint64_t span = hi - lo;
  if (span == std::numeric_limits<std::uint64_t>::max()) return next_u64();
  const std::uint64_t range = span + 1;
  // Values below 2^64 mod range would make the low residues more likely; drawing again removes them.
  const std::uint64_t threshold = (0 - range) % range;
  std::uint64_t x = next_u64();
  while (x < threshold) x = next_u64();
  return lo + x % range;
}

double Rng::uniform_real() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

bool Rng::bernoulli(double p) {
  if (!(p > 0.0)) return false;
  if (p >= 1.0) return true;
  return uniform_real() < p;
}

double Rng::exponential(double rate) {
  if (!(rate > 0.0)) return std::numeric_limits<double>::infinity();
  // 1 - u lies in (0, 1], so the log is finite.
  return -std::log(1.0 - uniform_real()) / rate;
}

// Same seed, same values on one platform; across platforms only as far as their libm's log and cos
// agree. The engine keeps decisions that must replay exactly on the integer draws.
double Rng::normal(double mean, double stddev) {
  const double u1 = 1.0 - uniform_real();  // (0, 1]: log(0) is out of reach
  const double u2 = uniform_real();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  return mean + stddev * radius * std::cos(2.0 * std::numbers::pi * u2);
}

std::size_t Rng::pick_index(std::size_t count) {
  if (count == 0) return 0;
  return static_cast<std::size_t>(uniform_u64(0, count - 1));
}

Duration Rng::uniform_duration(Duration lo, Duration hi) {
  if (hi < lo) std::swap(lo, hi);
  const auto span = static_cast<std::uint64_t>(hi.count()) - static_cast<std::uint64_t>(lo.count());
  // Unsigned arithmetic: the span of a negative lo and a large hi does not fit in int64.
  return Duration(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo.count()) + uniform_u64(0, span)));
}

Duration Rng::exponential_duration(Duration mean) {
  if (mean <= Duration::zero()) return Duration::zero();
  const double nanos = exponential(1.0) * static_cast<double>(mean.count());
  // Saturate rather than overflow on an (astronomically unlikely) huge draw.
  if (nanos >= static_cast<double>(std::numeric_limits<std::int64_t>::max())) return Duration::max();
  return Duration(static_cast<std::int64_t>(nanos));
}

}  // namespace emu::core
