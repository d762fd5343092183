#include "emulator/server/settings_file.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace emu::server {

namespace {

using core::Error;

class SettingsReader {
 public:
  explicit SettingsReader(std::string_view source) : source_(source) {}

  Error error(const YAML::Node& node, std::string_view key, std::string_view what) const {
    return Error::bad_request("InvalidSettings",
                              fmt::format("{}:{}: {}: {}", source_, node.Mark().line + 1, key, what), std::string(key));
  }

  core::Result<core::Duration> duration(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) return error(node, key, "expected a duration: seconds (90) or ISO 8601 (PT10M)");
    auto d = core::parse_duration(node.Scalar());
    if (!d) return error(node, key, fmt::format("'{}' is not a duration: use seconds (90) or ISO 8601 (PT10M)", node.Scalar()));
    return *d;
  }

  template <typename T>
  core::Result<T> number(const YAML::Node& node, std::string_view key, T lo, T hi) const {
    T value{};
    if (!node.IsScalar() || !YAML::convert<T>::decode(node, value) || value < lo || value > hi) {
      return error(node, key, fmt::format("expected a number from {} to {}", lo, hi));
    }
    return value;
  }

  core::Result<bool> boolean(const YAML::Node& node, std::string_view key) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) return error(node, key, "expected true or false");
    return value;
  }

 private:
  std::string source_;
};

using Apply = std::function<core::Result<void>(const YAML::Node&, const SettingsReader&, EmulatorSettings&)>;

Apply set_duration(core::Duration engine::EngineSettings::*field, std::string key) {
  return [field, key](const YAML::Node& n, const SettingsReader& r, EmulatorSettings& s) -> core::Result<void> {
    auto d = r.duration(n, key);
    if (!d) return d.error();
    s.engine.*field = *d;
    return {};
  };
}

template <typename T>
Apply set_number(T engine::EngineSettings::*field, std::string key, T lo, T hi) {
  return [=](const YAML::Node& n, const SettingsReader& r, EmulatorSettings& s) -> core::Result<void> {
    auto v = r.number<T>(n, key, lo, hi);
    if (!v) return v.error();
    s.engine.*field = *v;
    return {};
  };
}

// "section.key" -> how to apply it. The profile is applied first; these override it.
const std::map<std::string, Apply, std::less<>>& appliers() {
  using S = engine::EngineSettings;
  static const std::map<std::string, Apply, std::less<>> table = {
      {"cluster.provisioningDelay", set_duration(&S::cluster_provisioning_delay, "cluster.provisioningDelay")},
      {"cluster.deletionDelay", set_duration(&S::cluster_deletion_delay, "cluster.deletionDelay")},
      {"fileServer.provisioningDelay",
       set_duration(&S::file_server_provisioning_delay, "fileServer.provisioningDelay")},
      {"fileServer.deletionDelay", set_duration(&S::file_server_deletion_delay, "fileServer.deletionDelay")},
      {"job.deletionDelay", set_duration(&S::job_deletion_delay, "job.deletionDelay")},
      {"workspace.deletionDelay", set_duration(&S::workspace_deletion_delay, "workspace.deletionDelay")},
      {"nodes.allocationDelay", set_duration(&S::node_allocation_delay, "nodes.allocationDelay")},
      {"nodes.setupDuration", set_duration(&S::node_setup_duration, "nodes.setupDuration")},
      {"nodes.deallocationDelay", set_duration(&S::node_deallocation_delay, "nodes.deallocationDelay")},
      {"nodes.maxPerCluster", set_number<std::int32_t>(&S::max_nodes_per_cluster, "nodes.maxPerCluster", 1, 100000)},
      {"autoscale.interval", set_duration(&S::autoscale_interval, "autoscale.interval")},
      {"scheduler.backfill",
       [](const YAML::Node& n, const SettingsReader& r, EmulatorSettings& s) -> core::Result<void> {
         auto v = r.boolean(n, "scheduler.backfill");
         if (!v) return v.error();
         s.engine.scheduler_backfill = *v;
         return {};
       }},
      {"lowPriority.preemptionsPerHour",
       set_number<double>(&S::low_priority_preemptions_per_hour, "lowPriority.preemptionsPerHour", 0.0, 1e6)},
      {"lowPriority.maxJobRun", set_duration(&S::low_priority_max_job_run, "lowPriority.maxJobRun")},
      {"lro.retryAfterSeconds", set_number<int>(&S::lro_retry_after_seconds, "lro.retryAfterSeconds", 0, 3600)},
      {"quota.dedicatedVcpusPerFamily",
       set_number<std::int64_t>(&S::dedicated_vcpu_quota_per_family, "quota.dedicatedVcpusPerFamily", 0, 1LL << 40)},
      {"quota.lowPriorityVcpusPerFamily", set_number<std::int64_t>(&S::low_priority_vcpu_quota_per_family,
                                                                    "quota.lowPriorityVcpusPerFamily", 0, 1LL << 40)},
      {"quota.totalDedicatedVcpus",
       set_number<std::int64_t>(&S::total_dedicated_vcpu_quota, "quota.totalDedicatedVcpus", 0, 1LL << 40)},
      {"quota.totalLowPriorityVcpus",
       set_number<std::int64_t>(&S::total_low_priority_vcpu_quota, "quota.totalLowPriorityVcpus", 0, 1LL << 40)},
      {"quota.clusters", set_number<std::int64_t>(&S::cluster_quota, "quota.clusters", 0, 1LL << 40)},
      {"api.defaultMaxResults", set_number<int>(&S::default_max_results, "api.defaultMaxResults", 1, 1000)},
      {"limits.maxOperationsInFlight",
       set_number<std::int64_t>(&S::max_operations_in_flight, "limits.maxOperationsInFlight", 1, 1LL << 40)},
      {"limits.maxJobsPerExperiment",
       set_number<std::int64_t>(&S::max_jobs_per_experiment, "limits.maxJobsPerExperiment", 1, 1LL << 40)},
      {"limits.journalRecordsInMemory",
       [](const YAML::Node& n, const SettingsReader& r, EmulatorSettings& s) -> core::Result<void> {
         auto v = r.number<std::uint64_t>(n, "limits.journalRecordsInMemory", 0, 1ULL << 40);
         if (!v) return v.error();
         s.journal_records_in_memory = *v;
         return {};
       }},
  };
  return table;
}

}  // namespace

