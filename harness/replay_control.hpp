#pragma once
// ReplayControl: the ServiceControl a replay gives the admin API. The replay itself drives the
// virtual clock from its timeline, so a request to advance the clock is refused rather than run
// inside a step (which would reorder every event after it).
//   ReplayControl control(executor);  api::Router router(engine, control);

#include "emulator/api/service_control.hpp"
#include "emulator/core/simulated_executor.hpp"

namespace emu::harness {

class ReplayControl final : public api::ServiceControl {
 public:
  explicit ReplayControl(const core::SimulatedExecutor& executor) : executor_(executor) {}

  std::string backend_name() const override { return "sim"; }
  core::Time now() const override { return executor_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override;
  // Simulated file servers have no I/O to block; the outage is journaled by the admin API.
  core::Result<void> file_server_outage(const std::string&, core::Duration) override { return {}; }

 private:
  const core::SimulatedExecutor& executor_;
};

}  // namespace emu::harness
