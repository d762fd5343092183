#include "fakes/nodes/beneath_path.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace emu::fakes {

namespace {

// A job can make a tree deeper than the host's descriptor limit: below this, it stays.
constexpr int kMaxRemoveDepth = 128;

std::vector<std::string> components(std::string_view relative) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < relative.size()) {
    const std::size_t slash = relative.find('/', i);
    const std::size_t end = slash == std::string_view::npos ? relative.size() : slash;
    const std::string_view part = relative.substr(i, end - i);
    if (!part.empty() && part != ".") out.emplace_back(part);
    i = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

// Kernels before 5.6 have no openat2: one component at a time, none of them a link, no "..".
int resolve_without_openat2(int root, const std::vector<std::string>& parts, int flags, mode_t mode) {
  UniqueFd dir(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!dir) return -1;
  if (parts.empty()) return ::openat(dir.get(), ".", flags | O_CLOEXEC, mode);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "..") {
      errno = EXDEV;
      return -1;
    }
    const bool last = i + 1 == parts.size();
    const int next = last ? ::openat(dir.get(), parts[i].c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode)
                          : ::openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return -1;
    if (last) return next;
    dir.reset(next);
  }
  return -1;
}

struct Entry {
  bool directory = false;
  bool mount_root = false;
  dev_t device = 0;
};

bool describe(int dir, const char* name, int flags, Entry& out) {
  struct statx stx {};
  if (::statx(dir, name, flags | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &stx) != 0) return false;
  out.directory = S_ISDIR(stx.stx_mode);
  out.mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
                   (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  out.device = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  return true;
}

// Removes what is in the open directory `dir`; false when something had to stay.
bool remove_entries(int dir, dev_t device, int depth);

// Removes `name` in `parent`: a file or link is unlinked, a directory emptied first. A mount point
// (another device, or a mount root such as a bind of the same file system) stays.
bool remove_entry(int parent, const char* name, dev_t device, int depth) {
  Entry entry;
  if (!describe(parent, name, 0, entry)) return errno == ENOENT;
  if (!entry.directory) return ::unlinkat(parent, name, 0) == 0 || errno == ENOENT;
  if (entry.mount_root || entry.device != device || depth >= kMaxRemoveDepth) return false;
  UniqueFd dir(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return false;
  // What was opened is checked again: it may have been swapped since.
  if (!describe(dir.get(), "", AT_EMPTY_PATH, entry) || entry.mount_root || entry.device != device) return false;
  const bool emptied = remove_entries(dir.get(), device, depth + 1);
  return emptied && (::unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT);
}

bool remove_entries(int dir, dev_t device, int depth) {
  const int listing = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing < 0) return false;
  DIR* stream = ::fdopendir(listing);
  if (stream == nullptr) {
    ::close(listing);
    return false;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(stream)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(stream);
  bool all = true;
  for (const auto& name : names) all = remove_entry(dir, name.c_str(), device, depth) && all;
  return all;
}

}  // namespace

std::string BeneathPath::descriptor_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

core::Result<BeneathPath> BeneathPath::open(const std::filesystem::path& root, Links links, std::string shown_as) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return core::Error::internal(fmt::format("cannot open {}: {}", root.string(), std::strerror(errno)));
  return BeneathPath(std::move(fd), root, links, std::move(shown_as));
}

int BeneathPath::resolve(const std::string& relative, int flags, mode_t mode) const {
  const auto parts = components(relative);
  const std::string path = join(parts, parts.size());
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_NO_MAGICLINKS |
                (links_ == Links::kRefuse ? RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS : RESOLVE_IN_ROOT);
  const int fd = static_cast<int>(::syscall(SYS_openat2, root_.get(), path.c_str(), &how, sizeof how));
  if (fd >= 0 || errno != ENOSYS) return fd;
  return resolve_without_openat2(root_.get(), parts, flags, mode);
}

