#pragma once
// GpuInventory: the host's NVIDIA GPUs (from `nvidia-smi -L`) and which node holds which. A node gets
// whole GPUs, as many as its VM size has, or none when that many are not free: a GPU is never given
// to two nodes. Without GPUs a node still reports its size's count in AZ_BATCHAI_NUM_GPUS.
//   GpuInventory gpus = GpuInventory::discover();
//   std::vector<GpuDevice> mine = gpus.acquire(node.id, size.gpus);  ... gpus.release(node.id);

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace emu::fakes {

struct GpuDevice {
  int index = 0;     // as nvidia-smi numbers it: /dev/nvidia<index>
  std::string uuid;  // GPU-xxxxxxxx-...
  std::string name;
};

class GpuInventory {
 public:
  GpuInventory() = default;
  explicit GpuInventory(std::vector<GpuDevice> devices) : devices_(std::move(devices)) {}

  // Runs `nvidia-smi -L`; no GPUs when it is missing or fails.
  static GpuInventory discover();
  // Parses `nvidia-smi -L` output: "GPU 0: NVIDIA H200 (UUID: GPU-...)".
  static std::vector<GpuDevice> parse_nvidia_smi(std::string_view text);

  const std::vector<GpuDevice>& devices() const { return devices_; }
  // `count` free GPUs for the node, all or nothing.
  std::vector<GpuDevice> acquire(const std::string& node_id, int count);
  void release(const std::string& node_id);
  const std::vector<GpuDevice>* held_by(const std::string& node_id) const;

 private:
  std::vector<GpuDevice> devices_;
  std::map<std::string, std::vector<GpuDevice>, std::less<>> held_;
};

}  // namespace emu::fakes
