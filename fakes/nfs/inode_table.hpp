#pragma once
// InodeTable: what one FUSE mount knows of the store's files. Each inode the kernel has looked up is
// an O_PATH descriptor on the backing file, keyed by the backing (dev, ino) so that two names of one
// file share an inode, and freed when the kernel forgets its last lookup.
//   Inode* child = table.remember(fd, st);        // after a successful lookup or create
//   table.forget(child, nlookup);                 // from FUSE's forget

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace emu::fakes {

struct Inode {
  Inode(int path_fd, dev_t device, ino_t number) : fd(path_fd), dev(device), ino(number) {}
  ~Inode();
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  const int fd;  // O_PATH | O_NOFOLLOW on the backing file
  const dev_t dev;
  const ino_t ino;
  std::uint64_t nlookup = 0;  // guarded by the table's mutex

  // Serialises the calls that change the file's size, so that capacity is reserved for each byte once.
  std::mutex size_mutex;
  // What this mount last served to an open: an open that finds the file changed drops cached pages and
  // attributes (close-to-open consistency). Guarded by size_mutex.
  std::int64_t seen_mtime_ns = -1;
  std::int64_t seen_size = -1;

  // Blob mounts: a file created here waits in the staging folder until its last handle closes.
  // Guarded by the mount's pending mutex.
  std::atomic<int> open_handles{0};
  bool pending = false;
  std::uint64_t pending_parent = 0;  // FUSE id of the folder it will appear in
  std::string pending_name;          // its name there
  std::string staged_name;           // its name in the staging folder
};

class InodeTable {
 public:
  // Takes ownership of `root_fd`; the root is never forgotten.
  InodeTable(int root_fd, const struct stat& root_stat);

  Inode& root() { return *root_; }
  // The kernel's id for `inode` and back (FUSE_ROOT_ID is the root; others are addresses).
  std::uint64_t id(const Inode& inode) const;
  Inode* get(std::uint64_t id);

  // Counts one more lookup of the file `fd` refers to. Takes ownership of `fd`: it becomes the new
  // inode's descriptor, or is closed when the file is already known.
  Inode* remember(int fd, const struct stat& st);
  // Drops `count` lookups; the inode (and its descriptor) goes at zero.
  void forget(std::uint64_t id, std::uint64_t count);
  std::size_t size() const;

 private:
  Inode* root_;
  mutable std::mutex mutex_;  // guards inodes_ and every nlookup; a leaf lock
  std::map<std::pair<dev_t, ino_t>, std::unique_ptr<Inode>> inodes_;
};

}  // namespace emu::fakes
