#pragma once
// EngineSettings: every timing and limit of the emulated service, so that behaviour is a setting and
// not a constant buried in code. Two documented profiles: `fast` (the default: seconds, so that
// development loops are quick) and `realistic` (the live service's minutes, from RUNTIME.md).
//   EngineSettings s = EngineSettings::profile("realistic").value();

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/core/time.hpp"

namespace emu::engine {

struct EngineSettings {
  std::string profile = "fast";

  // Provisioning of the resources themselves (not of nodes).
  core::Duration cluster_provisioning_delay{};
  core::Duration cluster_deletion_delay{};
  core::Duration file_server_provisioning_delay{};
  core::Duration file_server_deletion_delay{};
  core::Duration job_deletion_delay{};
  core::Duration workspace_deletion_delay{};

  // Retry-After sent with every 202 and in-progress poll. The live service sent none (clients then
  // wait 30 s); 0 means "no header" so that clients fall back to their own polling interval.
  int lro_retry_after_seconds = 1;

  // Quota, as Usages_List reports it: vCPUs per VM family and priority, and clusters per region.
  std::int64_t dedicated_vcpu_quota_per_family = 600;
  std::int64_t low_priority_vcpu_quota_per_family = 150;
  std::int64_t total_dedicated_vcpu_quota = 600;
  std::int64_t total_low_priority_vcpu_quota = 150;
  std::int64_t cluster_quota = 20;
  // Per-family overrides: "Standard NC Family" -> limit (dedicated).
  std::map<std::string, std::int64_t, std::less<>> dedicated_quota_overrides;

  // Largest page a list returns when the client gives no maxresults (the spec's default).
  int default_max_results = 1000;

  static std::optional<EngineSettings> profile_named(std::string_view name);
};

}  // namespace emu::engine