core::Result<EmulatorSettings> parse_settings(std::string_view yaml, std::string_view source) {
  SettingsReader reader(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return Error::bad_request("InvalidSettings", fmt::format("{}:{}: not valid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  EmulatorSettings settings;
  if (root.IsNull()) return settings;
  if (!root.IsMap()) return reader.error(root, "(top)", "expected a mapping of settings");
  if (const auto profile = root["profile"]) {
    auto named = profile.IsScalar() ? engine::EngineSettings::profile_named(profile.Scalar()) : std::nullopt;
    if (!named) return reader.error(profile, "profile", "expected fast or realistic");
    settings.engine = *named;
  }
  for (const auto& section : root) {
    const std::string name = section.first.as<std::string>();
    if (name == "profile") continue;
    if (name == "epoch") {
      auto t = section.second.IsScalar() ? core::parse_timestamp(section.second.Scalar()) : std::nullopt;
      if (!t) return reader.error(section.second, "epoch", "expected a UTC timestamp like 2018-06-01T00:00:00Z");
      settings.epoch = *t;
      continue;
    }
    if (!section.second.IsMap()) {
      return reader.error(section.second, name, "unknown setting (docs/settings.md lists them)");
    }
    for (const auto& entry : section.second) {
      const std::string key = name + "." + entry.first.as<std::string>();
      if (key == "quota.dedicatedOverrides") {
        if (!entry.second.IsMap()) return reader.error(entry.second, key, "expected family name: vCPU limit pairs");
        for (const auto& o : entry.second) {
          auto limit = reader.number<std::int64_t>(o.second, key, 0, 1LL << 40);
          if (!limit) return limit.error();
          settings.engine.dedicated_quota_overrides[o.first.as<std::string>()] = *limit;
        }
        continue;
      }
      auto it = appliers().find(key);
      if (it == appliers().end()) {
        return reader.error(entry.first, key, "unknown setting (docs/settings.md lists them)");
      }
      if (auto applied = it->second(entry.second, reader, settings); !applied) return applied.error();
    }
  }
  return settings;
}

core::Result<EmulatorSettings> load_settings_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return Error::bad_request("InvalidSettings",
                              fmt::format("cannot read the settings file {}; check the path given to --config",
                                          file.string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_settings(text.str(), file.string());
}

}  // namespace emu::server
