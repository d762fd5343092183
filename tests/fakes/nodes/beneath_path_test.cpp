#include "fakes/nodes/beneath_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace emu::fakes {
namespace {

namespace fs = std::filesystem;

// A node's disk with a host folder beside it, and links a job could plant pointing there.
class BeneathPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beneath-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(disk_ = base_ / "disk");
    fs::create_directories(host_ = base_ / "host");
    std::ofstream(host_ / "secret") << "keep";
    fs::create_directory_symlink(host_, disk_ / "jobdir");
    fs::create_symlink(host_ / "secret", disk_ / "hostfile");
  }
  void TearDown() override { fs::remove_all(base_); }

  bool host_unchanged() const {
    std::ifstream in(host_ / "secret");
    std::string text;
    in >> text;
    return text == "keep" && std::distance(fs::directory_iterator(host_), fs::directory_iterator()) == 1;
  }

  fs::path base_, disk_, host_;
};

TEST_F(BeneathPathTest, MakesDirectoriesOneByOne) {
  auto disk = BeneathPath::open(disk_, BeneathPath::Links::kRefuse, "/mnt/");
  ASSERT_TRUE(disk);
  ASSERT_TRUE(disk->make_directories("a/b/c"));
  EXPECT_TRUE(fs::is_directory(disk_ / "a/b/c"));
  ASSERT_TRUE(disk->write_file("a/b/c/hostfile", "10.0.0.4 slots=1\n"));
  EXPECT_EQ(fs::file_size(disk_ / "a/b/c/hostfile"), 17u);
}

TEST_F(BeneathPathTest, NeverFollowsALinkOnTheWay) {
  auto disk = BeneathPath::open(disk_, BeneathPath::Links::kRefuse, "/mnt/");
  ASSERT_TRUE(disk);
  auto made = disk->make_directories("jobdir/stdouterr");
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message.find("/mnt/jobdir/stdouterr"), std::string::npos) << made.error().message;
  EXPECT_NE(made.error().message.find("symbolic link"), std::string::npos) << made.error().message;
  EXPECT_FALSE(disk->write_file("hostfile", "overwritten"));
  EXPECT_FALSE(disk->open_file("jobdir/stdout.txt", BeneathPath::Write::kAppend));
  EXPECT_FALSE(disk->make_directories("../host/escaped"));
  EXPECT_TRUE(host_unchanged());
}

TEST_F(BeneathPathTest, RefusesAFifoInsteadOfBlocking) {
  ASSERT_EQ(::mkfifo((disk_ / "fifo").c_str(), 0644), 0);
  auto disk = BeneathPath::open(disk_, BeneathPath::Links::kRefuse);
  ASSERT_TRUE(disk);
  EXPECT_FALSE(disk->write_file("fifo", "x"));
}

TEST_F(BeneathPathTest, RemovesLinksNotTheirTargets) {
  fs::create_directories(disk_ / "jobs/old/deep");
  fs::create_directory_symlink(host_, disk_ / "jobs/old/deep/link");
  fs::create_directory_symlink(host_, disk_ / "jobs/link");
  auto disk = BeneathPath::open(disk_, BeneathPath::Links::kRefuse);
  ASSERT_TRUE(disk);
  ASSERT_TRUE(disk->remove_children("jobs"));
  EXPECT_TRUE(fs::is_empty(disk_ / "jobs"));
  ASSERT_TRUE(disk->remove_all("jobdir"));  // the link itself
  EXPECT_FALSE(fs::exists(fs::symlink_status(disk_ / "jobdir")));
  EXPECT_FALSE(disk->remove_children("hostfile"));
  EXPECT_TRUE(host_unchanged());
}

TEST_F(BeneathPathTest, InRootFollowsLinksButStaysInside) {
  // An absolute link resolves from the tree's root, as a node would see it.
  fs::create_directories(disk_ / "tmp/out");
  fs::create_directory_symlink(host_, disk_ / "tmp/abs");    // absolute host path: inside, it is <root>/<host>
  fs::create_directory_symlink("/tmp/out", disk_ / "tmp/rel");
  auto view = BeneathPath::open(disk_, BeneathPath::Links::kInRoot, "/");
  ASSERT_TRUE(view);
  ASSERT_TRUE(view->make_directories("tmp/rel/stdouterr"));
  EXPECT_TRUE(fs::is_directory(disk_ / "tmp/out/stdouterr"));
  (void)view->make_directories("tmp/abs/made");
  EXPECT_TRUE(host_unchanged());
}

}  // namespace
}  // namespace emu::fakes
