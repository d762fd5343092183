#include "fakes/nodes/bound_volume.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace emu::fakes {

core::Result<std::unique_ptr<BoundVolume>> BoundVolume::bind(std::unique_ptr<MountedVolume> volume,
                                                             std::filesystem::path staging, const BeneathPath& tree,
                                                             const std::string& target) {
  struct stat source {};
  if (::stat(staging.c_str(), &source) != 0) {
    return core::Error::internal(fmt::format("cannot stat the mounted volume: {}", std::strerror(errno)));
  }
  auto place = tree.open_directory(target);
  if (!place) return place.error();
  const std::string where = BeneathPath::descriptor_path(place->get());
  if (::mount(staging.c_str(), where.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return core::Error::internal(fmt::format("cannot bind the volume onto '{}': {}", target, std::strerror(errno)));
  }
  // The walk crosses mounts: it now ends on the bind's root, which must be the volume.
  auto root = tree.open_directory(target);
  struct stat seen {};
  if (!root || ::fstat(root->get(), &seen) != 0 || seen.st_dev != source.st_dev || seen.st_ino != source.st_ino) {
    return core::Error::internal(fmt::format("the volume's place '{}' changed while it was mounted", target));
  }
  return std::unique_ptr<BoundVolume>(
      new BoundVolume(std::move(volume), std::move(staging), std::move(*root), tree.root_path() / target));
}

BoundVolume::~BoundVolume() {
  // Detached: a process of the node still inside cannot keep it; the bind's root, not a path.
  ::umount2(BeneathPath::descriptor_path(bound_root_.get()).c_str(), MNT_DETACH);
  bound_root_.reset();
  volume_.reset();
  ::rmdir(staging_.c_str());
}

}  // namespace emu::fakes
