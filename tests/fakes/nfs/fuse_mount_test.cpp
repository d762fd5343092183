// Two (or three) node mounts of one store, through FuseStorageService as container nodes use it.
#include "fakes/nfs/fuse_mount.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>

#include "fakes/nfs/fuse_storage_service.hpp"
#include "fakes/nfs/mount_table.hpp"
#include "tests/fakes/nfs/nfs_test_support.hpp"

namespace emu::fakes {
namespace {

using namespace std::chrono_literals;
using testing::read_file;
using testing::write_file;

constexpr const char* kServer =
    "/subscriptions/s/resourcegroups/rg/providers/microsoft.batchai/workspaces/w/fileservers/fs";

class FuseMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NFS_SKIP_WITHOUT_FUSE();
    service_ = std::make_unique<FuseStorageService>(dir_.path());
  }
  void TearDown() override {
    volumes_.clear();
    service_.reset();
  }

  static VolumeSpec file_server(std::string options = "", std::uint64_t capacity = 0) {
    VolumeSpec spec;
    spec.kind = VolumeSpec::Kind::kFileServer;
    spec.store_key = kServer;
    spec.mount_options = std::move(options);
    spec.capacity_bytes = capacity;
    return spec;
  }

  // Mounts `spec` on node `node` at <data>/nodes/<node>/mounts/nfs and returns the path.
  std::filesystem::path mount(const VolumeSpec& spec, const std::string& node) {
    auto volume = service_->mount(spec, dir_.path() / "nodes" / node / "mounts" / "nfs", node);
    EXPECT_TRUE(volume) << (volume ? "" : volume.error().message);
    if (!volume) return {};
    auto path = (*volume)->path();
    volumes_.push_back(std::move(*volume));
    return path;
  }

  std::shared_ptr<NfsStore> server_store() {
    return service_->stores().find(StoreKind::kFileServer, kServer);
  }

  testing::DataDir dir_;
  std::unique_ptr<FuseStorageService> service_;
  std::vector<std::unique_ptr<MountedVolume>> volumes_;
};

