#pragma once
// SimulatedControl: the admin API's ServiceControl over a SimulatedExecutor, for code that runs the
// router without a server (tests, benchmarks): advancing the clock runs every event up to then;
// file server outages are accepted (there is no storage model behind this one).
//   harness::SimulatedControl control(executor);  api::Router router(engine, control);

#include <string>

#include "emulator/api/service_control.hpp"
#include "emulator/core/simulated_executor.hpp"

namespace emu::harness {

class SimulatedControl final : public api::ServiceControl {
 public:
  explicit SimulatedControl(core::SimulatedExecutor& executor, std::string backend = "sim")
      : executor_(executor), backend_(std::move(backend)) {}
  std::string backend_name() const override { return backend_; }
  core::Time now() const override { return executor_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override {
    executor_.run_until(executor_.now() + by);
    return executor_.now();
  }
  core::Result<void> file_server_outage(const std::string&, core::Duration) override { return {}; }

 private:
  core::SimulatedExecutor& executor_;
  std::string backend_;
};

}  // namespace emu::harness
