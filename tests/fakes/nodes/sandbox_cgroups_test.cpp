// SandboxCgroups on this host's real cgroup hierarchies, each version on its own: a process that
// left its session dies with its cgroup, a VM size's limits are written, nothing is left behind,
// and the dirs of an emulator that died are removed. Skips where we are not root or a version is
// not there.

#include "fakes/nodes/sandbox_cgroups.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "fakes/nodes/sandbox_process_watcher.hpp"
#include "tests/fakes/nodes/process_probe.hpp"

namespace emu::fakes {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

using testing::process_with;

template <typename Pred>
bool wait_until(boost::asio::io_context& io, Pred pred, double seconds = 5) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    io.run_for(std::chrono::milliseconds(5));
    io.restart();
  }
  return true;
}

// The directory among `dirs` that lies under `mount`.
std::optional<fs::path> under(const std::vector<fs::path>& dirs, const std::optional<fs::path>& mount) {
  if (!mount) return std::nullopt;
  for (const auto& d : dirs) {
    if (d.string().starts_with(mount->string() + "/")) return d;
  }
  return std::nullopt;
}

std::string describe(CgroupHierarchies use) {
  switch (use) {
    case CgroupHierarchies::kAll:
      return "All";
    case CgroupHierarchies::kVersion1Only:
      return "Version1Only";
    case CgroupHierarchies::kVersion2Only:
      return "Version2Only";
  }
  return "?";
}

class SandboxCgroupsTest : public ::testing::TestWithParam<CgroupHierarchies> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "cgroups need root";
  }
  boost::asio::io_context io_;
  SandboxProcessWatcher watcher_{io_};
};

TEST_P(SandboxCgroupsTest, KillEndsAProcessThatLeftItsSession) {
  SandboxCgroups cgroups(GetParam());
  if (!cgroups.available()) GTEST_SKIP() << "no such cgroup hierarchy here: " << cgroups.limits_note();
  cgroups.create("node/job");
  auto pid = watcher_.spawn({.argv = {"/bin/sh", "-c", "setsid sh -c 'exec sleep 1011' & exec sleep 1012"},
                             .env = {"PATH=/usr/bin:/bin"},
                             .cgroups = cgroups.directories("node/job")},
                            [](int) {});
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  ASSERT_TRUE(wait_until(io_, [] { return process_with("[s]leep 1011") && process_with("[s]leep 1012"); }));
  cgroups.kill("node");
  EXPECT_TRUE(wait_until(io_, [] { return !process_with("[s]leep 1011") && !process_with("[s]leep 1012"); }))
      << "a process of the cgroup survived";
  EXPECT_TRUE(wait_until(io_, [&] { return cgroups.remove("node"); }));
}

// A terminate can come the moment a job started: spawn() returns with the process already in its
// cgroups, before its own shell has run, so the kill reaches it whatever it does next.
TEST_P(SandboxCgroupsTest, KillRightAfterSpawnLeavesNothing) {
  SandboxCgroups cgroups(GetParam());
  if (!cgroups.available()) GTEST_SKIP() << "no such cgroup hierarchy here: " << cgroups.limits_note();
  for (int i = 0; i < 20; ++i) {
    cgroups.create("node/job");
    auto pid = watcher_.spawn({.argv = {"/bin/sh", "-c", "sleep 1015 & exec sleep 1016"},
                               .env = {"PATH=/usr/bin:/bin"},
                               .cgroups = cgroups.directories("node/job")},
                              [](int) {});
    ASSERT_TRUE(pid.ok()) << pid.error().message;
    cgroups.kill("node");
    ASSERT_TRUE(wait_until(io_, [&] { return cgroups.remove("node"); })) << "round " << i;
  }
  EXPECT_TRUE(wait_until(io_, [] { return !process_with("[s]leep 101[56]"); }));
}

