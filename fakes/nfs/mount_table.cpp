#include "fakes/nfs/mount_table.hpp"

#include <fmt/format.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace emu::fakes {

namespace {

// mountinfo writes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      const std::string digits = text.substr(i + 1, 3);
      const bool octal =
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; });
      if (octal) {
        out.push_back(static_cast<char>(std::stoi(digits, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::filesystem::path canonical_or_same(const std::filesystem::path& p) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  return ec ? p : canonical;
}

bool is_under(const std::filesystem::path& child, const std::filesystem::path& parent) {
  auto c = child.begin();
  for (auto p = parent.begin(); p != parent.end(); ++p, ++c) {
    if (p->empty()) continue;  // a trailing separator
    if (c == child.end() || *c != *p) return false;
  }
  return true;
}

}  // namespace

std::vector<MountEntry> read_mount_table() {
  std::vector<MountEntry> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point, options;
    fields >> id >> parent >> device >> root >> mount_point >> options;
    std::string field;
    while (fields >> field && field != "-") {
    }
    MountEntry entry;
    fields >> entry.fs_type >> entry.source;
    entry.mount_point = unescape(mount_point);
    entry.source = unescape(entry.source);
    const auto colon = device.find(':');
    if (colon != std::string::npos) {
      entry.major = static_cast<std::uint32_t>(std::strtoul(device.c_str(), nullptr, 10));
      entry.minor = static_cast<std::uint32_t>(std::strtoul(device.c_str() + colon + 1, nullptr, 10));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::string mount_tag(const std::filesystem::path& data_dir) {
  // FNV-1a: short, stable across runs, and free of the commas and blanks a path may hold.
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : canonical_or_same(data_dir).string()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("emu-nfs:{:016x}", hash);
}

std::vector<MountEntry> mounts_of(const std::filesystem::path& data_dir) {
  const auto root = canonical_or_same(data_dir);
  const auto tag = mount_tag(data_dir);
  std::vector<MountEntry> out;
  for (auto& entry : read_mount_table()) {
    if (entry.source == tag || (entry.mount_point != root && is_under(entry.mount_point, root))) {
      out.push_back(std::move(entry));
    }
  }
  return out;
}

core::Result<std::size_t> cleanup_stale_mounts(const std::filesystem::path& data_dir) {
  auto stale = mounts_of(data_dir);
  // Deepest first: a mount inside another one must go before its parent.
  std::sort(stale.begin(), stale.end(), [](const MountEntry& a, const MountEntry& b) {
    return a.mount_point.string().size() > b.mount_point.string().size();
  });
  std::size_t removed = 0;
  for (const auto& entry : stale) {
    if (entry.fs_type.starts_with("fuse")) {
      // A dead daemon's connection is aborted first, so nothing blocks on it while it goes.
      std::ofstream abort(fmt::format("/sys/fs/fuse/connections/{}/abort", entry.minor));
      if (abort) abort << "1";
    }
    if (::umount2(entry.mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      return core::Error::internal(fmt::format("Cannot remove the stale mount {}: {}",
                                               entry.mount_point.string(), std::strerror(errno)));
    }
    ++removed;
  }
  std::error_code ec;
  std::filesystem::remove_all(data_dir / "storage" / ".staging", ec);
  return removed;
}

}  // namespace emu::fakes
