#pragma once
// RealTimeExecutor: the emulator's clock when it serves clients. Time follows the wall clock scaled by
// time_scale (1 = real time, 60 = a minute per second), and 0 stops it: then only advance() moves it,
// as the admin API's clock/advance does. Tasks run on the thread that runs the io_context.
//   RealTimeExecutor ex(io, kDefaultEpoch, /*time_scale=*/0);
//   ex.schedule_after(10min, [] { ... });  ex.advance(std::chrono::minutes(10));  // runs it

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "emulator/core/event_queue.hpp"
#include "emulator/core/executor.hpp"
#include "emulator/core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace emu::core {

// Not thread-safe: call it only from the thread that runs the io_context (or before that thread
// starts); other threads hand work over with boost::asio::post.
class RealTimeExecutor final : public Executor {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

  // `steady_clock` replaces std::chrono::steady_clock::now for tests; the Asio timer still waits in
  // real time, so a test that moves a fake clock runs what became due with advance(Duration::zero()).
  // A negative or non-finite time_scale is taken as 0.
  RealTimeExecutor(boost::asio::io_context& io, Time epoch, double time_scale = 1.0,
                   SteadyClock steady_clock = {});
  ~RealTimeExecutor() override;
  RealTimeExecutor(const RealTimeExecutor&) = delete;
  RealTimeExecutor& operator=(const RealTimeExecutor&) = delete;

  Time now() const override;
  // Never runs the task from inside this call, even if it is already due: it runs from the io_context.
  TimerId schedule_at(Time when, Task task) override;
  bool cancel(TimerId id) override;

  // Changes the speed from now on; the time reached so far is kept. Rejects negative and non-finite
  // values with a bad_request error naming "timeScale".
  Result<void> set_time_scale(double time_scale);
  double time_scale() const { return time_scale_; }

  // Moves the clock forward by `d` at once, running every task due up to the new time in (time,
  // scheduling) order, each seeing now() at its own due time; returns the new time. With a scale > 0
  // the clock then keeps running from there. Negative durations are taken as zero.
  Time advance(Duration d);

  std::size_t pending() const { return queue_.size(); }
  std::uint64_t tasks_run() const { return tasks_run_; }

 private:
  class Timer;  // the Asio steady_timer, kept out of this header

  std::chrono::steady_clock::time_point steady_now() const;
  // Makes now() read `t` from this instant on.
  void rebase(Time t);
  // Runs every task due at or before `limit`; `pin_clock` moves the clock to each task's time first.
  void run_due(Time limit, bool pin_clock);
  // Points the Asio timer at the earliest task (or disarms it).
  void arm();
  void on_timer();

  SteadyClock steady_clock_;
  double time_scale_;
  Time base_time_;                                     // now() at base_steady_
  std::chrono::steady_clock::time_point base_steady_;  // when base_time_ was taken
  EventQueue queue_;
  std::unique_ptr<Timer> timer_;
  std::uint64_t tasks_run_ = 0;
};

}  // namespace emu::core
