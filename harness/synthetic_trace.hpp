#pragma once
// A Philly-shaped synthetic trace built in code, for the scale benchmark: `jobs` jobs over four
// clusters, Poisson arrivals, mostly one-node jobs with a tail of multi-node gangs, log-uniform run
// times, about 1 in 12 exiting non-zero. Deterministic for a given seed. The default 552 nodes mix
// 8-, 4- and 2-GPU sizes as Philly mixed its servers: 150 ND40rs_v2, 243 NC24 and 159 NC12 make
// 2,490 GPUs. Another node count spreads NC24 nodes (4 GPUs) over the four clusters.
//   Scenario s = synthetic_philly_trace({.jobs = 117325, .nodes = 552});

#include <cstdint>

#include "harness/scenario.hpp"

namespace emu::harness {

struct SyntheticTraceShape {
  std::int64_t jobs = 117'325;
  std::int32_t nodes = 552;
  std::int32_t clusters = 4;
  double load = 0.7;  // offered node-seconds over available node-seconds
  std::uint64_t seed = 1;
};

Scenario synthetic_philly_trace(const SyntheticTraceShape& shape);

}  // namespace emu::harness
