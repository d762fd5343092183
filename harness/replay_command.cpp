#include "harness/replay_command.hpp"

#include <fmt/format.h>

#include <iostream>

#include "harness/progress_bar.hpp"
#include "harness/recording_loader.hpp"
#include "harness/replay.hpp"
#include "harness/replay_report.hpp"
#include "harness/scenario_loader.hpp"

namespace emu::harness {

core::Result<Scenario> load_replay_input(const std::filesystem::path& file) {
  if (is_recording(file)) return load_recording(file);
  return load_scenario(file);
}

int run_replay(const ReplayRunOptions& options, std::ostream& out, std::ostream& err) {
  auto scenario = load_replay_input(options.scenario);
  if (!scenario) {
    err << "batchai-emulator replay: " << scenario.error().message << "\n";
    return 2;
  }
  ProgressBar bar(options.progress ? stderr : nullptr);
  auto progress = [&](core::Duration elapsed, double fraction) { bar.update(elapsed, fraction); };

  Replay replay(*scenario, options.seed);
  const ReplayOutcome outcome = replay.run(bar.active() ? ProgressFn(progress) : ProgressFn());
  bar.finish();
  out << format_summary(replay.scenario(), outcome);

  bool same = true;
  if (options.check_determinism) {
    Replay again(*scenario, options.seed);
    const ReplayOutcome second = again.run(bar.active() ? ProgressFn(progress) : ProgressFn());
    bar.finish();
    same = second.digest == outcome.digest;
    if (same) {
      out << "determinism: both runs gave digest " << outcome.digest << "\n";
    } else {
      out << "determinism: FAILED: first run " << outcome.digest << ", second run " << second.digest << "\n";
      // Where the two journals part is what a user needs to find the source of nondeterminism.
      const auto a = replay.journal().since(0), b = again.journal().since(0);
      for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
        out << "  first difference at record " << i + 1 << ":\n    run 1: "
            << (i < a.size() ? core::Journal::canonical_line(a[i]) : "(none)") << "\n    run 2: "
            << (i < b.size() ? core::Journal::canonical_line(b[i]) : "(none)") << "\n";
        break;
      }
    }
  }
  if (options.out_dir) {
    if (auto written = write_replay_report(*options.out_dir, replay, outcome); !written) {
      err << "batchai-emulator replay: " << written.error().message << "\n";
      return 2;
    }
    out << "report: " << (*options.out_dir / "report.html").string() << "\n";
  }
  return outcome.ok() && same ? 0 : 1;
}

int run_replay(const ReplayRunOptions& options) { return run_replay(options, std::cout, std::cerr); }

}  // namespace emu::harness
