// pause_probe: how often this machine stops a running thread, and for how long. It spins on its core
// for a few seconds reading the clock; a gap between two readings is time the thread did not run (the
// hypervisor ran something else, an interrupt, another task). On a shared virtual machine such pauses,
// not the emulator, set the tail of latencies measured in microseconds. bench/run.sh runs it on the
// server's and the load's cores before the REST runs, and the report shows what it saw.
//   taskset -c 0 pause_probe 3
//   pauses: 40 over 200 us (13.3/s), 8 over 1 ms (2.7/s), longest 5.48 ms, 0.9% of the time

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: pause_probe SECONDS\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  constexpr auto kShort = std::chrono::microseconds(200);
  constexpr auto kLong = std::chrono::milliseconds(1);
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long over_short = 0;
  long over_long = 0;
  Clock::duration longest{};
  Clock::duration paused{};
  auto previous = start;
  for (auto now = Clock::now(); now < end; now = Clock::now()) {
    const auto gap = now - previous;
    previous = now;
    if (gap < kShort) continue;
    ++over_short;
    paused += gap;
    if (gap >= kLong) ++over_long;
    if (gap > longest) longest = gap;
  }
  const double span = std::chrono::duration<double>(previous - start).count();
  std::printf(
      "pauses: %ld over 200 us (%.1f/s), %ld over 1 ms (%.1f/s), longest %.2f ms, %.1f%% of the time\n",
      over_short, static_cast<double>(over_short) / span, over_long, static_cast<double>(over_long) / span,
      std::chrono::duration<double, std::milli>(longest).count(),
      100.0 * std::chrono::duration<double>(paused).count() / span);
  return 0;
}
