#include "emulator/core/real_time_executor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace emu::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// A wall clock the test moves by hand.
class FakeSteadyClock {
 public:
  RealTimeExecutor::SteadyClock source() {
    return [this] { return now_; };
  }
  void sleep(std::chrono::nanoseconds d) { now_ += d; }

 private:
  SteadyTime now_{std::chrono::hours(1000)};
};

class RealTimeExecutorTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  FakeSteadyClock wall_;
};

TEST_F(RealTimeExecutorTest, ScaleZeroStopsTheClock) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  wall_.sleep(minutes(5));
  EXPECT_EQ(ex.now(), kDefaultEpoch);
  io_.poll();
  EXPECT_EQ(ex.now(), kDefaultEpoch);
}

TEST_F(RealTimeExecutorTest, AdvanceRunsDueTasksInOrderEachAtItsOwnTime) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  std::vector<std::pair<std::string, Time>> ran;
  ex.schedule_after(minutes(3), [&] { ran.emplace_back("b", ex.now()); });
  ex.schedule_after(minutes(1), [&] { ran.emplace_back("a", ex.now()); });
  ex.schedule_after(minutes(3), [&] { ran.emplace_back("c", ex.now()); });  // tie: after "b"
  ex.schedule_after(minutes(11), [&] { ran.emplace_back("late", ex.now()); });

  EXPECT_EQ(ex.advance(minutes(10)), kDefaultEpoch + minutes(10));
  ASSERT_EQ(ran.size(), 3u);
  EXPECT_EQ(ran[0], std::make_pair(std::string("a"), kDefaultEpoch + minutes(1)));
  EXPECT_EQ(ran[1], std::make_pair(std::string("b"), kDefaultEpoch + minutes(3)));
  EXPECT_EQ(ran[2], std::make_pair(std::string("c"), kDefaultEpoch + minutes(3)));
  EXPECT_EQ(ex.now(), kDefaultEpoch + minutes(10));
  EXPECT_EQ(ex.pending(), 1u);
  EXPECT_EQ(ex.tasks_run(), 3u);

  ex.advance(minutes(1));
  EXPECT_EQ(ran.size(), 4u);
  EXPECT_EQ(ran.back().second, kDefaultEpoch + minutes(11));
}

TEST_F(RealTimeExecutorTest, AdvanceRunsTasksThatTasksScheduleWithinTheWindow) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    ex.schedule_after(minutes(1), tick);
  };
  ex.schedule_after(minutes(1), tick);
  ex.advance(minutes(5));
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(ex.pending(), 1u);
}

TEST_F(RealTimeExecutorTest, ScheduleNeverRunsTheTaskInsideTheCall) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  int ran = 0;
  ex.schedule_at(kDefaultEpoch - minutes(1), [&] { ++ran; });  // already past
  ex.post([&] { ++ran; });
  EXPECT_EQ(ran, 0);
  io_.poll();  // a due task runs from the io_context, even with the clock stopped
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(ex.now(), kDefaultEpoch);
}

TEST_F(RealTimeExecutorTest, StoppedClockLeavesFutureTasksAlone) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  bool ran = false;
  ex.schedule_after(milliseconds(1), [&] { ran = true; });
  io_.run_for(milliseconds(20));
  EXPECT_FALSE(ran);
  ex.advance(milliseconds(1));
  EXPECT_TRUE(ran);
}

TEST_F(RealTimeExecutorTest, CancelledTasksNeverRun) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  int ran = 0;
  const TimerId now_id = ex.post([&] { ran += 1; });
  const TimerId later_id = ex.schedule_after(minutes(1), [&] { ran += 10; });
  ex.schedule_after(minutes(2), [&] { ran += 100; });
  EXPECT_TRUE(ex.cancel(now_id));
  EXPECT_TRUE(ex.cancel(later_id));
  EXPECT_FALSE(ex.cancel(later_id));
  io_.poll();
  ex.advance(minutes(5));
  EXPECT_EQ(ran, 100);
}

TEST_F(RealTimeExecutorTest, ScaledClockFollowsTheWallClock) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 60.0, wall_.source());
  wall_.sleep(seconds(2));
  EXPECT_EQ(ex.now(), kDefaultEpoch + minutes(2));
}

