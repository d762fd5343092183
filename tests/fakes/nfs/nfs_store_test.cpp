#include "fakes/nfs/nfs_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fakes/nfs/store_registry.hpp"
#include "tests/fakes/nfs/nfs_test_support.hpp"

namespace emu::fakes {
namespace {

using testing::DataDir;

TEST(NfsStore, ReservesUpToTheCapacityAndNoFurther) {
  NfsStore store(StoreKind::kFileServer, "fs", {}, 100, 0);
  EXPECT_TRUE(store.reserve(60));
  EXPECT_TRUE(store.reserve(40));
  EXPECT_FALSE(store.reserve(1));
  EXPECT_EQ(store.used_bytes(), 100u);
  EXPECT_EQ(store.free_bytes(), 0u);
  store.release(30);
  EXPECT_TRUE(store.reserve(30));
  EXPECT_FALSE(store.reserve(1));
}

TEST(NfsStore, ZeroCapacityIsUnlimitedAndReleaseNeverGoesBelowZero) {
  NfsStore store(StoreKind::kAzureFileShare, "a/s", {}, 0, 0);
  EXPECT_TRUE(store.reserve(std::uint64_t{1} << 50));
  store.release(std::uint64_t{1} << 60);
  EXPECT_EQ(store.used_bytes(), 0u);
}

TEST(NfsStore, ChargeNamesTheFullDiskAndTheOutage) {
  NfsStore store(StoreKind::kFileServer, "fs", {}, 10, 0);
  auto full = store.charge(11);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "DiskFull");
  EXPECT_EQ(store.used_bytes(), 0u);
  store.begin_outage();
  auto down = store.charge(1);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, "FileServerUnavailable");
}

TEST(NfsStore, OutagesNestAndSoftMountsDoNotWait) {
  NfsStore store(StoreKind::kFileServer, "fs", {}, 0, 0);
  std::atomic<bool> cancelled{false};
  store.begin_outage();
  store.begin_outage();
  EXPECT_FALSE(store.wait_until_available(/*soft=*/true, cancelled));
  store.end_outage();
  EXPECT_TRUE(store.in_outage());
  store.end_outage();
  EXPECT_FALSE(store.in_outage());
  EXPECT_TRUE(store.wait_until_available(true, cancelled));
  EXPECT_EQ(store.outages_begun(), 2u);
}

TEST(NfsStore, HardWaitEndsWithTheOutageOrWhenCancelled) {
  NfsStore store(StoreKind::kFileServer, "fs", {}, 0, 0);
  std::atomic<bool> cancelled{false};
  store.begin_outage();
  std::thread ender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    store.end_outage();
  });
  EXPECT_TRUE(store.wait_until_available(/*soft=*/false, cancelled));
  ender.join();

  store.begin_outage();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancelled = true;
  });
  EXPECT_FALSE(store.wait_until_available(false, cancelled));
  canceller.join();
}

TEST(NfsStore, OpenMeasuresWhatIsAlreadyThere) {
  DataDir dir;
  const auto root = dir.path() / "store";
  std::filesystem::create_directories(root / "sub");
  ASSERT_TRUE(testing::write_file(root / "a", std::string(1000, 'a')));
  ASSERT_TRUE(testing::write_file(root / "sub" / "b", std::string(24, 'b')));
  std::filesystem::create_hard_link(root / "a", root / "a-link");
  auto store = NfsStore::open(StoreKind::kFileServer, "fs", root, 0);
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->used_bytes(), 1024u);
  EXPECT_FALSE(NfsStore::open(StoreKind::kFileServer, "", root, 0));
}

TEST(StoreRegistry, EscapesKeysIntoOneFolderPerStore) {
  const std::filesystem::path data = "/data";
  EXPECT_EQ(StoreRegistry::store_directory(data, StoreKind::kAzureFileShare, "account/share"),
            "/data/storage/fileshares/account%2Fshare");
  EXPECT_EQ(StoreRegistry::store_directory(data, StoreKind::kFileServer, "/subscriptions/x/fileservers/fs"),
            "/data/storage/fileservers/%2Fsubscriptions%2Fx%2Ffileservers%2Ffs");
  EXPECT_EQ(StoreRegistry::store_directory(data, StoreKind::kAzureBlobContainer, ".."),
            "/data/storage/blobcontainers/%2E.");
  EXPECT_NE(StoreRegistry::store_directory(data, StoreKind::kFileServer, "a/b"),
            StoreRegistry::store_directory(data, StoreKind::kFileServer, "a%2Fb"));
}

TEST(StoreRegistry, OneStorePerKindAndKey) {
  DataDir dir;
  StoreRegistry stores(dir.path());
  auto a = stores.open(StoreKind::kAzureFileShare, "acct/share", 0);
  auto b = stores.open(StoreKind::kAzureFileShare, "acct/share", 0);
  auto c = stores.open(StoreKind::kAzureBlobContainer, "acct/share", 0);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->get(), b->get());
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ(stores.find_by_key("acct/share").size(), 2u);
  EXPECT_EQ(stores.find(StoreKind::kFileServer, "acct/share"), nullptr);
  EXPECT_TRUE(std::filesystem::is_directory((*a)->root()));

  auto fs = stores.open(StoreKind::kFileServer, "fs", 5 * kGiB);
  ASSERT_TRUE(fs);
  auto again = stores.open(StoreKind::kFileServer, "fs", 0);
  EXPECT_EQ((*again)->capacity_bytes(), 5 * kGiB) << "0 keeps the capacity the engine gave";
}

}  // namespace
}  // namespace emu::fakes
