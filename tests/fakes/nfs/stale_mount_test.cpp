// A killed emulator leaves its FUSE mounts behind (their daemon gone); the next start removes them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakes/nfs/fuse_storage_service.hpp"
#include "fakes/nfs/mount_table.hpp"
#include "tests/fakes/nfs/nfs_test_support.hpp"

namespace emu::fakes {
namespace {

TEST(StaleMounts, AKillNineLeavesMountsThatTheNextStartRemoves) {
  NFS_SKIP_WITHOUT_FUSE();
  testing::DataDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The "emulator": mounts two nodes' volumes, says so, then waits to be killed.
    ::close(ready[0]);
    FuseStorageService service(dir.path());
    VolumeSpec spec;
    spec.store_key = "fs";
    auto a = service.mount(spec, dir.path() / "nodes" / "a" / "nfs", "a");
    auto b = service.mount(spec, dir.path() / "nodes" / "b" / "nfs", "b");
    const char ok = (a && b && testing::write_file((*a)->path() / "kept", "data")) ? '1' : '0';
    (void)::write(ready[1], &ok, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_EQ(ok, '1');
  EXPECT_EQ(mounts_of(dir.path()).size(), 2u) << "a kill -9 leaves the mounts in the table";

  FuseStorageService restarted(dir.path());
  EXPECT_TRUE(mounts_of(dir.path()).empty());
  VolumeSpec spec;
  spec.store_key = "fs";
  auto again = restarted.mount(spec, dir.path() / "nodes" / "a" / "nfs", "a");
  ASSERT_TRUE(again);
  EXPECT_EQ(testing::read_file((*again)->path() / "kept"), "data") << "the store survived the kill";
}

TEST(StaleMounts, CleanupLeavesOtherMountsAlone) {
  NFS_SKIP_WITHOUT_FUSE();
  testing::DataDir mine;
  testing::DataDir other;
  FuseStorageService other_service(other.path());
  VolumeSpec spec;
  spec.store_key = "fs";
  auto kept = other_service.mount(spec, other.path() / "nodes" / "a" / "nfs", "a");
  ASSERT_TRUE(kept);
  auto removed = cleanup_stale_mounts(mine.path());
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 0u);
  EXPECT_EQ(mounts_of(other.path()).size(), 1u);
  EXPECT_NE(mount_tag(mine.path()), mount_tag(other.path()));
}

}  // namespace
}  // namespace emu::fakes
