#include "fakes/nodes/container_image_store.hpp"

#include <fmt/format.h>

namespace emu::fakes {

std::string ContainerImageStore::directory_name(std::string_view image) {
  std::string out;
  for (char c : image) out += (c == '/' || c == ':' || c == '@') ? '_' : c;
  return out;
}

core::Result<std::string> ContainerImageStore::find(std::string_view image) const {
  const std::string name = directory_name(image);
  if (image.empty() || name.find("..") != std::string::npos) {
    return core::Error::bad_request("JobFailed", fmt::format("'{}' is not a usable image name", image));
  }
  const std::filesystem::path rootfs = root_ / name / "rootfs";
  std::error_code ec;
  if (!std::filesystem::exists(rootfs / "bin" / "sh", ec)) {
    return core::Error::bad_request(
        "JobFailed", fmt::format("Container image '{}' is not in the local image store: the emulator pulls from no "
                                 "registry; unpack its root file system into {}",
                                 image, rootfs.string()));
  }
  return name;
}

}  // namespace emu::fakes
