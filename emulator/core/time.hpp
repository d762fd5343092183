#pragma once
// Time on the emulator's clock: int64 nanoseconds since the Unix epoch, and the wire formats the
// ARM API uses (ISO 8601 timestamps like 2018-06-07T07:03:13.909Z and durations like PT10M or P7D,
// plus the .NET form 7.00:00:00 the spec uses as a default).
//   core::Time t = core::kDefaultEpoch + std::chrono::seconds(5);  format_timestamp(t);

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emu::core {

using Duration = std::chrono::nanoseconds;
using Time = std::chrono::sys_time<Duration>;

// The virtual clock starts here unless a scenario or --config sets another epoch:
// 2018-06-01T00:00:00Z, the month the 2018-05-01 API went live.
inline constexpr Time kDefaultEpoch{std::chrono::seconds(1527811200)};

// 2018-06-07T07:03:13.909Z (milliseconds, always UTC, always a Z).
std::string format_timestamp(Time t);
// The same text appended to `out`, without a temporary string (for hot paths such as the journal).
void append_timestamp(std::string& out, Time t);
// Accepts the timestamps format_timestamp writes, with or without fractional seconds.
std::optional<Time> parse_timestamp(std::string_view text);

// ISO 8601 durations (P7D, PT10M, PT1H30M5.5S, P1DT2H), the .NET form [d.]hh:mm:ss[.fff], or a plain
// number of seconds ("90", "1.5"). Negative durations are rejected.
std::optional<Duration> parse_duration(std::string_view text);
// Canonical ISO 8601 form: P7D, PT10M, PT1H0M5S -> "PT1H5S"; zero is "PT0S".
std::string format_duration(Duration d);

inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration from_seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace emu::core
