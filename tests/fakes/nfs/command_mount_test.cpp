// CommandMount: the command line a node runs for an unmanaged file system, and the errors its exit
// status and output become. Running it inside a node is tested with the container backend.

#include "fakes/nfs/command_mount.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace emu::fakes {
namespace {

using namespace std::chrono_literals;

// Runs a shell command line here, for what the quoting does (not a mount: `echo` stands in for it).
std::string output_of(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char chunk[256];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) out += chunk;
  const int raw = ::pclose(pipe);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

TEST(CommandMountTest, AnEmptyCommandIsRefused) {
  auto mount = CommandMount::prepare("  \t", "/mnt/x");
  ASSERT_FALSE(mount);
  EXPECT_EQ(mount.error().code, "InvalidMountCommand");
  EXPECT_EQ(mount.error().target, "mountCommand");
}

TEST(CommandMountTest, ThePathIsAppendedAsOneLiteralArgument) {
  auto mount = CommandMount::prepare("printf '%s|'", "/mnt/a b/it's $(x)");
  ASSERT_TRUE(mount);
  int status = -1;
  EXPECT_EQ(output_of(mount->shell_command(), status), "/mnt/a b/it's $(x)|");
  EXPECT_EQ(status, 0);
}

TEST(CommandMountTest, AHangingCommandIsKilledAtItsTimeout) {
  auto mount = CommandMount::prepare("sleep 30; echo", "/mnt/x", 200ms);
  ASSERT_TRUE(mount);
  int status = -1;
  const auto started = std::chrono::steady_clock::now();
  output_of(mount->shell_command(), status);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(status, CommandMount::kTimedOutExitCode);
  const auto error = mount->failure(status, "");
  EXPECT_EQ(error.code, "MountCommandTimedOut");
  EXPECT_NE(error.message.find("0.200 s"), std::string::npos) << error.message;
}

TEST(CommandMountTest, AFailureCarriesTheExitStatusAndTheFirstLines) {
  auto mount = CommandMount::prepare("mount -t glusterfs 10.0.0.4:/gv0", "/mnt/g");
  ASSERT_TRUE(mount);
  const auto error = mount->failure(32, "mount: unknown filesystem type 'glusterfs'\n\n2\n3\n4\n5\n6\n7\n");
  EXPECT_EQ(error.code, "MountCommandFailed");
  EXPECT_NE(error.message.find("exited with 32"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("unknown filesystem type 'glusterfs' | 2 | 3 | 4 | 5"), std::string::npos)
      << error.message;
  EXPECT_EQ(error.message.find("6"), std::string::npos) << "only the first lines: " << error.message;
}

TEST(CommandMountTest, UnmountDetachesTheNodesPath) {
  auto mount = CommandMount::prepare("mount -t tmpfs none", "/mnt/it's");
  ASSERT_TRUE(mount);
  EXPECT_EQ(mount->unmount_command(), "umount -l '/mnt/it'\\''s' 2>/dev/null");
}

}  // namespace
}  // namespace emu::fakes
