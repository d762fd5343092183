#pragma once
// ReplayControl: the ServiceControl a replay gives the admin API. The replay itself drives the
// virtual clock from its timeline, so a request to advance the clock is refused rather than run
// inside a step (which would reorder every event after it).
//   ReplayControl control(executor);  api::Router router(engine, control);

#include "emulator/api/service_control.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "fakes/nfs/storage_accounting.hpp"

namespace emu::harness {

class ReplayControl final : public api::ServiceControl {
 public:
  ReplayControl(const core::SimulatedExecutor& executor, fakes::StorageAccounting& storage)
      : executor_(executor), storage_(storage) {}

  std::string backend_name() const override { return "sim"; }
  core::Time now() const override { return executor_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override;
  // The storage model keeps the outage on the virtual clock; jobs writing to it then wait or fail.
  core::Result<void> file_server_outage(const std::string& file_server_id, core::Duration duration) override;
  api::StorageUsage file_server_usage(const std::string& file_server_id) const override;

 private:
  const core::SimulatedExecutor& executor_;
  fakes::StorageAccounting& storage_;
};

}  // namespace emu::harness
