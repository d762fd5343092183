#pragma once
// EngineSettings: every timing and limit of the emulated service, so that behaviour is a setting and
// not a constant buried in code. Two documented profiles (docs/settings.md): `fast` (the default:
// seconds, so that development loops are quick) and `realistic` (the live service's minutes, from
// RUNTIME.md and the recorded sessions).
//   EngineSettings s = *EngineSettings::profile_named("realistic");

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/core/time.hpp"

namespace emu::engine {

struct EngineSettings {
  std::string profile = "fast";

  // Provisioning of the resources themselves.
  core::Duration cluster_provisioning_delay{};
  core::Duration cluster_deletion_delay{};
  core::Duration file_server_provisioning_delay{};
  core::Duration file_server_deletion_delay{};
  core::Duration job_deletion_delay{};
  core::Duration workspace_deletion_delay{};

  // Nodes: a resize waits `node_allocation_delay` before the new nodes appear (preparing), which then
  // take `node_setup_duration` (sim backend) to mount and run the setup task; leaving nodes are gone
  // after `node_deallocation_delay`.
  core::Duration node_allocation_delay = std::chrono::seconds(2);
  core::Duration node_setup_duration = std::chrono::seconds(1);
  core::Duration node_deallocation_delay = std::chrono::seconds(1);
  std::int32_t max_nodes_per_cluster = 100;

  // Autoscale clusters are sized every `autoscale_interval` to queued plus running demand.
  core::Duration autoscale_interval = std::chrono::seconds(5);

  // Scheduling: strict priority then FIFO. With backfill, a job further back that fits on idle nodes
  // may start while the head of the queue waits for more nodes (it can delay the head job).
  bool scheduler_backfill = false;

  // Low-priority nodes: preempted at this mean rate per node-hour (0: only by fault), and a job that
  // has run this long on one is preempted, as Azure did after 24 hours.
  double low_priority_preemptions_per_hour = 0;
  core::Duration low_priority_max_job_run = std::chrono::hours(24);

  // Retry-After sent with every 202 and in-progress poll. The live service sent none (clients then
  // wait 30 s); 0 means "no header" so that clients fall back to their own polling interval.
  int lro_retry_after_seconds = 1;

  // Quota, as Usages_List reports it and allocation enforces: vCPUs per VM family and priority.
  std::int64_t dedicated_vcpu_quota_per_family = 600;
  std::int64_t low_priority_vcpu_quota_per_family = 150;
  std::int64_t total_dedicated_vcpu_quota = 600;
  std::int64_t total_low_priority_vcpu_quota = 150;
  std::int64_t cluster_quota = 20;
  // Per-family overrides of the dedicated limit, keyed by display name: "Standard NC Family" -> 24.
  std::map<std::string, std::int64_t, std::less<>> dedicated_quota_overrides;

  // Largest page a list returns when the client gives no maxresults (the spec's default).
  int default_max_results = 1000;

  // Limits that keep one emulator's memory and store bounded (docs/settings.md, `limits:`).
  // Long-running operations not yet finished, across the emulator: one more is refused with 429
  // TooManyOperationsInFlight (and Retry-After) until one finishes.
  std::int64_t max_operations_in_flight = 10'000;
  // Jobs an experiment holds, finished ones included, until their delete operation is done: one more
  // is refused with 409 JobQuotaReached. Above the 117,325 jobs of the Philly-scale trace, which
  // replays into one experiment.
  std::int64_t max_jobs_per_experiment = 200'000;

  static std::optional<EngineSettings> profile_named(std::string_view name);
};

}  // namespace emu::engine
