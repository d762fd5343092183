#include "emulator/server/temporary_directory.hpp"

#include <fmt/format.h>

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace emu::server {

core::Result<TemporaryDirectory> TemporaryDirectory::create(std::string_view prefix) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  // mkdtemp makes the folder 0700 and never reuses an existing one.
  std::string pattern = (base / fmt::format("{}-XXXXXX", prefix)).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::Error::internal(
        fmt::format("cannot create a temporary folder in {}: {}", base.string(), std::strerror(errno)));
  }
  return TemporaryDirectory(std::filesystem::path(pattern));
}

TemporaryDirectory& TemporaryDirectory::operator=(TemporaryDirectory&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TemporaryDirectory::~TemporaryDirectory() { remove(); }

void TemporaryDirectory::remove() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace emu::server
