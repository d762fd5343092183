#include "fakes/nfs/sim_storage_model.hpp"

#include <gtest/gtest.h>

#include "emulator/core/simulated_executor.hpp"

namespace emu::fakes {
namespace {

TEST(SimStorageModel, FillsADiskUpToItsCapacity) {
  core::SimulatedExecutor executor;
  SimStorageModel storage(executor);
  ASSERT_TRUE(storage.define_store("fs", 2 * kGiB));
  ASSERT_TRUE(storage.write_bytes("fs", kGiB));
  ASSERT_TRUE(storage.write_bytes("fs", kGiB));
  auto full = storage.write_bytes("fs", 1);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "DiskFull");
  EXPECT_EQ(storage.usage("fs")->used_bytes, 2 * kGiB);
  ASSERT_TRUE(storage.delete_bytes("fs", kGiB));
  EXPECT_TRUE(storage.write_bytes("fs", 1));
  EXPECT_EQ(storage.usage("fs")->capacity_bytes, 2 * kGiB);
}

TEST(SimStorageModel, UnknownStoresAndBadDurationsAreErrors) {
  core::SimulatedExecutor executor;
  SimStorageModel storage(executor);
  EXPECT_EQ(storage.write_bytes("nope", 1).error().code, "StoreNotFound");
  EXPECT_EQ(storage.usage("nope").error().code, "StoreNotFound");
  EXPECT_EQ(storage.define_store("", 1).error().target, "store_key");
  ASSERT_TRUE(storage.define_store("fs", 0));
  EXPECT_EQ(storage.begin_outage("fs", core::Duration::zero()).error().target, "durationSeconds");
}

TEST(SimStorageModel, AnOutageEndsOnTheExecutorClockAndKeepsTheData) {
  core::SimulatedExecutor executor;
  SimStorageModel storage(executor);
  ASSERT_TRUE(storage.define_store("fs", kGiB));
  ASSERT_TRUE(storage.write_bytes("fs", 1000));
  ASSERT_TRUE(storage.begin_outage("fs", std::chrono::minutes(5)));
  EXPECT_FALSE(storage.usage("fs")->available);
  EXPECT_EQ(storage.write_bytes("fs", 1).error().code, "FileServerUnavailable");
  executor.run_until(executor.now() + std::chrono::minutes(4));
  EXPECT_FALSE(storage.usage("fs")->available);
  executor.run_until(executor.now() + std::chrono::minutes(1));
  EXPECT_TRUE(storage.usage("fs")->available);
  EXPECT_EQ(storage.usage("fs")->used_bytes, 1000u);
  EXPECT_TRUE(storage.write_bytes("fs", 1));
}

}  // namespace
}  // namespace emu::fakes
