#pragma once
// SimulatedExecutor: virtual time that jumps straight to the next event. Used by replay, by tests and
// by `serve --backend sim`; the same seed and inputs give the same order of events on any machine.
//   SimulatedExecutor ex(kDefaultEpoch);
//   ex.schedule_after(10s, [] { ... });
//   ex.run_until(ex.now() + 1h);   // or ex.run() to drain everything

#include <cstdint>

#include "emulator/core/event_queue.hpp"
#include "emulator/core/executor.hpp"

namespace emu::core {

class SimulatedExecutor final : public Executor {
 public:
  explicit SimulatedExecutor(Time epoch = kDefaultEpoch) : now_(epoch) {}

  Time now() const override { return now_; }
  TimerId schedule_at(Time when, Task task) override;
  bool cancel(TimerId id) override { return queue_.cancel(id); }

  // Runs every task due at or before `limit`, then leaves the clock at `limit`. Returns tasks run.
  std::uint64_t run_until(Time limit);
  // Runs tasks until none is left or `max_tasks` ran. Returns tasks run.
  std::uint64_t run(std::uint64_t max_tasks = UINT64_MAX);
  // Runs the next task (advancing the clock to it). Returns false when the queue is empty.
  bool step();

  std::optional<Time> next_event_time() { return queue_.next_time(); }
  std::size_t pending() const { return queue_.size(); }
  std::uint64_t tasks_run() const { return tasks_run_; }

 private:
  Time now_;
  EventQueue queue_;
  std::uint64_t tasks_run_ = 0;
};

}  // namespace emu::core
