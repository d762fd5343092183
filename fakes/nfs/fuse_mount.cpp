#include "fakes/nfs/fuse_mount.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/core/log.hpp"
#include "fakes/nfs/fuse_channel.hpp"
#include "fakes/nfs/inode_table.hpp"

namespace emu::fakes {

// Lock order: Inode::size_mutex, then pending_mutex, then the inode table's mutex (a leaf).
struct FuseMount::State {
  FuseMountConfig config;
  std::unique_ptr<InodeTable> inodes;
  fuse_session* session = nullptr;
  FuseChannel channel;    // libfuse's I/O with the kernel; asks INIT for what libfuse 3.14 cannot
  unsigned max_read = 0;  // the largest READ the kernel sends (spliceable_read_size)
  std::thread loop;
  std::promise<void> loop_done;
  dev_t device = 0;  // the mount's device: its fusectl connection is named after the minor number
  std::atomic<bool> stopping{false};
  int staging_fd = -1;
  std::atomic<std::uint64_t> staged_serial{0};

  std::mutex pending_mutex;
  std::map<std::pair<std::uint64_t, std::string>, Inode*> pending;  // blob files not yet closed

  bool is_blob() const { return config.store->kind() == StoreKind::kAzureBlobContainer; }
  bool is_share() const { return config.store->kind() == StoreKind::kAzureFileShare; }
};

namespace {

using State = FuseMount::State;

State& state_of(fuse_req_t req) { return *static_cast<State*>(fuse_req_userdata(req)); }

std::string proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Blocks during an outage on a hard mount; 0 or EIO.
int check_available(State& s) {
  return s.config.store->wait_until_available(s.config.options.soft, s.stopping) ? 0 : EIO;
}

// The I/O size an NFS client reports (its rsize and wsize). Buffered readers size their reads by it
// (Python's io, cp), which matters here: with direct I/O every read is a round trip to this process.
constexpr blksize_t kPreferredIoSize = 1 << 20;

// What this mount shows: Azure Files replaces the permission bits with fileMode / directoryMode.
void present(const State& s, struct stat& st) {
  st.st_blksize = kPreferredIoSize;
  if (!s.is_share()) return;
  if (S_ISDIR(st.st_mode) && s.config.directory_mode != 0) {
    st.st_mode = (st.st_mode & S_IFMT) | s.config.directory_mode;
  } else if (!S_ISDIR(st.st_mode) && s.config.file_mode != 0) {
    st.st_mode = (st.st_mode & S_IFMT) | s.config.file_mode;
  }
}

double attr_timeout(const State& s, const struct stat& st) {
  const core::Time now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  const core::Time mtime{core::Duration(mtime_ns(st))};
  const core::Duration timeout = S_ISDIR(st.st_mode) ? s.config.options.dir_attr_timeout(now, mtime)
                                                     : s.config.options.file_attr_timeout(now, mtime);
  return core::to_seconds(timeout);
}

int stat_inode(const Inode& inode, struct stat& st) {
  return ::fstatat(inode.fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

// Fills `e` for the file `fd` (O_PATH) now known under some name; takes ownership of `fd`.
int enter(State& s, int fd, fuse_entry_param& e) {
  std::memset(&e, 0, sizeof(e));
  if (::fstatat(fd, "", &e.attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    const int err = errno;
    ::close(fd);
    return err;
  }
  Inode* inode = s.inodes->remember(fd, e.attr);
  e.ino = s.inodes->id(*inode);
  present(s, e.attr);
  e.attr_timeout = attr_timeout(s, e.attr);
  e.entry_timeout = e.attr_timeout;
  return 0;
}

Inode* pending_child(State& s, fuse_ino_t parent, const char* name) {
  if (!s.is_blob()) return nullptr;
  std::lock_guard lock(s.pending_mutex);
  auto found = s.pending.find({parent, name});
  return found == s.pending.end() ? nullptr : found->second;
}

int lookup_child(State& s, fuse_ino_t parent, const char* name, fuse_entry_param& e) {
  if (Inode* staged = pending_child(s, parent, name)) {
    // Only this mount knows the name yet; the file itself is in the staging folder.
    const int fd = ::open(proc_path(staged->fd).c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return errno;
    return enter(s, fd, e);
  }
  Inode* dir = s.inodes->get(parent);
  const int fd = ::openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  return enter(s, fd, e);
}

// The size of the regular file `name` in `dir` if unlinking or replacing it frees its data.
std::uint64_t freed_by_removing(int dir_fd, const char* name) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

// Files created by a job's user belong to that user, as on an NFS export without root squashing.
void give_to_caller(State& s, fuse_req_t req, int dir_fd, const char* name) {
  if (s.is_share()) return;
  const fuse_ctx* ctx = fuse_req_ctx(req);
  if (ctx == nullptr || (ctx->uid == 0 && ctx->gid == 0)) return;
  if (::fchownat(dir_fd, name, ctx->uid, ctx->gid, AT_SYMLINK_NOFOLLOW) != 0) {
    core::log::debug("nfs: cannot give {} to uid {}: {}", name, ctx->uid, std::strerror(errno));
  }
}

// Moves a closed blob file from the staging folder to its name: from now on every mount sees it.
void publish(State& s, Inode& inode) {
  std::string staged;
  std::uint64_t parent_id = 0;
  std::string name;
  {
    std::lock_guard lock(s.pending_mutex);
    if (!inode.pending) return;
    inode.pending = false;
    staged = inode.staged_name;
    parent_id = inode.pending_parent;
    name = inode.pending_name;
    s.pending.erase({parent_id, name});
  }
  Inode* parent = s.inodes->get(parent_id);
  const std::uint64_t replaced = freed_by_removing(parent->fd, name.c_str());
  if (::renameat(s.staging_fd, staged.c_str(), parent->fd, name.c_str()) != 0) {
    core::log::warn("nfs: blob file {} could not be published: {}", name, std::strerror(errno));
    struct stat st {};
    if (::fstatat(s.staging_fd, staged.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      s.config.store->release(static_cast<std::uint64_t>(st.st_size));
    }
    ::unlinkat(s.staging_fd, staged.c_str(), 0);
    return;
  }
  s.config.store->release(replaced);
}

// ---- the callbacks: helpers above return an errno, each callback alone replies ----

void on_init(void* userdata, fuse_conn_info* conn) {
  const State& s = *static_cast<const State*>(userdata);
  // Reads are answered from the backing descriptor; splicing saves a copy through user space. The
  // pipe's pages are copied, not moved: moving tries (and fails) to steal them from the store's cache.
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_SPLICE_MOVE);
  if (conn->capable & FUSE_CAP_SPLICE_READ) conn->want |= FUSE_CAP_SPLICE_READ;
  conn->max_read = s.max_read;
  // Writes go straight to the store (write-through), so no writeback cache.
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
}

void on_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  State& s = state_of(req);
  fuse_entry_param e{};
  int err = check_available(s);
  if (err == 0) err = lookup_child(s, parent, name, e);
  if (err == ENOENT) {
    // A negative entry is not cached: a file another node has just closed must be found at once.
    std::memset(&e, 0, sizeof(e));
    fuse_reply_entry(req, &e);
    return;
  }
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_entry(req, &e);
}

void on_forget(fuse_req_t req, fuse_ino_t ino, std::uint64_t nlookup) {
  state_of(req).inodes->forget(ino, nlookup);
  fuse_reply_none(req);
}

void on_forget_multi(fuse_req_t req, std::size_t count, fuse_forget_data* forgets) {
  State& s = state_of(req);
  for (std::size_t i = 0; i < count; ++i) s.inodes->forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void on_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
  State& s = state_of(req);
  struct stat st {};
  int err = check_available(s);
  if (err == 0) err = stat_inode(*s.inodes->get(ino), st);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  present(s, st);
  fuse_reply_attr(req, &st, attr_timeout(s, st));
}

int set_size(State& s, Inode& inode, fuse_file_info* fi, off_t size) {
  std::lock_guard lock(inode.size_mutex);
  struct stat st {};
  if (int err = stat_inode(inode, st); err != 0) return err;
  const std::int64_t delta = static_cast<std::int64_t>(size) - st.st_size;
  if (delta > 0 && !s.config.store->reserve(static_cast<std::uint64_t>(delta))) return ENOSPC;
  const int res = fi != nullptr ? ::ftruncate(static_cast<int>(fi->fh), size)
                                : ::truncate(proc_path(inode.fd).c_str(), size);
  if (res != 0) {
    const int err = errno;
    if (delta > 0) s.config.store->release(static_cast<std::uint64_t>(delta));
    return err;
  }
  if (delta < 0) s.config.store->release(static_cast<std::uint64_t>(-delta));
  return 0;
}

int set_attributes(State& s, Inode& inode, const struct stat& attr, int to_set, fuse_file_info* fi) {
  // Azure Files keeps fileMode/directoryMode and its owner whatever chmod and chown ask: they succeed
  // and change nothing, as on an SMB mount with fixed modes.
  if ((to_set & FUSE_SET_ATTR_MODE) && !s.is_share()) {
    if (::chmod(proc_path(inode.fd).c_str(), attr.st_mode & 07777) != 0) return errno;
  }
  if ((to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) && !s.is_share()) {
    const uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    const gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    if (::fchownat(inode.fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    if (int err = set_size(s, inode, fi, attr.st_size); err != 0) return err;
  }
  if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
    struct timespec times[2];
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_nsec = UTIME_OMIT;
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
      times[0].tv_nsec = UTIME_NOW;
    } else if (to_set & FUSE_SET_ATTR_ATIME) {
      times[0] = attr.st_atim;
    }
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
      times[1].tv_nsec = UTIME_NOW;
    } else if (to_set & FUSE_SET_ATTR_MTIME) {
      times[1] = attr.st_mtim;
    }
    const int res = fi != nullptr ? ::futimens(static_cast<int>(fi->fh), times)
                                  : ::utimensat(AT_FDCWD, proc_path(inode.fd).c_str(), times, 0);
    if (res != 0) return errno;
  }
  return 0;
}

void on_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  State& s = state_of(req);
  Inode& inode = *s.inodes->get(ino);
  int err = check_available(s);
  if (err == 0) err = set_attributes(s, inode, *attr, to_set, fi);
  struct stat st {};
  if (err == 0) err = stat_inode(inode, st);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  present(s, st);
  fuse_reply_attr(req, &st, attr_timeout(s, st));
}

void on_readlink(fuse_req_t req, fuse_ino_t ino) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  char target[PATH_MAX + 1];
  const ssize_t n = ::readlinkat(s.inodes->get(ino)->fd, "", target, sizeof(target) - 1);
  if (n < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  target[n] = '\0';
  fuse_reply_readlink(req, target);
}

void reply_new_entry(fuse_req_t req, State& s, fuse_ino_t parent, const char* name) {
  fuse_entry_param e{};
  Inode* dir = s.inodes->get(parent);
  give_to_caller(s, req, dir->fd, name);
  if (int err = lookup_child(s, parent, name, e); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_entry(req, &e);
}

void on_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  if (::mkdirat(s.inodes->get(parent)->fd, name, mode) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  reply_new_entry(req, s, parent, name);
}

void on_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  State& s = state_of(req);
  // Blob containers and SMB shares (without mfsymlinks) hold no symbolic links.
  if (s.is_blob() || s.is_share()) {
    fuse_reply_err(req, EPERM);
    return;
  }
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  if (::symlinkat(link, s.inodes->get(parent)->fd, name) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  reply_new_entry(req, s, parent, name);
}

void on_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char* name) {
  State& s = state_of(req);
  if (s.is_blob() || s.is_share()) {
    fuse_reply_err(req, EPERM);
    return;
  }
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  if (::linkat(s.inodes->get(ino)->fd, "", s.inodes->get(parent)->fd, name, AT_EMPTY_PATH) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  fuse_entry_param e{};
  if (int err = lookup_child(s, parent, name, e); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_entry(req, &e);
}

void on_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  const int dir_fd = s.inodes->get(parent)->fd;
  const std::uint64_t freed = freed_by_removing(dir_fd, name);
  if (::unlinkat(dir_fd, name, 0) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  s.config.store->release(freed);
  fuse_reply_err(req, 0);
}

void on_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  State& s = state_of(req);
  int err = check_available(s);
  if (err == 0 && ::unlinkat(s.inodes->get(parent)->fd, name, AT_REMOVEDIR) != 0) err = errno;
  fuse_reply_err(req, err);
}

void on_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
               const char* new_name, unsigned int flags) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  const int from_fd = s.inodes->get(parent)->fd;
  const int to_fd = s.inodes->get(new_parent)->fd;
  if (s.is_blob()) {
    // A blob "folder" is only a name prefix: there is nothing to rename in one step. EXDEV makes mv
    // copy and delete file by file, which is what renaming a prefix costs on a container.
    struct stat st {};
    if (::fstatat(from_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      fuse_reply_err(req, EXDEV);
      return;
    }
  }
  const std::uint64_t freed = (flags & RENAME_EXCHANGE) ? 0 : freed_by_removing(to_fd, new_name);
  if (::renameat2(from_fd, name, to_fd, new_name, flags) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  s.config.store->release(freed);
  fuse_reply_err(req, 0);
}

// Close-to-open: an open that finds the file changed since this mount last opened it drops the pages
// and attributes the kernel cached for it.
void revalidate_on_open(State& s, Inode& inode, fuse_ino_t ino, int fd, fuse_file_info* fi) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return;
  bool changed = false;
  {
    std::lock_guard lock(inode.size_mutex);
    changed = inode.seen_mtime_ns != mtime_ns(st) || inode.seen_size != st.st_size;
    inode.seen_mtime_ns = mtime_ns(st);
    inode.seen_size = st.st_size;
  }
  fi->keep_cache = changed ? 0 : 1;
  // The attributes only (negative offset): no page lock is involved, so this is safe inside open.
  if (changed) fuse_lowlevel_notify_inval_inode(s.session, ino, -1, 0);
}

// An open file bypasses this mount's page cache wherever the kernel still lets it be mapped shared
// (FuseChannel): a read is then one copy, spliced from the store's page cache into the reader's buffer,
// instead of filling this mount's cache a page at a time and copying out of it. Reads always see the
// store, which is stronger than close-to-open asks. Close sends no FLUSH on write-through mounts (one
// round trip less per file); blob mounts publish a closed file on it.
void set_open_flags(const State& s, fuse_file_info& fi) {
  fi.direct_io = s.channel.direct_io_allows_mmap() ? 1 : 0;
  fi.noflush = s.is_blob() ? 0 : 1;
}

void on_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  Inode& inode = *s.inodes->get(ino);
  const int flags = fi->flags & ~O_NOFOLLOW;
  std::uint64_t truncated = 0;
  if (flags & O_TRUNC) {
    struct stat st {};
    if (stat_inode(inode, st) == 0 && S_ISREG(st.st_mode)) truncated = static_cast<std::uint64_t>(st.st_size);
  }
  const int fd = ::open(proc_path(inode.fd).c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  s.config.store->release(truncated);
  fi->fh = static_cast<std::uint64_t>(fd);
  inode.open_handles.fetch_add(1, std::memory_order_acq_rel);
  revalidate_on_open(s, inode, ino, fd, fi);
  set_open_flags(s, *fi);
  fuse_reply_open(req, fi);
}

int create_staged(State& s, fuse_ino_t parent, const char* name, mode_t mode, int flags, int& fd,
                  fuse_entry_param& e) {
  const std::string staged = std::to_string(s.staged_serial.fetch_add(1) + 1);
  fd = ::openat(s.staging_fd, staged.c_str(), (flags | O_CREAT | O_EXCL | O_CLOEXEC) & ~O_NOFOLLOW, mode);
  if (fd < 0) return errno;
  const int path_fd = ::openat(s.staging_fd, staged.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (path_fd < 0) {
    const int err = errno;
    ::close(fd);
    ::unlinkat(s.staging_fd, staged.c_str(), 0);
    return err;
  }
  if (int err = enter(s, path_fd, e); err != 0) {
    ::close(fd);
    ::unlinkat(s.staging_fd, staged.c_str(), 0);
    return err;
  }
  Inode* inode = s.inodes->get(e.ino);
  std::lock_guard lock(s.pending_mutex);
  inode->pending = true;
  inode->pending_parent = parent;
  inode->pending_name = name;
  inode->staged_name = staged;
  s.pending[{parent, name}] = inode;
  return 0;
}

void on_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_entry_param e{};
  int fd = -1;
  if (s.is_blob()) {
    if (int err = create_staged(s, parent, name, mode, fi->flags, fd, e); err != 0) {
      fuse_reply_err(req, err);
      return;
    }
  } else {
    const int dir_fd = s.inodes->get(parent)->fd;
    const std::uint64_t truncated = (fi->flags & O_TRUNC) ? freed_by_removing(dir_fd, name) : 0;
    fd = ::openat(dir_fd, name, (fi->flags | O_CREAT | O_CLOEXEC) & ~O_NOFOLLOW, mode);
    if (fd < 0) {
      fuse_reply_err(req, errno);
      return;
    }
    s.config.store->release(truncated);
    give_to_caller(s, req, dir_fd, name);
    if (int err = lookup_child(s, parent, name, e); err != 0) {
      ::close(fd);
      fuse_reply_err(req, err);
      return;
    }
  }
  Inode& inode = *s.inodes->get(e.ino);
  inode.open_handles.fetch_add(1, std::memory_order_acq_rel);
  {
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
      std::lock_guard lock(inode.size_mutex);
      inode.seen_mtime_ns = mtime_ns(st);
      inode.seen_size = st.st_size;
    }
  }
  fi->fh = static_cast<std::uint64_t>(fd);
  set_open_flags(s, *fi);
  fuse_reply_create(req, &e, fi);
}

void on_read(fuse_req_t req, fuse_ino_t /*ino*/, std::size_t size, off_t off, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fi->fh);
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, fuse_buf_copy_flags{});
}

