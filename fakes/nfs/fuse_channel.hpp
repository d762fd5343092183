#pragma once
// FuseChannel: the reads and writes between libfuse and /dev/fuse for one mount (libfuse's custom I/O).
// It passes every message through unchanged but one: the answer to the kernel's INIT, where it asks for
// what libfuse 3.14 cannot name, FUSE_DIRECT_IO_ALLOW_MMAP (Linux 6.6): files opened with direct I/O
// may then still be mapped shared, so a mount can bypass its page cache without breaking mmap.
//   channel.attach(session, io);   // after fuse_session_mount, before the loop; io forwards to it
//   if (channel.direct_io_allows_mmap()) fi->direct_io = 1;

#include <sys/types.h>
#include <sys/uio.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

struct fuse_session;
struct fuse_custom_io;

namespace emu::fakes {

class FuseChannel {
 public:
  // Installs `io` (whose functions call read() and writev() below) on the mounted `session`. False if
  // libfuse refused; the session then keeps its own I/O and nothing is asked of the kernel.
  bool attach(fuse_session* session, const fuse_custom_io& io);

  // A request from the kernel: the INIT request is read for what the kernel offers.
  ssize_t read(int fd, void* buf, std::size_t len);
  // A reply to the kernel: the reply to INIT gets the flags asked for.
  ssize_t writev(int fd, struct iovec* iov, int count);

  // True once the kernel accepted FUSE_DIRECT_IO_ALLOW_MMAP (known when INIT has been answered).
  bool direct_io_allows_mmap() const { return direct_io_allows_mmap_.load(std::memory_order_acquire); }

 private:
  static constexpr std::uint64_t kNoInit = 0;
  std::atomic<std::uint64_t> init_unique_{kNoInit};  // the INIT request still to be answered
  std::atomic<std::uint32_t> offered_flags2_{0};     // the high half of what the kernel offered
  std::atomic<bool> init_answered_{false};
  std::atomic<bool> direct_io_allows_mmap_{false};
};

}  // namespace emu::fakes
