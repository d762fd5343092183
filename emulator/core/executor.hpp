#pragma once
// Executor: the engine's only source of time. Everything in the engine asks it for now() and
// schedules work on it; nothing reads a wall clock. SimulatedExecutor jumps from event to event;
// RealTimeExecutor follows the wall clock (scaled) on an Asio io_context.
//   auto id = executor.schedule_after(std::chrono::seconds(30), [&] { finish_allocation(); });
//   executor.cancel(id);

#include <cstdint>
#include <functional>

#include "emulator/core/time.hpp"

namespace emu::core {

// Identifies one scheduled task; ids are never reused within one executor.
using TimerId = std::uint64_t;
inline constexpr TimerId kNoTimer = 0;

class Executor {
 public:
  using Task = std::function<void()>;

  virtual ~Executor() = default;

  virtual Time now() const = 0;
  // Runs `task` when the clock reaches `when` (at once, in order, if `when` is in the past). Tasks
  // due at the same time run in the order they were scheduled.
  virtual TimerId schedule_at(Time when, Task task) = 0;
  // Returns false if the task already ran or was cancelled.
  virtual bool cancel(TimerId id) = 0;

  TimerId schedule_after(Duration delay, Task task) { return schedule_at(now() + delay, std::move(task)); }
  // Runs `task` after everything already due now.
  TimerId post(Task task) { return schedule_at(now(), std::move(task)); }
};

}  // namespace emu::core