// Writes `in` at `off`, taking capacity for the bytes that grow the file; the written count or -errno.
ssize_t write_accounted(State& s, Inode& inode, int fd, fuse_bufvec& in, off_t off) {
  const auto size = static_cast<std::int64_t>(fuse_buf_size(&in));
  fuse_bufvec out = FUSE_BUFVEC_INIT(static_cast<std::size_t>(size));
  out.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  out.buf[0].fd = fd;
  out.buf[0].pos = off;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return -errno;
  if (off + size <= st.st_size) return fuse_buf_copy(&out, &in, fuse_buf_copy_flags{});

  std::lock_guard lock(inode.size_mutex);
  if (::fstat(fd, &st) != 0) return -errno;  // another writer may have grown it meanwhile
  const std::int64_t growth = std::max<std::int64_t>(0, off + size - st.st_size);
  if (growth > 0 && !s.config.store->reserve(static_cast<std::uint64_t>(growth))) return -ENOSPC;
  const ssize_t written = fuse_buf_copy(&out, &in, fuse_buf_copy_flags{});
  const std::int64_t used = written < 0 ? 0 : std::max<std::int64_t>(0, off + written - st.st_size);
  if (used < growth) s.config.store->release(static_cast<std::uint64_t>(growth - used));
  return written;
}

