#pragma once
// CommandMount: an unmanaged file system's mountCommand as a node runs it. Nothing here runs a
// process: the node backend runs shell_command() inside the node's namespaces (never the host's),
// which appends the node's own mount path as Batch AI does ("mount -t glusterfs 10.0.0.4:/gv0" +
// " <path>") and bounds the command's time; failure() turns its exit status and output into the error.
//   auto mount = CommandMount::prepare("mount -t tmpfs none", "/mnt/batch/tasks/shared/LS_root/mounts/s");
//   spawn(node.enter_argv(mount->shell_command()));   // ... on exit: if (code) fail(mount->failure(code,
//   out))

#include <chrono>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"

namespace emu::fakes {

class CommandMount {
 public:
  // How long a mountCommand may run before it is killed (a hanging command must not hold a node).
  static constexpr std::chrono::milliseconds kDefaultTimeout{std::chrono::seconds(60)};
  // The exit status of a command that ran out of time (as coreutils timeout reports it).
  static constexpr int kTimedOutExitCode = 124;

  // `node_path` is the mount point as the node sees it (under /mnt). Refuses an empty command.
  static core::Result<CommandMount> prepare(std::string mount_command, std::string node_path,
                                            std::chrono::milliseconds timeout = kDefaultTimeout);

  // The /bin/sh command line to run inside the node: the mountCommand with the quoted path appended,
  // killed (TERM, then KILL 5 s later) when it runs past the timeout.
  std::string shell_command() const;
  // Undoes the mount inside the node (detached: a process still inside cannot keep it).
  std::string unmount_command() const;
  // MountCommandFailed (or MountCommandTimedOut), with the exit status and the first lines of output.
  core::Error failure(int exit_code, std::string_view output) const;

  const std::string& mount_command() const { return mount_command_; }
  const std::string& node_path() const { return node_path_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  CommandMount(std::string mount_command, std::string node_path, std::chrono::milliseconds timeout)
      : mount_command_(std::move(mount_command)), node_path_(std::move(node_path)), timeout_(timeout) {}

  std::string mount_command_;
  std::string node_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace emu::fakes
