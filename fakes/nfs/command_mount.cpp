#include "fakes/nfs/command_mount.hpp"

#include <sys/mount.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "emulator/core/log.hpp"

namespace emu::fakes {

namespace {

// Single quotes keep every byte of the path literal for the shell.
std::string shell_quote(const std::string& text) {
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

}  // namespace

core::Result<std::unique_ptr<CommandMount>> CommandMount::run(const std::string& mount_command,
                                                              const std::filesystem::path& where) {
  if (mount_command.find_first_not_of(" \t") == std::string::npos) {
    return core::Error::bad_request("InvalidMountCommand", "An unmanaged file system needs a mountCommand",
                                    "mountCommand");
  }
  std::error_code ec;
  std::filesystem::create_directories(where, ec);
  if (ec)
    return core::Error::internal("Cannot create the mount point " + where.string() + ": " + ec.message());

  const std::string command = mount_command + " " + shell_quote(where.string()) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return core::Error::internal("Cannot run the mountCommand: " + std::string(std::strerror(errno)));
  std::string output;
  std::array<char, 512> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr) {
    if (output.size() < 4096) output += chunk.data();
  }
  const int status = ::pclose(pipe);
  if (status != 0) {
    const int code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return core::Error::bad_request("MountCommandFailed",
                                    "The mountCommand '" + mount_command + "' exited with " +
                                        std::to_string(code) +
                                        (output.empty() ? std::string() : ": " + output),
                                    "mountCommand");
  }
  return std::unique_ptr<CommandMount>(new CommandMount(where));
}

CommandMount::~CommandMount() {
  // Detached: a process still inside cannot keep the mount in the table.
  if (::umount2(path_.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
    core::log::warn("nfs: cannot unmount {}: {}", path_.string(), std::strerror(errno));
  }
}

}  // namespace emu::fakes