void on_write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  const ssize_t written = write_accounted(s, *s.inodes->get(ino), static_cast<int>(fi->fh), *in, off);
  if (written < 0) {
    fuse_reply_err(req, static_cast<int>(-written));
    return;
  }
  fuse_reply_write(req, static_cast<std::size_t>(written));
}

void on_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
  State& s = state_of(req);
  // close() waits for FLUSH but not for RELEASE: a blob file closed through its last open handle is
  // published here, so that another node sees it as soon as close() has returned.
  if (s.is_blob()) {
    Inode& inode = *s.inodes->get(ino);
    if (inode.open_handles.load(std::memory_order_acquire) == 1) publish(s, inode);
  }
  fuse_reply_err(req, check_available(s));
}

void on_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  State& s = state_of(req);
  Inode& inode = *s.inodes->get(ino);
  ::close(static_cast<int>(fi->fh));
  if (inode.open_handles.fetch_sub(1, std::memory_order_acq_rel) == 1 && s.is_blob()) publish(s, inode);
  fuse_reply_err(req, 0);
}

void on_fsync(fuse_req_t req, fuse_ino_t /*ino*/, int datasync, fuse_file_info* fi) {
  State& s = state_of(req);
  int err = check_available(s);
  if (err == 0) {
    const int fd = static_cast<int>(fi->fh);
    if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) != 0) err = errno;
  }
  fuse_reply_err(req, err);
}