core::Error BeneathPath::failure(std::string_view what, std::string_view relative, int error) const {
  std::string why;
  switch (error) {
    case ELOOP: why = "a symbolic link is on the way (links are not followed there)"; break;
    case EXDEV: why = "the path leaves the node's disk"; break;
    case ENOTDIR: why = "a part of it is not a directory"; break;
    default: why = std::strerror(error);
  }
  std::string shown = shown_as_;
  for (const auto& part : components(relative)) {
    if (!shown.empty() && shown.back() != '/') shown += '/';
    shown += part;
  }
  return core::Error::internal(fmt::format("cannot {} '{}': {}", what, shown, why));
}

core::Result<UniqueFd> BeneathPath::open_directory(std::string_view relative) const {
  UniqueFd fd(resolve(std::string(relative), O_PATH | O_DIRECTORY, 0));
  if (!fd) return failure("open the directory", relative, errno);
  return fd;
}

core::Result<UniqueFd> BeneathPath::open_entry(std::string_view relative) const {
  UniqueFd fd(resolve(std::string(relative), O_PATH, 0));
  if (!fd) return failure("open", relative, errno);
  return fd;
}

core::Result<UniqueFd> BeneathPath::make_directories(std::string_view relative) const {
  const auto parts = components(relative);
  for (std::size_t i = 0; i <= parts.size(); ++i) {
    const std::string prefix = join(parts, i);
    UniqueFd fd(resolve(prefix, O_PATH | O_DIRECTORY, 0));
    if (!fd && errno == ENOENT && i > 0) {
      UniqueFd parent(resolve(join(parts, i - 1), O_PATH | O_DIRECTORY, 0));
      if (!parent) return failure("make the directory", relative, errno);
      if (::mkdirat(parent.get(), parts[i - 1].c_str(), 0755) != 0 && errno != EEXIST) {
        return failure("make the directory", relative, errno);
      }
      fd.reset(resolve(prefix, O_PATH | O_DIRECTORY, 0));
    }
    if (!fd) return failure("make the directory", relative, errno);
    if (i == parts.size()) return fd;
  }
  return failure("make the directory", relative, EINVAL);
}

core::Result<UniqueFd> BeneathPath::open_file(std::string_view relative, Write mode) const {
  // Non-blocking, so that a FIFO put in a file's place cannot hang the emulator's thread.
  const int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | (mode == Write::kAppend ? O_APPEND : 0);
  UniqueFd fd(resolve(std::string(relative), flags, 0644));
  if (!fd) return failure("write", relative, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return failure("write", relative, EINVAL);
  ::fcntl(fd.get(), F_SETFL, mode == Write::kAppend ? O_APPEND : 0);
  if (mode == Write::kTruncate && ::ftruncate(fd.get(), 0) != 0) return failure("write", relative, errno);
  return fd;
}

core::Result<void> BeneathPath::write_file(std::string_view relative, std::string_view text) const {
  auto fd = open_file(relative, Write::kTruncate);
  if (!fd) return fd.error();
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd->get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failure("write", relative, errno);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

core::Result<void> BeneathPath::remove_children(std::string_view relative) const {
  UniqueFd dir(resolve(std::string(relative), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0));
  if (!dir) {
    if (errno == ENOENT) return {};
    return failure("empty", relative, errno);
  }
  Entry entry;
  if (!describe(dir.get(), "", AT_EMPTY_PATH, entry)) return failure("empty", relative, errno);
  if (!remove_entries(dir.get(), entry.device, 0)) return failure("empty", relative, EBUSY);
  return {};
}

core::Result<void> BeneathPath::remove_all(std::string_view relative) const {
  auto parts = components(relative);
  if (parts.empty()) return remove_children(relative);
  const std::string name = parts.back();
  UniqueFd parent(resolve(join(parts, parts.size() - 1), O_PATH | O_DIRECTORY, 0));
  if (!parent) {
    if (errno == ENOENT) return {};
    return failure("remove", relative, errno);
  }
  Entry entry;
  if (!describe(parent.get(), "", AT_EMPTY_PATH, entry)) return failure("remove", relative, errno);
  if (!remove_entry(parent.get(), name.c_str(), entry.device, 0)) return failure("remove", relative, EBUSY);
  return {};
}

}  // namespace emu::fakes
