#include "fakes/nodes/gpu_inventory.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <set>
#include <sstream>

namespace emu::fakes {

std::vector<GpuDevice> GpuInventory::parse_nvidia_smi(std::string_view text) {
  std::vector<GpuDevice> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("GPU ")) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    GpuDevice d;
    try {
      d.index = std::stoi(line.substr(4, colon - 4));
    } catch (...) {
      continue;
    }
    const auto uuid_at = line.find("(UUID: ");
    d.name = line.substr(colon + 2, uuid_at == std::string::npos ? std::string::npos : uuid_at - colon - 3);
    if (uuid_at != std::string::npos) {
      const auto end = line.find(')', uuid_at);
      d.uuid = line.substr(uuid_at + 7, end == std::string::npos ? std::string::npos : end - uuid_at - 7);
    }
    out.push_back(std::move(d));
  }
  return out;
}

GpuInventory GpuInventory::discover() {
  FILE* pipe = ::popen("nvidia-smi -L 2>/dev/null", "r");
  if (pipe == nullptr) return {};
  std::string text;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) text += buffer.data();
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return GpuInventory(parse_nvidia_smi(text));
}

std::vector<GpuDevice> GpuInventory::acquire(const std::string& node_id, int count) {
  release(node_id);
  if (count <= 0) return {};
  std::set<int> taken;
  for (const auto& [node, gpus] : held_) {
    for (const auto& g : gpus) taken.insert(g.index);
  }
  std::vector<GpuDevice> mine;
  for (const auto& d : devices_) {
    if (static_cast<int>(mine.size()) == count) break;
    if (!taken.contains(d.index)) mine.push_back(d);
  }
  if (static_cast<int>(mine.size()) < count) return {};
  held_[node_id] = mine;
  return mine;
}

void GpuInventory::release(const std::string& node_id) { held_.erase(node_id); }

const std::vector<GpuDevice>* GpuInventory::held_by(const std::string& node_id) const {
  auto it = held_.find(node_id);
  return it == held_.end() ? nullptr : &it->second;
}

}  // namespace emu::fakes