struct DirHandle {
  DIR* dir = nullptr;
  off_t offset = 0;
  dirent* entry = nullptr;  // read but not yet handed to the kernel
};

void on_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  const int fd = ::openat(s.inodes->get(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  auto handle = std::make_unique<DirHandle>();
  handle->dir = ::fdopendir(fd);
  if (handle->dir == nullptr) {
    const int err = errno;
    ::close(fd);
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = reinterpret_cast<std::uintptr_t>(handle.release());
  fi->cache_readdir = 0;
  fuse_reply_open(req, fi);
}

void on_readdir(fuse_req_t req, fuse_ino_t /*ino*/, std::size_t size, off_t offset, fuse_file_info* fi) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  auto* handle = reinterpret_cast<DirHandle*>(static_cast<std::uintptr_t>(fi->fh));
  if (offset != handle->offset) {
    ::seekdir(handle->dir, offset);
    handle->entry = nullptr;
    handle->offset = offset;
  }
  std::vector<char> buffer(size);
  std::size_t used = 0;
  for (;;) {
    if (handle->entry == nullptr) {
      errno = 0;
      handle->entry = ::readdir(handle->dir);
      if (handle->entry == nullptr) {
        if (errno != 0 && used == 0) {
          fuse_reply_err(req, errno);
          return;
        }
        break;
      }
    }
    struct stat st {};
    st.st_ino = handle->entry->d_ino;
    st.st_mode = static_cast<mode_t>(handle->entry->d_type) << 12;
    const off_t next = ::telldir(handle->dir);
    const std::size_t needed =
        fuse_add_direntry(req, buffer.data() + used, size - used, handle->entry->d_name, &st, next);
    if (needed > size - used) break;
    used += needed;
    handle->entry = nullptr;
    handle->offset = next;
  }
  fuse_reply_buf(req, buffer.data(), used);
}

void on_releasedir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  auto* handle = reinterpret_cast<DirHandle*>(static_cast<std::uintptr_t>(fi->fh));
  ::closedir(handle->dir);
  delete handle;
  fuse_reply_err(req, 0);
}

