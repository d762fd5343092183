#pragma once
// The admin API's ServiceControl over a SimulatedExecutor, for router tests: advancing the clock runs
// every event up to then; file server outages are accepted (no storage behind them here).

#include "emulator/api/service_control.hpp"
#include "emulator/core/simulated_executor.hpp"

namespace emu::api::testing {

class SimulatedControl final : public ServiceControl {
 public:
  SimulatedControl(core::SimulatedExecutor& executor, std::string backend) : ex_(executor), backend_(std::move(backend)) {}
  std::string backend_name() const override { return backend_; }
  core::Time now() const override { return ex_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override {
    ex_.run_until(ex_.now() + by);
    return ex_.now();
  }
  core::Result<void> file_server_outage(const std::string&, core::Duration) override { return {}; }

 private:
  core::SimulatedExecutor& ex_;
  std::string backend_;
};

}  // namespace emu::api::testing
