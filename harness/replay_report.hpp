#pragma once
// What `replay --out DIR` writes: journal.jsonl (the journal's canonical lines, the bytes the digest
// covers), summary.json, and report.html, a self-contained page (inline SVG, no scripts or fetches)
// with nodes by state, queue length and GPU utilization over time and a per-job Gantt chart.
//   auto ok = write_replay_report(out_dir, replay, outcome);
//   std::cout << format_summary(replay.scenario(), outcome);

#include <filesystem>
#include <string>

#include "emulator/core/result.hpp"
#include "harness/replay.hpp"

namespace emu::harness {

core::Result<void> write_replay_report(const std::filesystem::path& dir, const Replay& replay,
                                       const ReplayOutcome& outcome);

// The summary printed after a replay: digest, jobs, makespan, utilization, wait percentiles, speed
// and the failures, one per line.
std::string format_summary(const Scenario& scenario, const ReplayOutcome& outcome);

// summary.json's text.
std::string summary_json(const Scenario& scenario, const ReplayOutcome& outcome);

// report.html's text.
std::string report_html(const Replay& replay, const ReplayOutcome& outcome);

}  // namespace emu::harness