void on_statfs(fuse_req_t req, fuse_ino_t ino) {
  State& s = state_of(req);
  if (int err = check_available(s); err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  struct statvfs st {};
  if (::fstatvfs(s.inodes->get(ino)->fd, &st) != 0) {
    fuse_reply_err(req, errno);
    return;
  }
  const std::uint64_t capacity = s.config.store->capacity_bytes();
  if (capacity != 0) {
    // The file server's disks, not the host's: df inside a node shows diskCount x diskSizeInGB.
    constexpr std::uint64_t kBlock = 4096;
    st.f_bsize = kBlock;
    st.f_frsize = kBlock;
    st.f_blocks = capacity / kBlock;
    st.f_bfree = s.config.store->free_bytes() / kBlock;
    st.f_bavail = st.f_bfree;
  }
  fuse_reply_statfs(req, &st);
}

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  ops.init = on_init;
  ops.lookup = on_lookup;
  ops.forget = on_forget;
  ops.forget_multi = on_forget_multi;
  ops.getattr = on_getattr;
  ops.setattr = on_setattr;
  ops.readlink = on_readlink;
  ops.mkdir = on_mkdir;
  ops.symlink = on_symlink;
  ops.link = on_link;
  ops.unlink = on_unlink;
  ops.rmdir = on_rmdir;
  ops.rename = on_rename;
  ops.open = on_open;
  ops.create = on_create;
  ops.read = on_read;
  ops.write_buf = on_write_buf;
  ops.flush = on_flush;
  ops.release = on_release;
  ops.fsync = on_fsync;
  ops.opendir = on_opendir;
  ops.readdir = on_readdir;
  ops.releasedir = on_releasedir;
  ops.statfs = on_statfs;
  return ops;
}

