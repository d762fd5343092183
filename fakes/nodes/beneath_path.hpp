#pragma once
// BeneathPath: the host's file work inside a tree that jobs can write (a node's disk, or the whole
// file system as a node sees it). Every path is resolved from an open root directory: on a node's
// disk never through a symbolic link (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), in a node's
// view as the node itself would resolve it (RESOLVE_IN_ROOT of /proc/<init>/root, where the data dir
// is hidden). Directories are made one component at a time (mkdirat), files are opened O_NOFOLLOW and
// must be regular files, removal neither follows a link nor crosses a mount.
//   auto disk = BeneathPath::open(node_dir / "mnt", BeneathPath::Links::kRefuse);
//   auto dir = disk->make_directories("batch/tasks/shared/LS_root/jobs/j1");
//   disk->write_file("batch/tasks/shared/LS_root/jobs/j1/hostfile", "10.0.0.4 slots=1\n");

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"
#include "fakes/nodes/unique_fd.hpp"

namespace emu::fakes {

class BeneathPath {
 public:
  enum class Links {
    kRefuse,  // any symbolic link on the way is an error (ELOOP)
    kInRoot,  // links are followed, but "/" and ".." stop at the root, as in a chroot
  };
  enum class Write { kTruncate, kAppend };

  // `root` itself must be trusted (made by the emulator, out of every job's reach). Errors name paths
  // as `shown_as` + the relative path (for example "/mnt/" for a node's disk).
  static core::Result<BeneathPath> open(const std::filesystem::path& root, Links links, std::string shown_as = {});

  int fd() const { return root_.get(); }
  const std::filesystem::path& root_path() const { return root_path_; }

  // O_PATH descriptor of an existing directory / any existing entry.
  core::Result<UniqueFd> open_directory(std::string_view relative) const;
  core::Result<UniqueFd> open_entry(std::string_view relative) const;
  // Makes every missing directory of `relative` (mode 0755); returns the last one (O_PATH).
  core::Result<UniqueFd> make_directories(std::string_view relative) const;
  // Opens a regular file for writing (created 0644 when missing); a FIFO, device or link is refused.
  core::Result<UniqueFd> open_file(std::string_view relative, Write mode) const;
  core::Result<void> write_file(std::string_view relative, std::string_view text) const;
  // Removes the entries of the directory `relative` (the directory stays), or the entry itself. A
  // mount point found on the way, and what is below it, is left alone.
  core::Result<void> remove_children(std::string_view relative) const;
  core::Result<void> remove_all(std::string_view relative) const;

  // "/proc/self/fd/<fd>": the path of an open descriptor, for calls that take only paths (mount).
  static std::string descriptor_path(int fd);

 private:
  BeneathPath(UniqueFd root, std::filesystem::path root_path, Links links, std::string shown_as)
      : root_(std::move(root)), root_path_(std::move(root_path)), links_(links), shown_as_(std::move(shown_as)) {}

  int resolve(const std::string& relative, int flags, mode_t mode) const;
  core::Error failure(std::string_view what, std::string_view relative, int error) const;

  UniqueFd root_;
  std::filesystem::path root_path_;
  Links links_ = Links::kRefuse;
  std::string shown_as_;
};

}  // namespace emu::fakes
