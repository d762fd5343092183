#pragma once
// mount_table: the host's mount table as this process sees it (/proc/self/mountinfo), and the clean-up
// that removes what a killed emulator left behind: every mount under its data dir and every FUSE mount
// tagged with its data dir, deepest first, detached so that nothing can keep them busy.
//   auto removed = cleanup_stale_mounts(data_dir);   // at start, before anything is mounted
//   for (const auto& m : read_mount_table()) if (m.source == mount_tag(data_dir)) ...

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"

namespace emu::fakes {

struct MountEntry {
  std::filesystem::path mount_point;
  std::string fs_type;  // "fuse.emunfs", "tmpfs", ...
  std::string source;   // FUSE's fsname for our mounts
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
};

std::vector<MountEntry> read_mount_table();

// The fsname every FUSE mount of this data dir carries: "emu-nfs:" and a hash of its canonical path.
std::string mount_tag(const std::filesystem::path& data_dir);

// The mounts that belong to this data dir (tagged, or mounted somewhere below it).
std::vector<MountEntry> mounts_of(const std::filesystem::path& data_dir);

// Unmounts every mount of this data dir and forgets the blob files that were never closed. Returns how
// many mounts it removed; an error names the first mount that could not be removed.
core::Result<std::size_t> cleanup_stale_mounts(const std::filesystem::path& data_dir);

}  // namespace emu::fakes
