#pragma once
// SimulatedControl: the ServiceControl of a benchmark's engine on the simulated clock, so the
// router's admin routes work without a server. Its clock moves only when asked.
//   SimulatedControl control(executor);  api::Router router(engine, control);

#include <string>

#include "emulator/api/service_control.hpp"
#include "emulator/core/simulated_executor.hpp"

namespace emu::bench {

class SimulatedControl final : public api::ServiceControl {
 public:
  explicit SimulatedControl(core::SimulatedExecutor& executor) : executor_(executor) {}
  std::string backend_name() const override { return "sim"; }
  core::Time now() const override { return executor_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override {
    executor_.run_until(executor_.now() + by);
    return executor_.now();
  }
  core::Result<void> file_server_outage(const std::string&, core::Duration) override { return {}; }

 private:
  core::SimulatedExecutor& executor_;
};

}  // namespace emu::bench
