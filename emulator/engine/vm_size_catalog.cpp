#include "emulator/engine/vm_size_catalog.hpp"

namespace emu::engine {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Shorthands that keep the table below one size per line.
VmSize cpu(std::string name, int vcpus, double memory_gb, std::string family, bool premium = false,
           bool rdma = false) {
  return VmSize{.name = std::move(name),
                .vcpus = vcpus,
                .memory_gb = memory_gb,
                .gpus = 0,
                .gpu_model = {},
                .low_priority_capable = true,
                .family = std::move(family),
                .premium_storage = premium,
                .rdma = rdma};
}
VmSize gpu(std::string name, int vcpus, double memory_gb, int gpus, std::string model, std::string family,
           bool premium, bool rdma = false) {
  return VmSize{.name = std::move(name),
                .vcpus = vcpus,
                .memory_gb = memory_gb,
                .gpus = gpus,
                .gpu_model = std::move(model),
                .low_priority_capable = true,
                .family = std::move(family),
                .premium_storage = premium,
                .rdma = rdma};
}

// Azure's published figures. GPU families carry the names Batch AI's own usages used ("Standard NCv2
// Family", where Compute says "NCSv2"), since the emulator answers Batch AI's usages call.
std::vector<VmSize> builtin_sizes() {
  constexpr bool kPremium = true;
  constexpr bool kRdma = true;
  return {
      // NC: Tesla K80
      gpu("Standard_NC6", 6, 56, 1, "Tesla K80", "standardNCFamily", false),
      gpu("Standard_NC12", 12, 112, 2, "Tesla K80", "standardNCFamily", false),
      gpu("Standard_NC24", 24, 224, 4, "Tesla K80", "standardNCFamily", false),
      gpu("Standard_NC24r", 24, 224, 4, "Tesla K80", "standardNCFamily", false, kRdma),
      // NCv2: Tesla P100
      gpu("Standard_NC6s_v2", 6, 112, 1, "Tesla P100", "standardNCv2Family", kPremium),
      gpu("Standard_NC12s_v2", 12, 224, 2, "Tesla P100", "standardNCv2Family", kPremium),
      gpu("Standard_NC24s_v2", 24, 448, 4, "Tesla P100", "standardNCv2Family", kPremium),
      gpu("Standard_NC24rs_v2", 24, 448, 4, "Tesla P100", "standardNCv2Family", kPremium, kRdma),
      // NCv3: Tesla V100
      gpu("Standard_NC6s_v3", 6, 112, 1, "Tesla V100", "standardNCv3Family", kPremium),
      gpu("Standard_NC12s_v3", 12, 224, 2, "Tesla V100", "standardNCv3Family", kPremium),
      gpu("Standard_NC24s_v3", 24, 448, 4, "Tesla V100", "standardNCv3Family", kPremium),
      gpu("Standard_NC24rs_v3", 24, 448, 4, "Tesla V100", "standardNCv3Family", kPremium, kRdma),
      // ND: Tesla P40
      gpu("Standard_ND6s", 6, 112, 1, "Tesla P40", "standardNDFamily", kPremium),
      gpu("Standard_ND12s", 12, 224, 2, "Tesla P40", "standardNDFamily", kPremium),
      gpu("Standard_ND24s", 24, 448, 4, "Tesla P40", "standardNDFamily", kPremium),
      gpu("Standard_ND24rs", 24, 448, 4, "Tesla P40", "standardNDFamily", kPremium, kRdma),
      // NDv2: 8 x Tesla V100 (NVLink); announced as ND40s_v2, shipped as ND40rs_v2
      gpu("Standard_ND40s_v2", 40, 672, 8, "Tesla V100", "standardNDv2Family", kPremium),
      gpu("Standard_ND40rs_v2", 40, 672, 8, "Tesla V100", "standardNDv2Family", kPremium, kRdma),
      // NV: Tesla M60
      gpu("Standard_NV6", 6, 56, 1, "Tesla M60", "standardNVFamily", false),
      gpu("Standard_NV12", 12, 112, 2, "Tesla M60", "standardNVFamily", false),
      gpu("Standard_NV24", 24, 224, 4, "Tesla M60", "standardNVFamily", false),

      // A (basic compute); Batch AI did not take A0 for clusters, the model's validation says so
      cpu("Standard_A0", 1, 0.75, "standardA0_A7Family"),
      cpu("Standard_A1", 1, 1.75, "standardA0_A7Family"),
      cpu("Standard_A2", 2, 3.5, "standardA0_A7Family"),
      cpu("Standard_A3", 4, 7, "standardA0_A7Family"),
      cpu("Standard_A4", 8, 14, "standardA0_A7Family"),
      cpu("Standard_A5", 2, 14, "standardA0_A7Family"),
      cpu("Standard_A6", 4, 28, "standardA0_A7Family"),
      cpu("Standard_A7", 8, 56, "standardA0_A7Family"),
      cpu("Standard_A8", 8, 56, "standardA8_A11Family", false, kRdma),
      cpu("Standard_A9", 16, 112, "standardA8_A11Family", false, kRdma),
      cpu("Standard_A10", 8, 56, "standardA8_A11Family"),
      cpu("Standard_A11", 16, 112, "standardA8_A11Family"),
      // Av2
      cpu("Standard_A1_v2", 1, 2, "standardAv2Family"),
      cpu("Standard_A2_v2", 2, 4, "standardAv2Family"),
      cpu("Standard_A4_v2", 4, 8, "standardAv2Family"),
      cpu("Standard_A8_v2", 8, 16, "standardAv2Family"),
      cpu("Standard_A2m_v2", 2, 16, "standardAv2Family"),
      cpu("Standard_A4m_v2", 4, 32, "standardAv2Family"),
      cpu("Standard_A8m_v2", 8, 64, "standardAv2Family"),
      // D
      cpu("Standard_D1", 1, 3.5, "standardDFamily"),
      cpu("Standard_D2", 2, 7, "standardDFamily"),
      cpu("Standard_D3", 4, 14, "standardDFamily"),
      cpu("Standard_D4", 8, 28, "standardDFamily"),
      cpu("Standard_D11", 2, 14, "standardDFamily"),
      cpu("Standard_D12", 4, 28, "standardDFamily"),
      cpu("Standard_D13", 8, 56, "standardDFamily"),
      cpu("Standard_D14", 16, 112, "standardDFamily"),
      // DS
      cpu("Standard_DS1", 1, 3.5, "standardDSFamily", kPremium),
      cpu("Standard_DS2", 2, 7, "standardDSFamily", kPremium),
      cpu("Standard_DS3", 4, 14, "standardDSFamily", kPremium),
      cpu("Standard_DS4", 8, 28, "standardDSFamily", kPremium),
      cpu("Standard_DS11", 2, 14, "standardDSFamily", kPremium),
      cpu("Standard_DS12", 4, 28, "standardDSFamily", kPremium),
      cpu("Standard_DS13", 8, 56, "standardDSFamily", kPremium),
      cpu("Standard_DS14", 16, 112, "standardDSFamily", kPremium),
      // Dv2
      cpu("Standard_D1_v2", 1, 3.5, "standardDv2Family"),
      cpu("Standard_D2_v2", 2, 7, "standardDv2Family"),
      cpu("Standard_D3_v2", 4, 14, "standardDv2Family"),
      cpu("Standard_D4_v2", 8, 28, "standardDv2Family"),
      cpu("Standard_D5_v2", 16, 56, "standardDv2Family"),
      cpu("Standard_D11_v2", 2, 14, "standardDv2Family"),
      cpu("Standard_D12_v2", 4, 28, "standardDv2Family"),
      cpu("Standard_D13_v2", 8, 56, "standardDv2Family"),
      cpu("Standard_D14_v2", 16, 112, "standardDv2Family"),
      cpu("Standard_D15_v2", 20, 140, "standardDv2Family"),
      // DSv2
      cpu("Standard_DS1_v2", 1, 3.5, "standardDSv2Family", kPremium),
      cpu("Standard_DS2_v2", 2, 7, "standardDSv2Family", kPremium),
      cpu("Standard_DS3_v2", 4, 14, "standardDSv2Family", kPremium),
      cpu("Standard_DS4_v2", 8, 28, "standardDSv2Family", kPremium),
      cpu("Standard_DS5_v2", 16, 56, "standardDSv2Family", kPremium),
      cpu("Standard_DS11_v2", 2, 14, "standardDSv2Family", kPremium),
      cpu("Standard_DS12_v2", 4, 28, "standardDSv2Family", kPremium),
      cpu("Standard_DS13_v2", 8, 56, "standardDSv2Family", kPremium),
      cpu("Standard_DS14_v2", 16, 112, "standardDSv2Family", kPremium),
      cpu("Standard_DS15_v2", 20, 140, "standardDSv2Family", kPremium),
      // Dv3
      cpu("Standard_D2_v3", 2, 8, "standardDv3Family"),
      cpu("Standard_D4_v3", 4, 16, "standardDv3Family"),
      cpu("Standard_D8_v3", 8, 32, "standardDv3Family"),
      cpu("Standard_D16_v3", 16, 64, "standardDv3Family"),
      cpu("Standard_D32_v3", 32, 128, "standardDv3Family"),
      cpu("Standard_D48_v3", 48, 192, "standardDv3Family"),
      cpu("Standard_D64_v3", 64, 256, "standardDv3Family"),
      // DSv3
      cpu("Standard_D2s_v3", 2, 8, "standardDSv3Family", kPremium),
      cpu("Standard_D4s_v3", 4, 16, "standardDSv3Family", kPremium),
      cpu("Standard_D8s_v3", 8, 32, "standardDSv3Family", kPremium),
      cpu("Standard_D16s_v3", 16, 64, "standardDSv3Family", kPremium),
      cpu("Standard_D32s_v3", 32, 128, "standardDSv3Family", kPremium),
      cpu("Standard_D48s_v3", 48, 192, "standardDSv3Family", kPremium),
      cpu("Standard_D64s_v3", 64, 256, "standardDSv3Family", kPremium),
      // Ev3
      cpu("Standard_E2_v3", 2, 16, "standardEv3Family"),
      cpu("Standard_E4_v3", 4, 32, "standardEv3Family"),
      cpu("Standard_E8_v3", 8, 64, "standardEv3Family"),
      cpu("Standard_E16_v3", 16, 128, "standardEv3Family"),
      cpu("Standard_E20_v3", 20, 160, "standardEv3Family"),
      cpu("Standard_E32_v3", 32, 256, "standardEv3Family"),
      cpu("Standard_E48_v3", 48, 384, "standardEv3Family"),
      cpu("Standard_E64_v3", 64, 432, "standardEv3Family"),
      cpu("Standard_E64i_v3", 64, 432, "standardEv3Family"),
      // ESv3
      cpu("Standard_E2s_v3", 2, 16, "standardESv3Family", kPremium),
      cpu("Standard_E4s_v3", 4, 32, "standardESv3Family", kPremium),
      cpu("Standard_E8s_v3", 8, 64, "standardESv3Family", kPremium),
      cpu("Standard_E16s_v3", 16, 128, "standardESv3Family", kPremium),
      cpu("Standard_E20s_v3", 20, 160, "standardESv3Family", kPremium),
      cpu("Standard_E32s_v3", 32, 256, "standardESv3Family", kPremium),
      cpu("Standard_E48s_v3", 48, 384, "standardESv3Family", kPremium),
      cpu("Standard_E64s_v3", 64, 432, "standardESv3Family", kPremium),
      cpu("Standard_E64is_v3", 64, 432, "standardESv3Family", kPremium),
      // F
      cpu("Standard_F1", 1, 2, "standardFFamily"),
      cpu("Standard_F2", 2, 4, "standardFFamily"),
      cpu("Standard_F4", 4, 8, "standardFFamily"),
      cpu("Standard_F8", 8, 16, "standardFFamily"),
      cpu("Standard_F16", 16, 32, "standardFFamily"),
      // FS
      cpu("Standard_F1s", 1, 2, "standardFSFamily", kPremium),
      cpu("Standard_F2s", 2, 4, "standardFSFamily", kPremium),
      cpu("Standard_F4s", 4, 8, "standardFSFamily", kPremium),
      cpu("Standard_F8s", 8, 16, "standardFSFamily", kPremium),
      cpu("Standard_F16s", 16, 32, "standardFSFamily", kPremium),
      // FSv2
      cpu("Standard_F2s_v2", 2, 4, "standardFSv2Family", kPremium),
      cpu("Standard_F4s_v2", 4, 8, "standardFSv2Family", kPremium),
      cpu("Standard_F8s_v2", 8, 16, "standardFSv2Family", kPremium),
      cpu("Standard_F16s_v2", 16, 32, "standardFSv2Family", kPremium),
      cpu("Standard_F32s_v2", 32, 64, "standardFSv2Family", kPremium),
      cpu("Standard_F48s_v2", 48, 96, "standardFSv2Family", kPremium),
      cpu("Standard_F64s_v2", 64, 128, "standardFSv2Family", kPremium),
      cpu("Standard_F72s_v2", 72, 144, "standardFSv2Family", kPremium),
      // G
      cpu("Standard_G1", 2, 28, "standardGFamily"),
      cpu("Standard_G2", 4, 56, "standardGFamily"),
      cpu("Standard_G3", 8, 112, "standardGFamily"),
      cpu("Standard_G4", 16, 224, "standardGFamily"),
      cpu("Standard_G5", 32, 448, "standardGFamily"),
      // GS
      cpu("Standard_GS1", 2, 28, "standardGSFamily", kPremium),
      cpu("Standard_GS2", 4, 56, "standardGSFamily", kPremium),
      cpu("Standard_GS3", 8, 112, "standardGSFamily", kPremium),
      cpu("Standard_GS4", 16, 224, "standardGSFamily", kPremium),
      cpu("Standard_GS5", 32, 448, "standardGSFamily", kPremium),
      // H (HPC)
      cpu("Standard_H8", 8, 56, "standardHFamily"),
      cpu("Standard_H16", 16, 112, "standardHFamily"),
      cpu("Standard_H8m", 8, 112, "standardHFamily"),
      cpu("Standard_H16m", 16, 224, "standardHFamily"),
      cpu("Standard_H16r", 16, 112, "standardHFamily", false, kRdma),
      cpu("Standard_H16mr", 16, 224, "standardHFamily", false, kRdma),
  };
}

}  // namespace

