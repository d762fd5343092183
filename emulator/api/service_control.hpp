#pragma once
// ServiceControl: what the emulator's own admin API (/emulator/v1/...) may ask of the running
// service besides the engine: which backend runs, and the clock. `serve` and `replay` implement it
// over the executor they chose.
//   control.advance_clock(std::chrono::seconds(60));  // sim backend: runs every event up to now+60s

#include <cstdint>
#include <string>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::api {

// What a file server's storage holds: bytes written, and whether it is up.
struct StorageUsage {
  std::uint64_t used_bytes = 0;
  bool available = true;
};

class ServiceControl {
 public:
  virtual ~ServiceControl() = default;
  virtual std::string backend_name() const = 0;
  virtual core::Time now() const = 0;
  virtual double time_scale() const = 0;
  // Runs every event due up to now + `by` and returns the new time; an error where the clock
  // cannot be moved (real nodes follow the wall clock).
  virtual core::Result<core::Time> advance_clock(core::Duration by) = 0;
  // Makes a file server's storage unavailable for `duration` (I/O blocks on hard mounts, fails on soft
  // ones). `file_server_id` is its ARM id; it has been checked to exist.
  virtual core::Result<void> file_server_outage(const std::string& file_server_id, core::Duration duration) = 0;
  // Usage of a file server's storage; nothing written yet (or no storage model) reads as empty.
  virtual StorageUsage file_server_usage(const std::string& /*file_server_id*/) const { return {}; }
};

}  // namespace emu::api
