// philly_scale_replay: the scale benchmark. Replays a synthetic Philly-sized trace (117,325 jobs on
// 552 nodes by default) through the real engine on one thread and prints wall time, events/s, jobs/s
// and peak RSS. Usage: philly_scale_replay [JOBS] [NODES]

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>

#include "harness/replay.hpp"
#include "harness/replay_report.hpp"
#include "harness/synthetic_trace.hpp"

int main(int argc, char** argv) {
  emu::harness::SyntheticTraceShape shape;
  if (argc > 1) shape.jobs = std::atoll(argv[1]);
  if (argc > 2) shape.nodes = std::atoi(argv[2]);
  const auto t0 = std::chrono::steady_clock::now();
  emu::harness::Scenario scenario = emu::harness::synthetic_philly_trace(shape);
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  emu::harness::Replay replay(std::move(scenario));
  replay.set_journal_retention(10'000);  // the digest still covers every record
  const emu::harness::ReplayOutcome out = replay.run();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("{}", emu::harness::format_summary(replay.scenario(), out));
  fmt::print("trace built in {:.2f} s; replay {:.2f} s wall; {:.0f} events/s; {:.0f} jobs/s; peak RSS {:.0f} MiB\n",
             build_s, out.wall_seconds, static_cast<double>(out.events) / out.wall_seconds,
             static_cast<double>(out.summary.jobs) / out.wall_seconds, static_cast<double>(usage.ru_maxrss) / 1024.0);
  return out.ok() ? 0 : 1;
}