// Direct I/O that keeps shared mmap working (FUSE_DIRECT_IO_ALLOW_MMAP) came with Linux 6.6.
bool kernel_maps_direct_io_files() {
  utsname names{};
  if (::uname(&names) != 0) return false;
  int major = 0;
  int minor = 0;
  if (std::sscanf(names.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 6 || (major == 6 && minor >= 6);
}

off_t size_of(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

TEST_F(FuseMountTest, BothNodesSeeTheServerAndTheDataLivesInTheDataDir) {
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server(), "node-b");
  ASSERT_TRUE(write_file(a / "hello.txt", "hi from a"));
  EXPECT_EQ(read_file(b / "hello.txt"), "hi from a");
  EXPECT_EQ(read_file(server_store()->root() / "hello.txt"), "hi from a");
  EXPECT_EQ(mounts_of(dir_.path()).size(), 2u);
}

TEST_F(FuseMountTest, CloseToOpenAnOpenOnBSeesWhatAClosedWhole) {
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server(), "node-b");
  ASSERT_TRUE(write_file(a / "model.txt", "v1"));
  ASSERT_EQ(read_file(b / "model.txt"), "v1");  // B now caches the file's attributes and pages
  const std::string v2(3 * 1024 * 1024 + 17, 'x');
  ASSERT_TRUE(write_file(a / "model.txt", v2));
  EXPECT_EQ(read_file(b / "model.txt"), v2) << "a fresh open on B must see the whole new content";
}

TEST_F(FuseMountTest, FilesMapSharedAndChangesReachTheOtherNode) {
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server(), "node-b");
  const std::string original(3 * 4096 + 100, 'o');
  ASSERT_TRUE(write_file(a / "table.bin", original));
  const int fd = ::open((b / "table.bin").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  void* mapped = ::mmap(nullptr, original.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mapped, MAP_FAILED) << "shared mmap on the mount: " << std::strerror(errno);
  auto* bytes = static_cast<char*>(mapped);
  EXPECT_EQ(bytes[0], 'o');
  std::memcpy(bytes + 4096, "mapped", 6);
  ASSERT_EQ(::msync(mapped, original.size(), MS_SYNC), 0);
  ::munmap(mapped, original.size());
  ::close(fd);
  std::string expected = original;
  expected.replace(4096, 6, "mapped");
  EXPECT_EQ(read_file(a / "table.bin"), expected);
  EXPECT_EQ(read_file(server_store()->root() / "table.bin"), expected);
}

TEST_F(FuseMountTest, ReadsGoToTheStoreAndReportNfsIoSize) {
  if (!kernel_maps_direct_io_files()) GTEST_SKIP() << "direct I/O with shared mmap needs Linux 6.6";
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server(), "node-b");
  ASSERT_TRUE(write_file(a / "weights", std::string(64 * 1024, '1')));
  const int fd = ::open((b / "weights").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char first = 0;
  ASSERT_EQ(::pread(fd, &first, 1, 100), 1);
  EXPECT_EQ(first, '1');
  ASSERT_TRUE(write_file(a / "weights", std::string(64 * 1024, '2')));  // same size, same second
  char again = 0;
  ASSERT_EQ(::pread(fd, &again, 1, 100), 1);
  ::close(fd);
  EXPECT_EQ(again, '2') << "no page cache on B: a read on an open file is served by the store";

  struct stat st {};
  ASSERT_EQ(::stat((b / "weights").c_str(), &st), 0);
  EXPECT_EQ(st.st_blksize, 1 << 20) << "an NFS client's rsize, which buffered readers size their reads by";
}

TEST_F(FuseMountTest, AttributesStayCachedForTheWindowUnlessNoac) {
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server("actimeo=1"), "node-b");
  const auto c = mount(file_server("noac"), "node-c");
  ASSERT_TRUE(write_file(a / "log.txt", "abc"));
  ASSERT_EQ(size_of(b / "log.txt"), 3);
  ASSERT_EQ(size_of(c / "log.txt"), 3);
  {
    std::FILE* f = std::fopen((a / "log.txt").c_str(), "a");
    ASSERT_NE(f, nullptr);
    std::fputs("def", f);
    std::fclose(f);
  }
  EXPECT_EQ(size_of(c / "log.txt"), 6) << "noac: no attribute cache";
  EXPECT_EQ(size_of(b / "log.txt"), 3) << "inside B's 1 s attribute cache window";
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(size_of(b / "log.txt"), 6) << "after the window";
}

TEST_F(FuseMountTest, WritesBeyondTheCapacityFailWithEnospcAndDeletesFreeSpace) {
  constexpr std::uint64_t kCapacity = 1 << 20;
  const auto a = mount(file_server("", kCapacity), "node-a");
  const auto b = mount(file_server("", kCapacity), "node-b");
  ASSERT_TRUE(write_file(a / "big", std::string(900 * 1024, 'a')));
  EXPECT_EQ(server_store()->used_bytes(), 900u * 1024);

  const int fd = ::open((b / "more").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const std::string chunk(200 * 1024, 'b');
  const ssize_t n = ::write(fd, chunk.data(), chunk.size());
  const int err = errno;
  ::close(fd);
  EXPECT_TRUE(n < 0 || static_cast<std::size_t>(n) < chunk.size()) << "the write must not fit whole";
  if (n < 0) {
    EXPECT_EQ(err, ENOSPC);
  }
  EXPECT_LE(server_store()->used_bytes(), kCapacity);

  struct statvfs fs {};
  ASSERT_EQ(::statvfs(b.c_str(), &fs), 0);
  EXPECT_EQ(fs.f_blocks * fs.f_frsize, kCapacity) << "df shows the file server's disks";

  std::filesystem::remove(a / "big");
  EXPECT_TRUE(write_file(b / "more", chunk)) << "space freed on A is usable on B";
  EXPECT_EQ(server_store()->used_bytes(), chunk.size());
}

TEST_F(FuseMountTest, HardMountsWaitOutAnOutageSoftMountsGetEioNothingIsLost) {
  const auto a = mount(file_server(), "node-a");
  const auto hard = mount(file_server("noac"), "node-b");
  const auto soft = mount(file_server("soft,noac"), "node-c");
  ASSERT_TRUE(write_file(a / "before.txt", "written before the outage"));

  ASSERT_TRUE(service_->begin_outage(kServer, 800ms));
  const auto started = std::chrono::steady_clock::now();
  errno = 0;
  EXPECT_LT(::open((soft / "before.txt").c_str(), O_RDONLY), 0);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(read_file(hard / "before.txt"), "written before the outage");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 600ms) << "the hard mount blocked until the end";

  EXPECT_EQ(read_file(soft / "before.txt"), "written before the outage") << "after recovery";
  EXPECT_TRUE(write_file(hard / "after.txt", "ok"));
  EXPECT_EQ(read_file(a / "after.txt"), "ok");
  EXPECT_FALSE(service_->begin_outage(kServer, 0s));
}

