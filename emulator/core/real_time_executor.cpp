#include "emulator/core/real_time_executor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cmath>
#include <limits>
#include <optional>

namespace emu::core {
namespace {

constexpr double kMaxNanos = 9.0e18;  // a little under INT64_MAX, so the casts below cannot overflow
// Long waits are cut into pieces: a wake-up that finds nothing due simply re-arms.
constexpr std::chrono::nanoseconds kMaxWait = std::chrono::hours(24);

Time saturating_add(Time t, Duration d) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &sum)) return Time::max();
  return Time{Duration{sum}};
}

}  // namespace

class RealTimeExecutor::Timer {
 public:
  explicit Timer(boost::asio::io_context& io) : timer(io) {}

  boost::asio::steady_timer timer;
  // Handlers hold a weak copy: once the executor is gone they must not touch it, even if their wait
  // had already completed when it was destroyed.
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  // Bumped on every re-arm, so that a completion queued before a re-arm is recognised as stale.
  std::uint64_t generation = 0;
  std::optional<Time> armed_for;  // the task time the pending wait is for, if one is pending
  bool draining = false;          // inside run_due: the caller re-arms once at the end
};

RealTimeExecutor::RealTimeExecutor(boost::asio::io_context& io, Time epoch, double time_scale,
                                   SteadyClock steady_clock)
    : steady_clock_(std::move(steady_clock)),
      time_scale_(std::isfinite(time_scale) && time_scale > 0 ? time_scale : 0.0),
      base_time_(epoch),
      base_steady_(steady_now()),
      timer_(std::make_unique<Timer>(io)) {}

RealTimeExecutor::~RealTimeExecutor() {
  timer_->alive.reset();
  timer_->timer.cancel();
}

std::chrono::steady_clock::time_point RealTimeExecutor::steady_now() const {
  return steady_clock_ ? steady_clock_() : std::chrono::steady_clock::now();
}

Time RealTimeExecutor::now() const {
  if (time_scale_ == 0.0) return base_time_;
  const auto elapsed = std::chrono::duration_cast<Duration>(steady_now() - base_steady_);
  if (elapsed <= Duration::zero()) return base_time_;
  const double scaled = static_cast<double>(elapsed.count()) * time_scale_;
  if (scaled >= kMaxNanos) return Time::max();
  return saturating_add(base_time_, Duration(static_cast<std::int64_t>(scaled)));
}

void RealTimeExecutor::rebase(Time t) {
  base_time_ = t;
  base_steady_ = steady_now();
}

TimerId RealTimeExecutor::schedule_at(Time when, Task task) {
  // As in SimulatedExecutor: a time in the past means now, after what is already due.
  const Time current = now();
  if (when < current) when = current;
  const TimerId id = queue_.push(when, std::move(task));
  if (!timer_->draining && (!timer_->armed_for || when < *timer_->armed_for)) arm();
  return id;
}

bool RealTimeExecutor::cancel(TimerId id) {
  // The timer may now point at a cancelled task; the wake-up then finds nothing due and re-arms.
  return queue_.cancel(id);
}

Result<void> RealTimeExecutor::set_time_scale(double time_scale) {
  if (!std::isfinite(time_scale) || time_scale < 0) {
    return Error::bad_request("InvalidTimeScale",
                              "The time scale must be a finite number of simulated seconds per wall "
                              "second, 0 or more (0 stops the clock).",
                              "timeScale");
  }
  rebase(now());
  time_scale_ = time_scale;
  arm();
  return {};
}

Time RealTimeExecutor::advance(Duration d) {
  if (d < Duration::zero()) d = Duration::zero();
  const Time target = saturating_add(now(), d);
  run_due(target, /*pin_clock=*/true);
  if (target > now()) rebase(target);
  arm();
  return now();
}

void RealTimeExecutor::run_due(Time limit, bool pin_clock) {
  const bool was_draining = timer_->draining;
  timer_->draining = true;
  while (auto due = queue_.pop_due(limit)) {
    if (pin_clock && due->first > now()) rebase(due->first);
    ++tasks_run_;
    due->second();
  }
  timer_->draining = was_draining;
}

void RealTimeExecutor::arm() {
  Timer& t = *timer_;
  const auto disarm = [&t] {
    if (!t.armed_for) return;
    ++t.generation;
    t.timer.cancel();
    t.armed_for.reset();
  };
  const std::optional<Time> next = queue_.next_time();
  if (!next) return disarm();
  const Time current = now();
  Duration wait = Duration::zero();
  if (*next > current) {
    // A stopped clock reaches future tasks only through advance(), which runs them itself.
    if (time_scale_ == 0.0) return disarm();
    const double nanos = std::ceil(static_cast<double>((*next - current).count()) / time_scale_);
    wait = nanos >= static_cast<double>(kMaxWait.count()) ? kMaxWait
                                                          : Duration(static_cast<std::int64_t>(nanos));
  }
  ++t.generation;
  t.timer.expires_after(wait);
  t.timer.async_wait([this, alive = std::weak_ptr<int>(t.alive),
                      generation = t.generation](const boost::system::error_code& ec) {
    if (ec || alive.expired() || generation != timer_->generation) return;
    timer_->armed_for.reset();
    on_timer();
  });
  t.armed_for = *next;
}

void RealTimeExecutor::on_timer() {
  run_due(now(), /*pin_clock=*/false);
  arm();
}

}  // namespace emu::core
