#include "emulator/core/simulated_executor.hpp"

namespace emu::core {

TimerId SimulatedExecutor::schedule_at(Time when, Task task) {
  // The past is not reachable: a task for an earlier time runs now, after those already due.
  return queue_.push(when < now_ ? now_ : when, std::move(task));
}

bool SimulatedExecutor::step() {
  auto due = queue_.pop_due(Time::max());
  if (!due) return false;
  now_ = due->first;
  ++tasks_run_;
  due->second();
  return true;
}

std::uint64_t SimulatedExecutor::run_until(Time limit) {
  std::uint64_t ran = 0;
  while (auto due = queue_.pop_due(limit)) {
    now_ = due->first;
    ++ran;
    ++tasks_run_;
    due->second();
  }
  if (limit > now_) now_ = limit;
  return ran;
}

std::uint64_t SimulatedExecutor::run(std::uint64_t max_tasks) {
  std::uint64_t ran = 0;
  while (ran < max_tasks && step()) ++ran;
  return ran;
}

}  // namespace emu::core