TEST_F(FuseMountTest, AFileOpenedBeforeAnOutageFailsOnASoftMountDuringIt) {
  if (!kernel_maps_direct_io_files()) GTEST_SKIP() << "without direct I/O, cached pages answer reads";
  const auto a = mount(file_server(), "node-a");
  const auto soft = mount(file_server("soft"), "node-b");
  ASSERT_TRUE(write_file(a / "data", "read before and during the outage"));
  const int fd = ::open((soft / "data").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char buf[8] = {};
  ASSERT_EQ(::pread(fd, buf, sizeof(buf), 0), static_cast<ssize_t>(sizeof(buf)));
  ASSERT_TRUE(service_->begin_outage(kServer, 500ms));
  errno = 0;
  EXPECT_LT(::pread(fd, buf, sizeof(buf), 0), 0) << "the store is away: no page cache to answer from";
  EXPECT_EQ(errno, EIO);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(::pread(fd, buf, sizeof(buf), 0), static_cast<ssize_t>(sizeof(buf))) << "after recovery";
  ::close(fd);
}

TEST_F(FuseMountTest, UnmountingDuringAnOutageDoesNotHang) {
  const auto a = mount(file_server(), "node-a");
  ASSERT_TRUE(write_file(a / "f", "x"));
  ASSERT_TRUE(service_->begin_outage(kServer, 60s));
  auto reader = std::async(std::launch::async, [p = a / "g"] { return write_file(p, "y"); });
  std::this_thread::sleep_for(100ms);
  volumes_.clear();  // the node leaves while its I/O is blocked
  EXPECT_TRUE(mounts_of(dir_.path()).empty());
  EXPECT_EQ(reader.wait_for(5s), std::future_status::ready);
  service_->end_outages(kServer);
}

TEST_F(FuseMountTest, BlobFilesAppearToOthersOnlyWhenClosed) {
  VolumeSpec blob;
  blob.kind = VolumeSpec::Kind::kAzureBlobContainer;
  blob.store_key = "account/container";
  const auto a = mount(blob, "node-a");
  const auto b = mount(blob, "node-b");
  std::filesystem::create_directories(a / "out");
  const int fd = ::open((a / "out" / "model.bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "weights", 7), 7);
  EXPECT_TRUE(std::filesystem::exists(a / "out" / "model.bin")) << "the writer sees its own file";
  EXPECT_FALSE(std::filesystem::exists(b / "out" / "model.bin")) << "others do not, until it is closed";
  ::close(fd);
  EXPECT_EQ(read_file(b / "out" / "model.bin"), "weights");
  EXPECT_EQ(::rename((a / "out").c_str(), (a / "renamed").c_str()), -1);
  EXPECT_EQ(errno, EXDEV) << "a blob folder is a prefix: mv copies file by file";
}

TEST_F(FuseMountTest, AzureFilesShowFileModeAndDirectoryMode) {
  VolumeSpec share;
  share.kind = VolumeSpec::Kind::kAzureFileShare;
  share.store_key = "account/share";
  share.file_mode = "0644";
  share.directory_mode = "0755";
  const auto a = mount(share, "node-a");
  VolumeSpec other = share;
  other.file_mode = "0777";
  const auto b = mount(other, "cluster2-node");  // a second cluster mounting the same share
  std::filesystem::create_directories(a / "d");
  ASSERT_TRUE(write_file(a / "d" / "f", "shared"));
  EXPECT_EQ(std::filesystem::status(a / "d").permissions(), std::filesystem::perms(0755));
  EXPECT_EQ(std::filesystem::status(a / "d" / "f").permissions(), std::filesystem::perms(0644));
  EXPECT_EQ(::chmod((a / "d" / "f").c_str(), 0600), 0);
  EXPECT_EQ(std::filesystem::status(a / "d" / "f").permissions(), std::filesystem::perms(0644));
  EXPECT_EQ(read_file(b / "d" / "f"), "shared");
  EXPECT_EQ(std::filesystem::status(b / "d" / "f").permissions(), std::filesystem::perms(0777));

  VolumeSpec bad = share;
  bad.file_mode = "rwx";
  auto refused = service_->mount(bad, dir_.path() / "nodes" / "x" / "m", "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().target, "fileMode");
}

TEST_F(FuseMountTest, ReadOnlyMountsAndSourceDirectories) {
  const auto a = mount(file_server(), "node-a");
  std::filesystem::create_directories(a / "data" / "sub");
  ASSERT_TRUE(write_file(a / "data" / "sub" / "x", "inside"));
  VolumeSpec ro = file_server("ro");
  ro.source_directory = "data";
  const auto b = mount(ro, "node-b");
  EXPECT_EQ(read_file(b / "sub" / "x"), "inside");
  EXPECT_LT(::open((b / "new").c_str(), O_WRONLY | O_CREAT, 0644), 0);
  EXPECT_EQ(errno, EROFS);

  VolumeSpec missing = file_server();
  missing.source_directory = "nope";
  auto refused = service_->mount(missing, dir_.path() / "nodes" / "c" / "m", "c");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "SourceDirectoryNotFound");
  missing.source_directory = "../../etc";
  EXPECT_EQ(service_->mount(missing, dir_.path() / "nodes" / "c" / "m", "c").error().target,
            "sourceDirectory");
  EXPECT_EQ(service_->mount(file_server("actimeo=x"), dir_.path() / "nodes" / "c" / "m", "c").error().code,
            "InvalidMountOptions");
}

TEST_F(FuseMountTest, AJobOnOneNodeWritesAndAJobOnAnotherReads) {
  const auto a = mount(file_server(), "node-a");
  const auto b = mount(file_server(), "node-b");
  const std::string writer = "mkdir -p '" + a.string() + "/outputs' && seq 1 20000 > '" + a.string() +
                             "/outputs/numbers.txt' && echo done > '" + a.string() + "/outputs/DONE'";
  ASSERT_EQ(std::system(writer.c_str()), 0);
  const std::string reader = "test -f '" + b.string() + "/outputs/DONE' && awk '{s+=$1} END {print s}' '" +
                             b.string() + "/outputs/numbers.txt'";
  std::FILE* pipe = ::popen(reader.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[64] = {};
  ASSERT_NE(std::fgets(line, sizeof(line), pipe), nullptr);
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(std::string(line), "200010000\n");
}

TEST_F(FuseMountTest, RenamesLinksAndTruncatesKeepTheUsageRight) {
  const auto a = mount(file_server("", 1 << 20), "node-a");
  ASSERT_TRUE(write_file(a / "one", std::string(1000, '1')));
  ASSERT_TRUE(write_file(a / "two", std::string(500, '2')));
  std::filesystem::rename(a / "one", a / "two");  // replaces 500 bytes
  EXPECT_EQ(server_store()->used_bytes(), 1000u);
  std::filesystem::resize_file(a / "two", 100);
  EXPECT_EQ(server_store()->used_bytes(), 100u);
  std::filesystem::create_hard_link(a / "two", a / "three");
  std::filesystem::remove(a / "two");
  EXPECT_EQ(server_store()->used_bytes(), 100u) << "still linked as three";
  std::filesystem::create_symlink("three", a / "link");
  EXPECT_EQ(read_file(a / "link").size(), 100u);
  std::filesystem::remove(a / "three");
  EXPECT_EQ(server_store()->used_bytes(), 0u);
}

TEST_F(FuseMountTest, NoMountsRemainWhenNodesLeaveEvenWithFilesOpen) {
  const auto a = mount(file_server(), "node-a");
  mount(file_server(), "node-b");
  ASSERT_TRUE(write_file(a / "busy", "x"));
  const int fd = ::open((a / "busy").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  const auto started = std::chrono::steady_clock::now();
  volumes_.clear();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  ::close(fd);
  EXPECT_TRUE(mounts_of(dir_.path()).empty());
  EXPECT_EQ(read_file(server_store()->root() / "busy"), "x");
}

}  // namespace
}  // namespace emu::fakes
