#pragma once
// BoundVolume: a volume the storage service mounted at a staging folder of the data dir, bound onto
// its place in a node (a mount target a job may have prepared with links). The bind goes onto a
// directory opened without following links (mount onto /proc/self/fd/N), and is taken down through a
// descriptor of its own root, so neither step can be redirected to another host path.
//   auto volume = storage.mount(spec, staging, node_id);
//   auto bound = BoundVolume::bind(std::move(*volume), staging, node.disk(), "batch/.../mounts/afs");

#include <filesystem>
#include <memory>
#include <string>

#include "emulator/core/result.hpp"
#include "fakes/nfs/storage_service.hpp"
#include "fakes/nodes/beneath_path.hpp"
#include "fakes/nodes/unique_fd.hpp"

namespace emu::fakes {

class BoundVolume final : public MountedVolume {
 public:
  // `target` is an existing directory of `tree` (made with make_directories).
  static core::Result<std::unique_ptr<BoundVolume>> bind(std::unique_ptr<MountedVolume> volume,
                                                         std::filesystem::path staging, const BeneathPath& tree,
                                                         const std::string& target);
  // Unbinds, unmounts the staging mount, removes the staging folder.
  ~BoundVolume() override;
  const std::filesystem::path& path() const override { return shown_; }

 private:
  BoundVolume(std::unique_ptr<MountedVolume> volume, std::filesystem::path staging, UniqueFd bound_root,
              std::filesystem::path shown)
      : volume_(std::move(volume)), staging_(std::move(staging)), bound_root_(std::move(bound_root)),
        shown_(std::move(shown)) {}

  std::unique_ptr<MountedVolume> volume_;
  std::filesystem::path staging_;
  UniqueFd bound_root_;
  std::filesystem::path shown_;
};

}  // namespace emu::fakes
