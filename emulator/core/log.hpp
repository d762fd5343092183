#pragma once
// log: a small leveled logger for humans reading stderr. Tests check state and journals, never log
// text; anything a test or a replay must see goes to the Journal instead.
//   log::set_level(log::Level::kDebug);
//   log::info("listening on {}:{}", host, port);

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

namespace emu::core::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

void set_level(Level level);
Level level();
inline bool enabled(Level at) { return at >= level() && at != Level::kOff; }

// "debug", "info", "warn"/"warning", "error", "off", any case.
std::optional<Level> parse_level(std::string_view text);
std::string_view level_name(Level level);

// Where lines go; stderr unless changed. The stream is not owned.
void set_output(std::FILE* stream);

// Writes "[level] message\n" as one line; concurrent writers never interleave within a line.
void write(Level at, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::kDebug)) write(Level::kDebug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::kInfo)) write(Level::kInfo, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::kWarn)) write(Level::kWarn, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::kError)) write(Level::kError, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace emu::core::log
