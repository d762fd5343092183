#pragma once
// The --config file: a YAML document that picks a settings profile and overrides single settings
// (docs/settings.md lists every key). Durations are seconds (90, 1.5) or ISO 8601 (PT10M). An unknown
// key or a bad value is an error naming the file, line and key, so that a typo never passes silently.
//   auto loaded = load_settings_file("emulator.yaml");   // profile: realistic \n nodes: {setupDuration: 30}

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"
#include "emulator/engine/engine_settings.hpp"

namespace emu::server {

struct EmulatorSettings {
  engine::EngineSettings engine;
  std::optional<core::Time> epoch;  // where the virtual clock starts; default 2018-06-01T00:00:00Z
  // The newest journal records serve keeps in memory (limits.journalRecordsInMemory); older ones stay
  // in the data dir, where the events API still finds them. 0 keeps every record in memory.
  std::uint64_t journal_records_in_memory = 100'000;
};

core::Result<EmulatorSettings> load_settings_file(const std::filesystem::path& file);
// The same from YAML text; `source` names it in errors.
core::Result<EmulatorSettings> parse_settings(std::string_view yaml, std::string_view source);

}  // namespace emu::server
