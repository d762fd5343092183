#pragma once
// Scenario files: YAML in, a Scenario out (docs/scenarios.md describes every key). Every error names
// the file, the line and the key at fault, e.g.
//   "scenarios/x.yaml:12: timeline[2].at: 'soon' is not a duration (use 90, 90s, 5m, 2h, 1d or PT5M)".
//   core::Result<Scenario> s = load_scenario("scenarios/autoscale_basic.yaml");

#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"
#include "harness/scenario.hpp"

namespace emu::harness {

// Reads and parses a scenario file; bodyFile paths are relative to its folder.
core::Result<Scenario> load_scenario(const std::filesystem::path& file);

// Parses scenario text; `file_label` names it in errors, `base_dir` resolves bodyFile paths.
core::Result<Scenario> parse_scenario(std::string_view yaml, const std::string& file_label,
                                      const std::filesystem::path& base_dir);

// 90, "90", "90s", "5m", "2h", "1d", "1.5h", and the ISO 8601 / .NET forms of core::parse_duration.
std::optional<core::Duration> parse_sim_duration(std::string_view text);

}  // namespace emu::harness