TEST_F(RealTimeExecutorTest, ChangingTheScaleKeepsTheTimeReached) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 1.0, wall_.source());
  wall_.sleep(seconds(10));
  ASSERT_TRUE(ex.set_time_scale(0.0).ok());
  EXPECT_EQ(ex.time_scale(), 0.0);
  wall_.sleep(seconds(10));
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(10));
  ASSERT_TRUE(ex.set_time_scale(2.0).ok());
  wall_.sleep(seconds(10));
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(30));
}

TEST_F(RealTimeExecutorTest, RejectsBadScales) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 1.0, wall_.source());
  for (const double bad : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    const auto result = ex.set_time_scale(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kBadRequest);
    EXPECT_EQ(result.error().target, "timeScale");
  }
  EXPECT_EQ(ex.time_scale(), 1.0);
  EXPECT_EQ(RealTimeExecutor(io_, kDefaultEpoch, -3.0, wall_.source()).time_scale(), 0.0);
}

TEST_F(RealTimeExecutorTest, AdvanceWithARunningClockJumpsAhead) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 1.0, wall_.source());
  Time seen{};
  ex.schedule_after(minutes(30), [&] { seen = ex.now(); });
  wall_.sleep(seconds(5));
  EXPECT_EQ(ex.advance(minutes(60)), kDefaultEpoch + seconds(5) + minutes(60));
  EXPECT_EQ(seen, kDefaultEpoch + minutes(30));
  wall_.sleep(seconds(1));
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(6) + minutes(60));
}

TEST_F(RealTimeExecutorTest, AdvanceByZeroRunsWhatTheWallClockMadeDue) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 1.0, wall_.source());
  bool ran = false;
  ex.schedule_after(seconds(10), [&] { ran = true; });
  wall_.sleep(seconds(9));
  ex.advance(Duration::zero());
  EXPECT_FALSE(ran);
  wall_.sleep(seconds(1));
  ex.advance(Duration::zero());
  EXPECT_TRUE(ran);
}

TEST_F(RealTimeExecutorTest, NegativeAdvanceIsIgnored) {
  RealTimeExecutor ex(io_, kDefaultEpoch, 0.0, wall_.source());
  EXPECT_EQ(ex.advance(-minutes(5)), kDefaultEpoch);
}

// The real Asio timer with the real wall clock, sped up so the test waits a few milliseconds.
TEST(RealTimeExecutorWallClock, TimerRunsTasksInOrderOnTheIoContext) {
  boost::asio::io_context io;
  RealTimeExecutor ex(io, kDefaultEpoch, 1000.0);
  std::vector<int> order;
  std::vector<Time> seen;
  ex.schedule_after(seconds(20), [&] { order.push_back(3); });
  ex.schedule_after(seconds(5), [&] {
    order.push_back(1);
    seen.push_back(ex.now());
  });
  ex.schedule_after(seconds(5), [&] { order.push_back(2); });
  io.run_for(seconds(10));  // returns once the queue is empty and the timer idle
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_GE(seen[0], kDefaultEpoch + seconds(5));
  EXPECT_EQ(ex.pending(), 0u);
}

TEST(RealTimeExecutorWallClock, AnEarlierTaskRearmsTheTimer) {
  boost::asio::io_context io;
  RealTimeExecutor ex(io, kDefaultEpoch, 1000.0);
  std::vector<int> order;
  ex.schedule_after(std::chrono::hours(1), [&] { order.push_back(2); });  // 3.6 s of wall time
  ex.schedule_after(seconds(1), [&] {
    order.push_back(1);
    io.stop();
  });
  io.run_for(seconds(2));
  EXPECT_EQ(order, (std::vector<int>{1}));
}

TEST(RealTimeExecutorWallClock, DestroyingTheExecutorCancelsItsTimer) {
  boost::asio::io_context io;
  bool ran = false;
  {
    RealTimeExecutor ex(io, kDefaultEpoch, 1.0);
    ex.post([&] { ran = true; });
  }
  io.run_for(milliseconds(50));
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace emu::core
