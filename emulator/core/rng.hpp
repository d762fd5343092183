#pragma once
// Rng: the emulator's only source of randomness, seeded once and forked per component so that adding
// draws in one component never shifts another's sequence. Distributions are our own: the standard
// library's differ between implementations, and a seed must replay the same on every machine.
//   Rng root(seed);  Rng autoscaler = root.fork("autoscaler");
//   if (autoscaler.bernoulli(0.01)) { ... }  auto delay = autoscaler.uniform_duration(1min, 5min);

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <utility>

#include "emulator/core/time.hpp"

namespace emu::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t seed() const { return seed_; }

  // An independent stream derived from (this stream's seed, component) only, not from how many values
  // this stream has drawn: forking the same name twice gives the same stream.
  Rng fork(std::string_view component) const;

  // 64 raw bits straight from the engine.
  std::uint64_t next_u64() { return engine_(); }
  // Uniform in [lo, hi], both inclusive, without modulo bias; the bounds are swapped if reversed.
  std::uint64_t uniform_u64(std::uint64_t lo, std::uint64_t hi);
  // Uniform in [0, 1) with 53 random bits (every double of the form k / 2^53).
  double uniform_real();
  // Uniform in [lo, hi).
  double uniform_real(double lo, double hi) { return lo + (hi - lo) * uniform_real(); }
  // True with probability p; p <= 0 (or NaN) is never, p >= 1 always.
  bool bernoulli(double p);
  // Exponentially distributed with the given rate (mean 1/rate); a rate <= 0 gives +infinity, an
  // event that never comes.
  double exponential(double rate);
  // Normally distributed (Box-Muller); each call consumes exactly two uniform draws.
  double normal(double mean, double stddev);
  // Index in [0, count); 0 when count is 0.
  std::size_t pick_index(std::size_t count);
  // Whole nanoseconds uniform in [lo, hi].
  Duration uniform_duration(Duration lo, Duration hi);
  // Exponentially distributed duration with the given mean, truncated to whole nanoseconds.
  Duration exponential_duration(Duration mean);

  // Fisher-Yates with our own index draws (std::shuffle's order differs between libraries).
  template <typename T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      using std::swap;
      swap(items[i - 1], items[pick_index(i)]);
    }
  }

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;  // its seeding and output are fixed by the standard, unlike distributions
};

// Stable 64-bit hashes, the same on every platform (std::hash is not).
std::uint64_t fnv1a64(std::string_view text);
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace emu::core