const fuse_lowlevel_ops kOps = make_ops();

// libfuse hands its I/O hooks the session's userdata, the State; they forward to its channel.
const fuse_custom_io kChannelIo = {
    .writev = [](int fd, struct iovec* iov, int count,
                 void* userdata) { return static_cast<State*>(userdata)->channel.writev(fd, iov, count); },
    .read = [](int fd, void* buf, std::size_t len,
               void* userdata) { return static_cast<State*>(userdata)->channel.read(fd, buf, len); },
    .splice_receive = [](int fd_in, off_t* off_in, int fd_out, off_t* off_out, std::size_t len,
                         unsigned int flags,
                         void* /*userdata*/) { return ::splice(fd_in, off_in, fd_out, off_out, len, flags); },
    .splice_send = [](int fd_in, off_t* off_in, int fd_out, off_t* off_out, std::size_t len,
                      unsigned int flags,
                      void* /*userdata*/) { return ::splice(fd_in, off_in, fd_out, off_out, len, flags); },
};

// The largest READ whose reply (a 16-byte header and the data) a pipe holds whole, so that libfuse
// splices it instead of copying it through a buffer: 1 MiB where this process may grow a pipe beyond
// 1 MiB (CAP_SYS_RESOURCE or a larger fs.pipe-max-size), 512 KiB otherwise.
unsigned spliceable_read_size() {
  static const unsigned size = [] {
    constexpr unsigned kMiB = 1u << 20;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return kMiB / 2;
    const bool large = ::fcntl(fds[0], F_SETPIPE_SZ, kMiB + 4096) >= 0;
    ::close(fds[0]);
    ::close(fds[1]);
    return large ? kMiB : kMiB / 2;
  }();
  return size;
}

