#pragma once
// A Philly-shaped synthetic trace built in code, for the scale benchmark: `jobs` jobs over `clusters`
// NC24 clusters (4 GPUs a node), Poisson arrivals, mostly 1-GPU jobs with a tail of multi-node gangs,
// log-uniform run times, about 1 in 12 exiting non-zero. Deterministic for a given seed.
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
