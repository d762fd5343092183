#pragma once
// EventQueue: the timer heap shared by both executors. Orders tasks by (time, sequence) so that ties
// run in scheduling order, and cancels in O(1) by emptying the task's slot.

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "emulator/core/executor.hpp"

namespace emu::core {

class EventQueue {
 public:
  TimerId push(Time when, Executor::Task task);
  bool cancel(TimerId id);
  // Time of the earliest live task, if any.
  std::optional<Time> next_time();
  // Removes and returns the earliest live task if it is due at or before `limit`.
  std::optional<std::pair<Time, Executor::Task>> pop_due(Time limit);
  std::size_t size() const { return tasks_.size(); }
  bool empty() const { return tasks_.empty(); }

 private:
  struct Entry {
    Time when;
    TimerId id;  // ids grow monotonically, so they double as the tie-breaking sequence
    bool operator>(const Entry& other) const {
      return when != other.when ? when > other.when : id > other.id;
    }
  };
  void drop_cancelled_top();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<TimerId, Executor::Task> tasks_;
  TimerId next_id_ = 1;
};

}  // namespace emu::core