VmSizeCatalog::VmSizeCatalog(std::vector<VmSize> sizes) : sizes_(std::move(sizes)) {
  for (std::size_t i = 0; i < sizes_.size(); ++i) {
    by_lower_name_.emplace(lowercase(sizes_[i].name), i);  // the first of two equal names wins
  }
}

const VmSizeCatalog& VmSizeCatalog::builtin() {
  static const VmSizeCatalog catalog(builtin_sizes());
  return catalog;
}

const VmSize* VmSizeCatalog::find(std::string_view name) const {
  const auto it = by_lower_name_.find(lowercase(name));
  return it == by_lower_name_.end() ? nullptr : &sizes_[it->second];
}

std::vector<std::string> VmSizeCatalog::families() const {
  std::vector<std::string> out;
  for (const auto& size : sizes_) {
    bool seen = false;
    for (const auto& family : out) seen = seen || family == size.family;
    if (!seen) out.push_back(size.family);
  }
  return out;
}

std::string VmSizeCatalog::family_display_name(std::string_view family) {
  constexpr std::string_view kPrefix = "standard";
  constexpr std::string_view kSuffix = "Family";
  std::string_view core = family;
  if (core.starts_with(kPrefix)) core.remove_prefix(kPrefix.size());
  if (core.ends_with(kSuffix)) core.remove_suffix(kSuffix.size());
  return "Standard " + std::string(core) + " Family";
}

}  // namespace emu::engine
