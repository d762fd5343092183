#include "fakes/nodes/gpu_inventory.hpp"

#include <gtest/gtest.h>

namespace emu::fakes {
namespace {

TEST(GpuInventory, ParsesAndNeverSharesAGpu) {
  auto devices = GpuInventory::parse_nvidia_smi(
      "GPU 0: NVIDIA H200 (UUID: GPU-aaa)\nGPU 1: NVIDIA H200 (UUID: GPU-bbb)\n");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[1].uuid, "GPU-bbb");
  EXPECT_EQ(devices[0].name, "NVIDIA H200");
  GpuInventory inv(devices);
  EXPECT_EQ(inv.acquire("a", 1).size(), 1u);
  EXPECT_TRUE(inv.acquire("b", 2).empty());  // all or nothing
  auto b = inv.acquire("b", 1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].index, 1);
  inv.release("a");
  EXPECT_EQ(inv.acquire("c", 1)[0].index, 0);
}

}  // namespace
}  // namespace emu::fakes
