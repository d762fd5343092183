#include "emulator/server/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "emulator/core/time.hpp"

namespace emu::server {

namespace {
std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kInfo: return "info ";
    case LogLevel::kDebug: return "debug";
  }
  return "?    ";
}
}  // namespace

void Log::write(LogLevel level, std::string_view message) {
  const auto now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  std::string line = core::format_timestamp(now);
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += message;
  line += '\n';
  // stderr is unbuffered; one write() keeps the line whole even if another thread logs too.
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing stderr
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace emu::server
