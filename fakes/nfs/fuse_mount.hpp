#pragma once
// FuseMount: one node's mount of one store, served by libfuse's low-level API on its own threads. The
// kernel caches attributes per mount for as long as the NFS rules allow (MountOptions), an open that
// finds a file changed drops what the mount cached (close-to-open), file data bypasses the mount's page
// cache where the kernel allows it (direct I/O that can still be mmapped), writes beyond the capacity fail
// with ENOSPC, and during an outage I/O waits (hard) or fails with EIO (soft). Destroying it unmounts.
//   auto mount = FuseMount::start({.store = store, .source = store->root(), .mount_point = dir, ...});
//   std::ofstream(mount.value()->path() / "out.txt") << "hello";

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "emulator/core/result.hpp"
#include "fakes/nfs/mount_options.hpp"
#include "fakes/nfs/nfs_store.hpp"
#include "fakes/nfs/storage_service.hpp"

namespace emu::fakes {

struct FuseMountConfig {
  std::shared_ptr<NfsStore> store;
  std::filesystem::path source;       // the folder served: the store's root or its sourceDirectory
  std::filesystem::path mount_point;  // created if missing
  MountOptions options;
  // Azure Files shows every file with file_mode and every folder with directory_mode, whatever chmod
  // says; 0 keeps the files' own modes (NFS, blob).
  mode_t file_mode = 0;
  mode_t directory_mode = 0;
  // Blob mounts: new files wait here (same file system as the store) until closed. Empty for others.
  std::filesystem::path staging_dir;
  // The mount table's source field, so stale mounts of one data dir can be found after a crash.
  std::string fs_name = "emu-nfs";
};

class FuseMount final : public MountedVolume {
 public:
  static core::Result<std::unique_ptr<FuseMount>> start(FuseMountConfig config);
  ~FuseMount() override;
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;

  const std::filesystem::path& path() const override;

  struct State;  // the session, its threads and the inode table; defined in fuse_mount.cpp

 private:
  explicit FuseMount(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace emu::fakes
