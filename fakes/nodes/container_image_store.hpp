#pragma once
// ContainerImageStore: where containerSettings images are found offline. No registry can be reached,
// so an image is an unpacked root file system at <data_dir>/images/<image name>/rootfs, the name with
// '/' and ':' turned into '_' ("tensorflow/tensorflow:1.8.0" -> tensorflow_tensorflow_1.8.0).
//   auto dir = ContainerImageStore(data_dir / "images").find("ubuntu:16.04");
//   if (!dir) fail_job(dir.error());  // JobFailed, naming the directory to create

#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"

namespace emu::fakes {

class ContainerImageStore {
 public:
  explicit ContainerImageStore(std::filesystem::path root) : root_(std::move(root)) {}

  static std::string directory_name(std::string_view image);
  // The image's directory name when its rootfs is present (it holds bin/sh).
  core::Result<std::string> find(std::string_view image) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace emu::fakes
