#include "emulator/store/directory_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

#include "tests/store/temp_dir.hpp"

namespace emu::store {
namespace {

TEST(DirectoryLock, CreatesTheDirectoryAndRecordsThePid) {
  testing::TempDir dir;
  auto lock = DirectoryLock::acquire(dir.path() / "a" / "b");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->file(), dir.path() / "a" / "b" / DirectoryLock::kFileName);
  std::ifstream in(lock->file());
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, std::to_string(::getpid()));
}

TEST(DirectoryLock, SecondAcquireIsRefusedUntilReleased) {
  testing::TempDir dir;
  std::optional<DirectoryLock> held;
  {
    auto first = DirectoryLock::acquire(dir.path());
    ASSERT_TRUE(first.ok()) << first.error().message;
    held.emplace(std::move(*first));  // the lock follows the object it is moved into
  }
  auto second = DirectoryLock::acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find(dir.path().string()), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("process " + std::to_string(::getpid())), std::string::npos)
      << second.error().message;

  held.reset();
  auto third = DirectoryLock::acquire(dir.path());
  EXPECT_TRUE(third.ok()) << third.error().message;
}

TEST(DirectoryLock, MoveAssignmentReleasesTheOldLock) {
  testing::TempDir a;
  testing::TempDir b;
  auto lock_a = DirectoryLock::acquire(a.path());
  auto lock_b = DirectoryLock::acquire(b.path());
  ASSERT_TRUE(lock_a.ok() && lock_b.ok());
  *lock_a = std::move(*lock_b);  // now holds b; a is free
  EXPECT_TRUE(DirectoryLock::acquire(a.path()).ok());
  EXPECT_FALSE(DirectoryLock::acquire(b.path()).ok());
}

}  // namespace
}  // namespace emu::store
