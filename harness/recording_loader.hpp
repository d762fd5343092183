#pragma once
// Turns a RecordingHandler file into a Scenario: each recorded request becomes a step at its recorded
// time that must get the recorded status again. Clock-advance requests are dropped: in the replay the
// steps' own times move the clock.
//   if (is_recording(path)) { auto scenario = load_recording(path); ... }

#include <filesystem>

#include "emulator/core/result.hpp"
#include "harness/scenario.hpp"

namespace emu::harness {

// True when the file's first line is a recording header.
bool is_recording(const std::filesystem::path& file);

core::Result<Scenario> load_recording(const std::filesystem::path& file);

}  // namespace emu::harness
