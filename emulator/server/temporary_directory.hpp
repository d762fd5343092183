#pragma once
// TemporaryDirectory: a fresh private folder under the system temp dir (TMPDIR or /tmp), removed
// with everything in it when the object goes. `serve --in-memory` keeps its TLS files there.
//   auto dir = TemporaryDirectory::create("batchai-emulator-tls");
//   if (dir) use(dir->path());   // gone at scope exit

#include "emulator/core/result.hpp"

#include <filesystem>
#include <string_view>

namespace emu::server {

class TemporaryDirectory {
 public:
  static core::Result<TemporaryDirectory> create(std::string_view prefix);

  TemporaryDirectory(TemporaryDirectory&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  TemporaryDirectory& operator=(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TemporaryDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  void remove();

  std::filesystem::path path_;
};

}  // namespace emu::server
