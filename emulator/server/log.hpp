#pragma once
// Log: the serve process's stderr log. One line per call, written with a single write so lines from
// the server thread and start-up code never interleave. Debug lines (one per request) are off unless
// --log-level debug; the level check is one relaxed atomic load, so disabled lines cost nothing.
//   Log::info("listening on {}:{}", host, port);
//   if (Log::enabled(LogLevel::kDebug)) Log::debug("{} {} -> {}", method, target, status);

#include <atomic>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace emu::server {

enum class LogLevel { kError = 0, kInfo = 1, kDebug = 2 };

class Log {
 public:
  static void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  static LogLevel level() { return level_.load(std::memory_order_relaxed); }
  static bool enabled(LogLevel level) { return level <= Log::level(); }

  template <typename... Args>
  static void error(fmt::format_string<Args...> format, Args&&... args) {
    write(LogLevel::kError, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static void info(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kInfo)) write(LogLevel::kInfo, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kDebug)) write(LogLevel::kDebug, fmt::format(format, std::forward<Args>(args)...));
  }

  // Writes "<UTC wall time> <level> <message>\n" to stderr.
  static void write(LogLevel level, std::string_view message);

 private:
  static inline std::atomic<LogLevel> level_{LogLevel::kInfo};
};

}  // namespace emu::server
