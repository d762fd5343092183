#include "emulator/core/log.hpp"

#include <atomic>
#include <mutex>
#include <string>

namespace emu::core::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<std::FILE*> g_output{nullptr};  // nullptr means stderr, which is not a constant expression
std::mutex g_write_mutex;                   // held only while one line is written

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

void set_level(Level at) { g_level.store(at, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }

std::optional<Level> parse_level(std::string_view text) {
  if (equals_ignore_case(text, "debug")) return Level::kDebug;
  if (equals_ignore_case(text, "info")) return Level::kInfo;
  if (equals_ignore_case(text, "warn") || equals_ignore_case(text, "warning")) return Level::kWarn;
  if (equals_ignore_case(text, "error")) return Level::kError;
  if (equals_ignore_case(text, "off")) return Level::kOff;
  return std::nullopt;
}

std::string_view level_name(Level at) {
  switch (at) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "?";
}

void set_output(std::FILE* stream) { g_output.store(stream, std::memory_order_relaxed); }

void write(Level at, std::string_view message) {
  std::string line;
  line.reserve(message.size() + 10);
  line += '[';
  line += level_name(at);
  line += "] ";
  line += message;
  line += '\n';
  std::FILE* out = g_output.load(std::memory_order_relaxed);
  if (out == nullptr) out = stderr;
  const std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

}  // namespace emu::core::log
