#include "emulator/engine/engine_settings.hpp"

namespace emu::engine {

std::optional<EngineSettings> EngineSettings::profile_named(std::string_view name) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  EngineSettings s;
  if (name == "fast") return s;
  if (name == "realistic") {
    // Durations measured in the recorded sessions (recordings/README.md, RUNTIME.md).
    s.profile = "realistic";
    s.cluster_provisioning_delay = seconds(10);
    s.cluster_deletion_delay = seconds(30);
    s.file_server_provisioning_delay = seconds(268);
    s.file_server_deletion_delay = seconds(421);
    s.job_deletion_delay = seconds(2);
    s.workspace_deletion_delay = seconds(4);
    s.node_allocation_delay = minutes(2);
    s.node_setup_duration = minutes(2);
    s.node_deallocation_delay = seconds(270);
    s.autoscale_interval = minutes(5);
    s.lro_retry_after_seconds = 15;
    return s;
  }
  return std::nullopt;
}

}  // namespace emu::engine
