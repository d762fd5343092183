#pragma once
// StorageService: the seam between node sandboxes and the emulated storage. A file server, an Azure
// File share or a blob container is a store kept in the data dir; a node asks for a volume to appear
// at a host path (which its sandbox shows at $AZ_BATCHAI_MOUNT_ROOT/<relativeMountPath> or under the
// job mount root), and gets a handle that unmounts when destroyed. Unmanaged file systems are not
// volumes of this seam: their mountCommand runs inside the node (see CommandMount), never on the host.
//   auto volume = storage.mount(spec, node_dir / "mounts" / "nfs", node.id);
//   if (!volume) fail_node(volume.error());   // e.g. the file server does not exist

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "emulator/core/result.hpp"

namespace emu::fakes {

struct VolumeSpec {
  enum class Kind { kFileServer, kAzureFileShare, kAzureBlobContainer };
  Kind kind = Kind::kFileServer;
  // Which store: the file server's lower-cased ARM id, "account/share" or "account/container".
  std::string store_key;
  std::string source_directory;  // file servers: a folder inside the export (optional)
  std::string mount_options;     // as the client gave them ("ro", "actimeo=0", "soft", ...)
  std::string file_mode = "0777";
  std::string directory_mode = "0777";
  std::uint64_t capacity_bytes = 0;  // file servers: diskCount x diskSizeInGB; 0 = unlimited
};

class MountedVolume {
 public:
  virtual ~MountedVolume() = default;  // unmounts; never leaves a stale mount behind
  virtual const std::filesystem::path& path() const = 0;
};

class StorageService {
 public:
  virtual ~StorageService() = default;
  virtual core::Result<std::unique_ptr<MountedVolume>> mount(const VolumeSpec& spec,
                                                             const std::filesystem::path& where,
                                                             const std::string& node_id) = 0;
};

}  // namespace emu::fakes
