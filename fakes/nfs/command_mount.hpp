#pragma once
// CommandMount: an unmanaged file system, mounted by running its mountCommand with the mount path
// appended (as Batch AI does: "mount -t glusterfs 10.0.0.4:/gv0" + " <path>"), and detached when the
// handle goes. A command that fails makes the mount fail with its exit status and output.
//   auto volume = CommandMount::run("mount -t tmpfs none", node_dir / "mounts" / "scratch");

#include <filesystem>
#include <memory>
#include <string>

#include "emulator/core/result.hpp"
#include "fakes/nfs/storage_service.hpp"

namespace emu::fakes {

class CommandMount final : public MountedVolume {
 public:
  static core::Result<std::unique_ptr<CommandMount>> run(const std::string& mount_command,
                                                         const std::filesystem::path& where);
  ~CommandMount() override;
  CommandMount(const CommandMount&) = delete;
  CommandMount& operator=(const CommandMount&) = delete;

  const std::filesystem::path& path() const override { return path_; }

 private:
  explicit CommandMount(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace emu::fakes
