#include "fakes/nfs/fuse_channel.hpp"

#include <fuse_lowlevel.h>
#include <linux/fuse.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace emu::fakes {

namespace {

// Linux 6.6's name for bit 36 of the INIT flags; the system's <linux/fuse.h> may predate it.
constexpr std::uint64_t kDirectIoAllowMmap = std::uint64_t{1} << 36;

}  // namespace

bool FuseChannel::attach(fuse_session* session, const fuse_custom_io& io) {
  return fuse_session_custom_io(session, &io, fuse_session_fd(session)) == 0;
}

ssize_t FuseChannel::read(int fd, void* buf, std::size_t len) {
  const ssize_t n = ::read(fd, buf, len);
  // INIT is the first request of a connection; after it nothing is looked at.
  if (n < static_cast<ssize_t>(sizeof(fuse_in_header)) || init_answered_.load(std::memory_order_relaxed))
    return n;
  fuse_in_header header{};
  std::memcpy(&header, buf, sizeof(header));
  if (header.opcode != FUSE_INIT) return n;
  fuse_init_in init{};
  const std::size_t body = std::min(sizeof(init), static_cast<std::size_t>(n) - sizeof(header));
  std::memcpy(&init, static_cast<const char*>(buf) + sizeof(header), body);
  const bool extended = (init.flags & FUSE_INIT_EXT) != 0 && body >= offsetof(fuse_init_in, flags2) + 4;
  offered_flags2_.store(extended ? init.flags2 : 0, std::memory_order_relaxed);
  init_unique_.store(header.unique, std::memory_order_release);
  return n;
}

ssize_t FuseChannel::writev(int fd, struct iovec* iov, int count) {
  const std::uint64_t init = init_unique_.load(std::memory_order_acquire);
  if (init != kNoInit && count >= 2 && iov[0].iov_len >= sizeof(fuse_out_header)) {
    const auto* header = static_cast<const fuse_out_header*>(iov[0].iov_base);
    constexpr std::size_t kFlags2End = offsetof(fuse_init_out, flags2) + sizeof(std::uint32_t);
    if (header->unique == init && header->error == 0 && iov[1].iov_len >= kFlags2End) {
      auto* reply = static_cast<fuse_init_out*>(iov[1].iov_base);
      const auto wanted = static_cast<std::uint32_t>(kDirectIoAllowMmap >> 32);
      if ((reply->flags & FUSE_INIT_EXT) != 0 && (offered_flags2_.load(std::memory_order_relaxed) & wanted)) {
        reply->flags2 |= wanted;
        direct_io_allows_mmap_.store(true, std::memory_order_release);
      }
      init_unique_.store(kNoInit, std::memory_order_release);
      init_answered_.store(true, std::memory_order_relaxed);
    }
  }
  return ::writev(fd, iov, count);
}

}  // namespace emu::fakes