// A mount whose daemon is gone or stuck is cut off through the fuse control file system, so that the
// loop threads return and nothing waits on it any more.
void abort_connection(dev_t device) {
  const std::filesystem::path connections = "/sys/fs/fuse/connections";
  std::error_code ec;
  if (std::filesystem::is_directory(connections, ec) && std::filesystem::is_empty(connections, ec)) {
    ::mount("fusectl", connections.c_str(), "fusectl", 0, nullptr);  // may already be there
  }
  std::ofstream abort(connections / std::to_string(minor(device)) / "abort");
  if (abort) abort << "1";
}

// Whether the kernel still serves the connection on this /dev/fuse descriptor (it reports POLLERR once
// the connection is gone: the last mount released or aborted).
bool connection_alive(int fd) {
  pollfd p{.fd = fd, .events = 0, .revents = 0};
  return fd >= 0 && ::poll(&p, 1, 0) >= 0 && (p.revents & POLLERR) == 0;
}

}  // namespace

core::Result<std::unique_ptr<FuseMount>> FuseMount::start(FuseMountConfig config) {
  if (!config.store) return core::Error::internal("FuseMount needs a store");
  std::error_code ec;
  std::filesystem::create_directories(config.mount_point, ec);
  if (ec) {
    return core::Error::internal("Cannot create the mount point " + config.mount_point.string() + ": " +
                                 ec.message());
  }
  auto state = std::make_unique<State>();
  state->config = std::move(config);
  const auto& cfg = state->config;

  const int root_fd = ::open(cfg.source.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    return core::Error::not_found("SourceDirectoryNotFound", "The folder " + cfg.source.string() +
                                                                 " of store " + cfg.store->key() +
                                                                 " does not exist: " + std::strerror(errno));
  }
  struct stat root_stat {};
  ::fstat(root_fd, &root_stat);
  state->inodes = std::make_unique<InodeTable>(root_fd, root_stat);

  if (!cfg.staging_dir.empty()) {
    std::filesystem::create_directories(cfg.staging_dir, ec);
    state->staging_fd = ::open(cfg.staging_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (state->staging_fd < 0) {
      return core::Error::internal("Cannot open the blob staging folder " + cfg.staging_dir.string());
    }
  }

  std::string options = "fsname=" + cfg.fs_name + ",subtype=emunfs,allow_other,default_permissions";
  if (cfg.options.read_only) options += ",ro";
  state->max_read = spliceable_read_size();
  options += ",max_read=" + std::to_string(state->max_read);
  std::vector<std::string> arg_text = {"emu-nfs", "-o", options};
  std::vector<char*> argv;
  for (auto& a : arg_text) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  state->session = fuse_session_new(&args, &kOps, sizeof(kOps), state.get());
  fuse_opt_free_args(&args);  // fuse_session_new may have copied the arguments into memory args owns
  if (state->session == nullptr) {
    if (state->staging_fd >= 0) ::close(state->staging_fd);
    return core::Error::internal("libfuse refused the mount options " + options);
  }
  if (fuse_session_mount(state->session, cfg.mount_point.c_str()) != 0) {
    fuse_session_destroy(state->session);
    if (state->staging_fd >= 0) ::close(state->staging_fd);
    return core::Error::internal("Cannot mount store " + cfg.store->key() + " at " +
                                 cfg.mount_point.string() + " (is /dev/fuse there, and are we root?)");
  }
  State* raw = state.get();
  if (!state->channel.attach(state->session, kChannelIo)) {
    core::log::warn("nfs: libfuse refused the custom I/O of {}; its files keep the page cache",
                    cfg.mount_point.string());
  }
  state->loop = std::thread([raw] {
    fuse_loop_config* loop_config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(loop_config, 0);
    fuse_loop_cfg_set_idle_threads(loop_config, 4);
    fuse_loop_cfg_set_max_threads(loop_config, 64);
    fuse_session_loop_mt(raw->session, loop_config);
    fuse_loop_cfg_destroy(loop_config);
    raw->loop_done.set_value();
  });
  // The kernel answers stat on the mount point only once the daemon served INIT.
  struct stat mounted {};
  if (::stat(cfg.mount_point.c_str(), &mounted) == 0) state->device = mounted.st_dev;
  return std::unique_ptr<FuseMount>(new FuseMount(std::move(state)));
}

FuseMount::FuseMount(std::unique_ptr<State> state) : state_(std::move(state)) {}

const std::filesystem::path& FuseMount::path() const { return state_->config.mount_point; }

FuseMount::~FuseMount() {
  State& s = *state_;
  s.stopping.store(true, std::memory_order_release);
  fuse_session_exit(s.session);
  // Detach the mount (lazily: it leaves the table even while a process still has a file open) and let
  // the loop end by itself: once the kernel drops the connection, the workers' reads of /dev/fuse fail
  // and they return. fuse_session_unmount closes that descriptor, so it waits until no worker reads it.
  ::umount2(s.config.mount_point.c_str(), MNT_DETACH);
  auto done = s.loop_done.get_future();
  if (done.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
    abort_connection(s.device);
  }
  if (done.wait_for(std::chrono::seconds(5)) == std::future_status::ready) {
    s.loop.join();
    // A loop can also end on a request that came in after fuse_session_exit, with the connection still
    // up (a copy of the mount in a node's namespace holds it): cut it off, so nothing waits on it.
    if (connection_alive(fuse_session_fd(s.session))) abort_connection(s.device);
    fuse_session_unmount(s.session);  // closes /dev/fuse; the mount itself is already gone
    fuse_session_destroy(s.session);
  } else {
    // A loop that cannot be stopped is left behind, with its descriptor, rather than hanging the
    // node's shutdown; its mount is already out of the table.
    core::log::warn("nfs: the FUSE loop of {} did not stop; leaving it", s.config.mount_point.string());
    s.loop.detach();
    (void)state_.release();
    return;
  }
  if (s.staging_fd >= 0) ::close(s.staging_fd);
  if (!s.config.staging_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(s.config.staging_dir, ec);  // files never closed are lost, as in blobfuse
  }
}

}  // namespace emu::fakes
