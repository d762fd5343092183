#include "emulator/core/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <vector>

namespace emu::core {
namespace {

// These values are the contract: a seed must replay the same on every machine and library version.
TEST(Rng, SeedOneGivesPinnedValues) {
  Rng rng(1);
  EXPECT_EQ(rng.next_u64(), 2469588189546311528ULL);
  EXPECT_EQ(rng.next_u64(), 2516265689700432462ULL);
  EXPECT_EQ(rng.next_u64(), 8323445853463659930ULL);

  Rng dice(1);
  std::vector<std::uint64_t> rolls;
  for (int i = 0; i < 5; ++i) rolls.push_back(dice.uniform_u64(1, 6));
  EXPECT_EQ(rolls, (std::vector<std::uint64_t>{3, 1, 1, 1, 1}));

  Rng reals(1);
  EXPECT_DOUBLE_EQ(reals.uniform_real(), 0.13387664401253263);
  EXPECT_DOUBLE_EQ(reals.uniform_real(), 0.13640703636619722);
}

TEST(Rng, StableHashesArePinned) {
  EXPECT_EQ(fnv1a64(""), 14695981039346656037ULL);
  EXPECT_EQ(fnv1a64("a"), 12638187200555641996ULL);
  EXPECT_EQ(splitmix64(0), 16294208416658607535ULL);
}

TEST(Rng, ForkIsPinnedAndDependsOnlyOnSeedAndName) {
  const Rng root(1);
  Rng autoscaler = root.fork("autoscaler");
  EXPECT_EQ(autoscaler.seed(), 16947979205625476538ULL);
  EXPECT_EQ(autoscaler.next_u64(), 9676902138902255348ULL);

  // Drawing from the parent does not change what a fork gives.
  Rng drained(1);
  for (int i = 0; i < 1000; ++i) drained.next_u64();
  EXPECT_EQ(drained.fork("autoscaler").seed(), autoscaler.seed());
}

TEST(Rng, ForksAreIndependentStreams) {
  const Rng root(42);
  Rng a = root.fork("scheduler");
  Rng b = root.fork("faults");
  Rng c = Rng(43).fork("scheduler");
  EXPECT_NE(a.seed(), b.seed());
  EXPECT_NE(a.seed(), c.seed());
  EXPECT_NE(a.seed(), root.seed());
  int equal = 0;
  for (int i = 0; i < 1000; ++i) equal += a.next_u64() == b.next_u64() ? 1 : 0;
  EXPECT_EQ(equal, 0);
  // Nested forks differ from a fork of the joined name.
  EXPECT_NE(root.fork("a").fork("b").seed(), root.fork("ab").seed());
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(7), b(7);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.uniform_u64(0, 1000), b.uniform_u64(0, 1000));
    ASSERT_EQ(a.normal(5, 2), b.normal(5, 2));
    ASSERT_EQ(a.exponential(0.5), b.exponential(0.5));
    ASSERT_EQ(a.bernoulli(0.3), b.bernoulli(0.3));
  }
}