TEST_P(SandboxCgroupsTest, NothingIsLeftAfterDestruction) {
  std::vector<fs::path> bases;
  {
    SandboxCgroups cgroups(GetParam());
    if (!cgroups.available()) GTEST_SKIP() << "no such cgroup hierarchy here: " << cgroups.limits_note();
    cgroups.create("node/init");
    cgroups.create("node/job");
    bases = cgroups.directories("");
    auto pid = watcher_.spawn(
        {.argv = {"/bin/sh", "-c", "exec sleep 1013"}, .env = {}, .cgroups = cgroups.directories("node/job")},
        [](int) {});
    ASSERT_TRUE(pid.ok());
    ASSERT_TRUE(wait_until(io_, [] { return process_with("[s]leep 1013"); }));
  }
  // SIGKILL is sent before the destructor returns; the process may take a moment to be reaped.
  EXPECT_TRUE(wait_until(io_, [] { return !process_with("[s]leep 1013"); }));
  for (const auto& base : bases) EXPECT_FALSE(fs::exists(base)) << base;
}

TEST_P(SandboxCgroupsTest, DirectoriesOfADeadEmulatorAreRemovedAtStart) {
  std::vector<fs::path> parents;
  {
    SandboxCgroups probe(GetParam());
    if (!probe.available()) GTEST_SKIP() << "no such cgroup hierarchy here: " << probe.limits_note();
    for (const auto& base : probe.directories("")) parents.push_back(base.parent_path());
  }
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::vector<fs::path> stale;
  for (const auto& parent : parents) {
    stale.push_back(parent / ("emu-" + std::to_string(dead) + "-3"));
    fs::create_directories(stale.back() / "node" / "job");
  }
  // A process the dead emulator left behind (as mpirun in the launcher could be).
  std::vector<fs::path> joins;
  for (const auto& s : stale) joins.push_back(s / "node" / "job");
  auto pid =
      watcher_.spawn({.argv = {"/bin/sh", "-c", "exec sleep 1014"}, .env = {}, .cgroups = joins}, [](int) {});
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(wait_until(io_, [] { return process_with("[s]leep 1014"); }));

  SandboxCgroups fresh(GetParam());
  EXPECT_TRUE(wait_until(io_, [] { return !process_with("[s]leep 1014"); }));
  for (const auto& s : stale) EXPECT_FALSE(fs::exists(s)) << s;
}

INSTANTIATE_TEST_SUITE_P(Versions, SandboxCgroupsTest,
                         ::testing::Values(CgroupHierarchies::kAll, CgroupHierarchies::kVersion1Only,
                                           CgroupHierarchies::kVersion2Only),
                         [](const auto& test_param) { return describe(test_param.param); });

TEST(SandboxCgroupsVersion1, LimitsOfAVmSizeAndTheFreezerFirst) {
  if (::geteuid() != 0) GTEST_SKIP() << "cgroups need root";
  SandboxCgroups cgroups(CgroupHierarchies::kVersion1Only);
  if (!cgroups.limits_enforced())
    GTEST_SKIP() << "no v1 cpu and memory hierarchies: " << cgroups.limits_note();
  cgroups.create("node/job");
  cgroups.limit("node", 2, 1.5);
  const auto dirs = cgroups.directories("node");
  const auto memory = under(dirs, SandboxCgroups::cgroup1_mount("memory"));
  const auto cpu = under(dirs, SandboxCgroups::cgroup1_mount("cpu"));
  ASSERT_TRUE(memory && cpu);
  EXPECT_EQ(read_file(*memory / "memory.limit_in_bytes"), "1610612736");
  EXPECT_EQ(read_file(*cpu / "cpu.cfs_quota_us"), "200000");
  EXPECT_EQ(read_file(*cpu / "cpu.cfs_period_us"), "100000");
  // A process joins the freezer first, so that kill() never misses one that is still joining.
  if (auto freezer = under(dirs, SandboxCgroups::cgroup1_mount("freezer"))) {
    EXPECT_EQ(dirs.front(), *freezer);
  }
  EXPECT_TRUE(cgroups.limits_note().empty()) << cgroups.limits_note();
}

}  // namespace
}  // namespace emu::fakes
