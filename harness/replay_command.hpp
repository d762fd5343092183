#pragma once
// The `replay` and `sweep` commands. The server's main parses `replay` into server::ReplayOptions and
// calls run_replay with the same fields; `sweep` is parsed here (parse_sweep_options).
//   int rc = harness::run_replay({.scenario = "scenarios/autoscale_basic.yaml", .check_determinism = true});
//   int rc = harness::run_sweep(*harness::parse_sweep_options(args));  // seeds on two processes

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"
#include "harness/scenario.hpp"

namespace emu::harness {

struct ReplayRunOptions {
  std::filesystem::path scenario{};  // a scenario .yaml or a recording written by RecordingHandler
  std::optional<std::uint64_t> seed{};
  std::optional<std::filesystem::path> out_dir{};
  bool check_determinism = false;
  bool progress = true;  // drawn only when stderr is a terminal
};

// Prints "digest: <hex>" and the summary to `out`, problems to `err`. Exit status: 0 when every
// expectation held (and both digests matched with check_determinism), 1 when one did not, 2 when the
// scenario could not be loaded or the report not written.
int run_replay(const ReplayRunOptions& options, std::ostream& out, std::ostream& err);
int run_replay(const ReplayRunOptions& options);

// A scenario file or a recording, whichever `file` is.
core::Result<Scenario> load_replay_input(const std::filesystem::path& file);

struct SweepOptions {
  std::filesystem::path scenario{};
  std::uint64_t first_seed = 1;
  std::uint64_t last_seed = 100;
  int jobs = 2;  // worker processes
  bool show_help = false;
};

// The words after "sweep": SCENARIO --seeds A-B [--jobs N].
core::Result<SweepOptions> parse_sweep_options(std::span<const std::string_view> args);
std::string sweep_usage();

// Runs every seed in [first, last] on `jobs` forked worker processes; prints one line per seed whose
// expectations failed with the command that re-runs it alone, then a count. 0 when all passed.
int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& err);
int run_sweep(const SweepOptions& options);

}  // namespace emu::harness