TEST(Rng, UniformU64StaysInBoundsAndCoversThem) {
  Rng rng(3);
  std::array<int, 7> counts{};
  for (int i = 0; i < 70'000; ++i) {
    const std::uint64_t v = rng.uniform_u64(10, 16);
    ASSERT_GE(v, 10u);
    ASSERT_LE(v, 16u);
    ++counts[v - 10];
  }
  for (const int c : counts) EXPECT_NEAR(c, 10'000, 500);
  EXPECT_EQ(rng.uniform_u64(5, 5), 5u);
  const std::uint64_t swapped = rng.uniform_u64(9, 2);
  EXPECT_GE(swapped, 2u);
  EXPECT_LE(swapped, 9u);
  rng.uniform_u64(0, UINT64_MAX);  // the full range must not loop or divide by zero
}

TEST(Rng, UniformU64IsUnbiasedForAnAwkwardRange) {
  // About 2/3 of 2^64 values: plain modulo would make the lower half of them twice as likely as the
  // upper half (2/3 of the draws instead of 1/2).
  Rng rng(11);
  const std::uint64_t hi = 0xAAAAAAAAAAAAAAAAULL;
  int lower = 0;
  for (int i = 0; i < 20'000; ++i) lower += rng.uniform_u64(0, hi) <= hi / 2 ? 1 : 0;
  EXPECT_NEAR(lower, 10'000, 400);
}

TEST(Rng, UniformRealIsInTheHalfOpenUnitInterval) {
  Rng rng(5);
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double u = rng.uniform_real();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100'000, 0.5, 0.01);
  const double scaled = rng.uniform_real(-2.0, 2.0);
  EXPECT_GE(scaled, -2.0);
  EXPECT_LT(scaled, 2.0);
}

TEST(Rng, BernoulliMatchesItsProbability) {
  Rng rng(9);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i) hits += rng.bernoulli(0.25) ? 1 : 0;
  EXPECT_NEAR(hits, 25'000, 600);
  EXPECT_FALSE(rng.bernoulli(0.0));
  EXPECT_FALSE(rng.bernoulli(-1.0));
  EXPECT_FALSE(rng.bernoulli(std::nan("")));
  EXPECT_TRUE(rng.bernoulli(1.0));
  EXPECT_TRUE(rng.bernoulli(2.0));
}

TEST(Rng, ExponentialHasTheRightMean) {
  Rng rng(13);
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double x = rng.exponential(4.0);
    ASSERT_GE(x, 0.0);
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
  }
  EXPECT_NEAR(sum / 100'000, 0.25, 0.005);
  EXPECT_TRUE(std::isinf(rng.exponential(0.0)));
}

TEST(Rng, NormalHasTheRightMeanAndSpread) {
  Rng rng(17);
  const int n = 100'000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal(10.0, 3.0);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  const double variance = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 10.0, 0.05);
  EXPECT_NEAR(std::sqrt(variance), 3.0, 0.05);
}

TEST(Rng, PickIndexAndDurations) {
  Rng rng(19);
  std::set<std::size_t> picked;
  for (int i = 0; i < 1000; ++i) picked.insert(rng.pick_index(4));
  EXPECT_EQ(picked, (std::set<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(rng.pick_index(0), 0u);

  using std::chrono::minutes;
  for (int i = 0; i < 1000; ++i) {
    const Duration d = rng.uniform_duration(minutes(1), minutes(5));
    ASSERT_GE(d, minutes(1));
    ASSERT_LE(d, minutes(5));
  }
  bool saw_negative = false;
  for (int i = 0; i < 1000; ++i) {
    const Duration d = rng.uniform_duration(-std::chrono::seconds(5), std::chrono::seconds(5));
    ASSERT_GE(d, -std::chrono::seconds(5));
    ASSERT_LE(d, std::chrono::seconds(5));
    saw_negative = saw_negative || d < Duration::zero();
  }
  EXPECT_TRUE(saw_negative);
  rng.uniform_duration(Duration::min(), Duration::max());  // a span wider than int64 must not overflow
  double sum = 0;
  for (int i = 0; i < 20'000; ++i) sum += to_seconds(rng.exponential_duration(minutes(2)));
  EXPECT_NEAR(sum / 20'000, 120.0, 4.0);
  EXPECT_EQ(rng.exponential_duration(Duration::zero()), Duration::zero());
}

TEST(Rng, ShuffleIsAPermutationAndDeterministic) {
  std::vector<int> a(50), b(50);
  for (int i = 0; i < 50; ++i) a[static_cast<std::size_t>(i)] = b[static_cast<std::size_t>(i)] = i;
  Rng r1(23), r2(23);
  r1.shuffle(std::span<int>(a));
  r2.shuffle(std::span<int>(b));
  EXPECT_EQ(a, b);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_NE(a, sorted);
}

}  // namespace
}  // namespace emu::core
