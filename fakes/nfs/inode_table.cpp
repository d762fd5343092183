#include "fakes/nfs/inode_table.hpp"

#include <fuse_lowlevel.h>
#include <unistd.h>

namespace emu::fakes {

Inode::~Inode() {
  if (fd >= 0) ::close(fd);
}

InodeTable::InodeTable(int root_fd, const struct stat& root_stat) {
  auto root = std::make_unique<Inode>(root_fd, root_stat.st_dev, root_stat.st_ino);
  root->nlookup = 1;
  root_ = root.get();
  inodes_.emplace(std::make_pair(root_stat.st_dev, root_stat.st_ino), std::move(root));
}

std::uint64_t InodeTable::id(const Inode& inode) const {
  if (&inode == root_) return FUSE_ROOT_ID;
  return reinterpret_cast<std::uintptr_t>(&inode);
}

Inode* InodeTable::get(std::uint64_t id) {
  if (id == FUSE_ROOT_ID) return root_;
  return reinterpret_cast<Inode*>(static_cast<std::uintptr_t>(id));
}

Inode* InodeTable::remember(int fd, const struct stat& st) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = inodes_.try_emplace({st.st_dev, st.st_ino});
  if (inserted) {
    it->second = std::make_unique<Inode>(fd, st.st_dev, st.st_ino);
  } else {
    ::close(fd);
  }
  ++it->second->nlookup;
  return it->second.get();
}

void InodeTable::forget(std::uint64_t id, std::uint64_t count) {
  Inode* inode = get(id);
  if (inode == root_) return;
  std::lock_guard lock(mutex_);
  inode->nlookup = count >= inode->nlookup ? 0 : inode->nlookup - count;
  if (inode->nlookup == 0) inodes_.erase({inode->dev, inode->ino});
}

std::size_t InodeTable::size() const {
  std::lock_guard lock(mutex_);
  return inodes_.size();
}

}  // namespace emu::fakes
