#include "harness/replay_control.hpp"

#include "emulator/engine/resource_path.hpp"

namespace emu::harness {

core::Result<core::Time> ReplayControl::advance_clock(core::Duration /*by*/) {
  return core::Error::conflict("ClockDrivenByReplay",
                               "the replay moves the clock itself from the scenario's timeline; give the step a "
                               "later 'at:' instead of advancing the clock");
}

core::Result<void> ReplayControl::file_server_outage(const std::string& file_server_id, core::Duration duration) {
  const std::string key = engine::to_lower(file_server_id);
  if (!storage_.usage(key)) {
    // Not mounted by any job yet: the store exists from now on, without a capacity limit until a job
    // that mounts it gives the file server's.
    if (auto defined = storage_.define_store(key, 0); !defined) return defined;
  }
  return storage_.begin_outage(key, duration);
}

api::StorageUsage ReplayControl::file_server_usage(const std::string& file_server_id) const {
  auto usage = storage_.usage(engine::to_lower(file_server_id));
  if (!usage) return {};
  return {usage->used_bytes, usage->available};
}

}  // namespace emu::harness
