#pragma once
// VmSizeCatalog: the Azure VM sizes a Batch AI cluster or file server could ask for, with what the
// engine needs to know about each (vCPUs for quota, GPUs for jobs and the node backend, memory).
// Names match case-insensitively, as the service did: "STANDARD_NC6" is "Standard_NC6".
//   const VmSize* size = VmSizeCatalog::builtin().find(props.vm_size);
//   if (size == nullptr) return core::Error::bad_request(...);  // unknown size

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace emu::engine {

struct VmSize {
  std::string name;  // Azure's spelling, e.g. "Standard_NC6"
  int vcpus = 0;
  double memory_gb = 0;  // GiB, as Azure publishes it
  int gpus = 0;
  std::string gpu_model;  // "Tesla K80", ...; empty without GPUs
  bool low_priority_capable = true;
  std::string family;            // quota family as in Azure usages, e.g. "standardNCFamily"
  bool premium_storage = false;  // an "s" size that takes premium (SSD) managed disks
  bool rdma = false;             // InfiniBand (the "r" sizes, A8/A9, H16r), for MPI across nodes
};

class VmSizeCatalog {
 public:
  explicit VmSizeCatalog(std::vector<VmSize> sizes);

  // Every size Batch AI offered in 2018 (and the handful of basics the recipes and tests use).
  static const VmSizeCatalog& builtin();

  // nullptr if no size has this name (compared without regard to case).
  const VmSize* find(std::string_view name) const;
  std::span<const VmSize> all() const { return sizes_; }
  // Distinct quota families in catalog order.
  std::vector<std::string> families() const;

  // "standardNCv2Family" -> "Standard NCv2 Family", the form usages report
  // ("Standard NCv2 Family Cluster Dedicated vCPUs").
  static std::string family_display_name(std::string_view family);

 private:
  std::vector<VmSize> sizes_;
  std::unordered_map<std::string, std::size_t> by_lower_name_;
};

}  // namespace emu::engine
