#pragma once
// Test support for the storage tests: a fresh data dir removed afterwards (after its mounts are gone),
// the reason FUSE tests must skip on this host (no /dev/fuse, not root), and small file helpers.
//   NFS_SKIP_WITHOUT_FUSE();
//   DataDir dir;  write_file(dir.path() / "a.txt", "hello");  EXPECT_EQ(read_file(...), "hello");

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "fakes/nfs/mount_table.hpp"

namespace emu::fakes::testing {

// Empty when FUSE mounts can be made here; otherwise why not.
inline std::optional<std::string> fuse_unavailable() {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return "/dev/fuse is missing or not accessible";
  if (::geteuid() != 0) return "mounting needs root (CAP_SYS_ADMIN)";
  return std::nullopt;
}

#define NFS_SKIP_WITHOUT_FUSE()                                                           \
  do {                                                                                    \
    if (auto reason = ::emu::fakes::testing::fuse_unavailable()) GTEST_SKIP() << *reason; \
  } while (0)

class DataDir {
 public:
  DataDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "emu-nfs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  ~DataDir() {
    // Never recurse into a live mount: that would delete the store through it.
    (void)cleanup_stale_mounts(path_);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline bool write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  return static_cast<bool>(out);
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace emu::fakes::testing
