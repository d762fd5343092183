// FuseChannel on its own: an INIT request and its reply through pipes, as /dev/fuse would carry them.
#include "fakes/nfs/fuse_channel.hpp"

#include <gtest/gtest.h>
#include <linux/fuse.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace emu::fakes {
namespace {

constexpr std::uint32_t kAllowMmapFlags2Bit = 1u << 4;  // FUSE_DIRECT_IO_ALLOW_MMAP is bit 36 of 64
constexpr std::uint64_t kInitUnique = 2;

class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

// The kernel's INIT request, offering `flags2` (with FUSE_INIT_EXT set when `extended`).
void send_init(FuseChannel& channel, std::uint32_t flags2, bool extended = true) {
  fuse_in_header header{};
  fuse_init_in init{};
  header.len = sizeof(header) + sizeof(init);
  header.opcode = FUSE_INIT;
  header.unique = kInitUnique;
  init.major = 7;
  init.minor = 38;
  init.flags = FUSE_ASYNC_READ | (extended ? FUSE_INIT_EXT : 0);
  init.flags2 = flags2;
  std::vector<char> wire(header.len);
  std::memcpy(wire.data(), &header, sizeof(header));
  std::memcpy(wire.data() + sizeof(header), &init, sizeof(init));
  Pipe pipe;
  ASSERT_EQ(::write(pipe.write_end(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  std::vector<char> buffer(4096);
  ASSERT_EQ(channel.read(pipe.read_end(), buffer.data(), buffer.size()), static_cast<ssize_t>(wire.size()));
  EXPECT_EQ(std::memcmp(buffer.data(), wire.data(), wire.size()), 0) << "requests pass unchanged";
}

// libfuse's reply to the request `unique`, as the kernel receives it through the channel.
fuse_init_out reply(FuseChannel& channel, std::uint64_t unique) {
  fuse_out_header header{};
  fuse_init_out init{};
  header.len = sizeof(header) + sizeof(init);
  header.unique = unique;
  init.major = 7;
  init.minor = 38;
  init.flags = FUSE_ASYNC_READ | FUSE_INIT_EXT;
  init.max_write = 1 << 20;
  iovec iov[2] = {{&header, sizeof(header)}, {&init, sizeof(init)}};
  Pipe pipe;
  EXPECT_EQ(channel.writev(pipe.write_end(), iov, 2), static_cast<ssize_t>(header.len));
  std::vector<char> wire(header.len);
  EXPECT_EQ(::read(pipe.read_end(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  fuse_init_out sent{};
  std::memcpy(&sent, wire.data() + sizeof(header), sizeof(sent));
  EXPECT_EQ(sent.max_write, 1u << 20) << "the rest of the reply is left as libfuse wrote it";
  return sent;
}

TEST(FuseChannel, AsksForMmapOfDirectIoFilesWhenTheKernelOffersIt) {
  FuseChannel channel;
  send_init(channel, kAllowMmapFlags2Bit | 1u /* another offer, not taken */);
  EXPECT_FALSE(channel.direct_io_allows_mmap()) << "not before INIT is answered";
  const fuse_init_out sent = reply(channel, kInitUnique);
  EXPECT_EQ(sent.flags2, kAllowMmapFlags2Bit);
  EXPECT_TRUE(channel.direct_io_allows_mmap());
}

TEST(FuseChannel, LeavesTheReplyAloneWhenTheKernelDoesNotOfferIt) {
  FuseChannel older_kernel;
  send_init(older_kernel, 0);
  EXPECT_EQ(reply(older_kernel, kInitUnique).flags2, 0u);
  EXPECT_FALSE(older_kernel.direct_io_allows_mmap());

  FuseChannel no_extended_flags;
  send_init(no_extended_flags, kAllowMmapFlags2Bit, /*extended=*/false);
  EXPECT_EQ(reply(no_extended_flags, kInitUnique).flags2, 0u);
  EXPECT_FALSE(no_extended_flags.direct_io_allows_mmap());
}

TEST(FuseChannel, OnlyTheReplyToInitIsChanged) {
  FuseChannel channel;
  send_init(channel, kAllowMmapFlags2Bit);
  EXPECT_EQ(reply(channel, kInitUnique + 2).flags2, 0u) << "another request's reply";
  EXPECT_FALSE(channel.direct_io_allows_mmap());
  EXPECT_EQ(reply(channel, kInitUnique).flags2, kAllowMmapFlags2Bit);
  EXPECT_EQ(reply(channel, kInitUnique).flags2, 0u) << "INIT is answered once";
}

}  // namespace
}  // namespace emu::fakes
