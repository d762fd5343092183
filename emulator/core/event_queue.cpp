#include "emulator/core/event_queue.hpp"

namespace emu::core {

TimerId EventQueue::push(Time when, Executor::Task task) {
  const TimerId id = next_id_++;
  heap_.push(Entry{when, id});
  tasks_.emplace(id, std::move(task));
  return id;
}

bool EventQueue::cancel(TimerId id) { return tasks_.erase(id) > 0; }

void EventQueue::drop_cancelled_top() {
  while (!heap_.empty() && !tasks_.contains(heap_.top().id)) heap_.pop();
}

std::optional<Time> EventQueue::next_time() {
  drop_cancelled_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().when;
}

std::optional<std::pair<Time, Executor::Task>> EventQueue::pop_due(Time limit) {
  drop_cancelled_top();
  if (heap_.empty() || heap_.top().when > limit) return std::nullopt;
  const Entry top = heap_.top();
  heap_.pop();
  auto node = tasks_.extract(top.id);
  return std::make_pair(top.when, std::move(node.mapped()));
}

}  // namespace emu::core
