#include "fakes/nfs/command_mount.hpp"

#include <fmt/format.h>

namespace emu::fakes {

namespace {

constexpr std::size_t kOutputLines = 5;
constexpr std::size_t kOutputBytes = 1024;

// Single quotes keep every byte literal for the shell.
std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// The first lines of a command's output, trimmed, for an error message.
std::string first_lines(std::string_view output) {
  std::string out;
  std::size_t lines = 0;
  while (!output.empty() && lines < kOutputLines && out.size() < kOutputBytes) {
    const auto end = output.find('\n');
    std::string_view line = output.substr(0, end);
    output = end == std::string_view::npos ? std::string_view() : output.substr(end + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
      line.remove_suffix(1);
    if (line.empty()) continue;
    if (!out.empty()) out += " | ";
    out += line.substr(0, kOutputBytes - out.size() > line.size() ? line.size() : kOutputBytes - out.size());
    ++lines;
  }
  return out;
}

}  // namespace

core::Result<CommandMount> CommandMount::prepare(std::string mount_command, std::string node_path,
                                                 std::chrono::milliseconds timeout) {
  if (mount_command.find_first_not_of(" \t\r\n") == std::string::npos) {
    return core::Error::bad_request("InvalidMountCommand", "An unmanaged file system needs a mountCommand",
                                    "mountCommand");
  }
  if (timeout <= std::chrono::milliseconds::zero()) timeout = kDefaultTimeout;
  return CommandMount(std::move(mount_command), std::move(node_path), timeout);
}

std::string CommandMount::shell_command() const {
  const auto ms = timeout_.count();
  const std::string limit = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
  const std::string command = mount_command_ + " " + shell_quote(node_path_);
  return fmt::format("exec timeout -k 5 {} /bin/sh -c {}", limit, shell_quote(command));
}

std::string CommandMount::unmount_command() const {
  return "umount -l " + shell_quote(node_path_) + " 2>/dev/null";
}

core::Error CommandMount::failure(int exit_code, std::string_view output) const {
  const std::string shown = first_lines(output);
  const std::string tail = shown.empty() ? std::string() : ": " + shown;
  // 124: timeout's TERM ended it; 137: its KILL, when TERM was not enough.
  if (exit_code == kTimedOutExitCode || exit_code == 128 + 9) {
    const auto ms = timeout_.count();
    return core::Error::bad_request(
        "MountCommandTimedOut",
        fmt::format("The mountCommand '{}' did not finish within {}.{:03} s (exit status {}){}",
                    mount_command_, ms / 1000, ms % 1000, exit_code, tail),
        "mountCommand");
  }
  return core::Error::bad_request(
      "MountCommandFailed",
      fmt::format("The mountCommand '{}' exited with {}{}", mount_command_, exit_code, tail), "mountCommand");
}

}  // namespace emu::fakes
