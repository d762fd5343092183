#include "emulator/core/simulated_executor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace emu::core {
namespace {

using std::chrono::seconds;

TEST(SimulatedExecutor, StartsAtTheEpochGiven) {
  EXPECT_EQ(SimulatedExecutor().now(), kDefaultEpoch);
  const Time epoch = kDefaultEpoch + std::chrono::hours(5);
  EXPECT_EQ(SimulatedExecutor(epoch).now(), epoch);
}

TEST(SimulatedExecutor, RunsInTimeOrderAndJumpsTheClock) {
  SimulatedExecutor ex;
  std::vector<std::string> order;
  std::vector<Time> seen;
  ex.schedule_after(seconds(30), [&] {
    order.push_back("c");
    seen.push_back(ex.now());
  });
  ex.schedule_after(seconds(10), [&] {
    order.push_back("a");
    seen.push_back(ex.now());
  });
  ex.schedule_after(seconds(20), [&] {
    order.push_back("b");
    seen.push_back(ex.now());
  });
  EXPECT_EQ(ex.run(), 3u);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(seen, (std::vector<Time>{kDefaultEpoch + seconds(10), kDefaultEpoch + seconds(20),
                                     kDefaultEpoch + seconds(30)}));
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(30));
  EXPECT_EQ(ex.tasks_run(), 3u);
}

TEST(SimulatedExecutor, TiesRunInSchedulingOrder) {
  SimulatedExecutor ex;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) ex.schedule_after(seconds(5), [&order, i] { order.push_back(i); });
  ex.run();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(SimulatedExecutor, PostRunsAfterWhatIsAlreadyDueNow) {
  SimulatedExecutor ex;
  std::vector<std::string> order;
  ex.schedule_at(ex.now(), [&] {
    order.push_back("first");
    ex.post([&] { order.push_back("posted"); });
  });
  ex.schedule_at(ex.now(), [&] { order.push_back("second"); });
  ex.run();
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "posted"}));
}

TEST(SimulatedExecutor, PastTimesRunNowNotInThePast) {
  SimulatedExecutor ex;
  ex.run_until(ex.now() + seconds(100));
  Time ran_at{};
  ex.schedule_at(kDefaultEpoch, [&] { ran_at = ex.now(); });
  ex.run();
  EXPECT_EQ(ran_at, kDefaultEpoch + seconds(100));
}

TEST(SimulatedExecutor, CancelStopsATask) {
  SimulatedExecutor ex;
  int ran = 0;
  const TimerId a = ex.schedule_after(seconds(1), [&] { ++ran; });
  ex.schedule_after(seconds(2), [&] { ran += 10; });
  EXPECT_NE(a, kNoTimer);
  EXPECT_TRUE(ex.cancel(a));
  EXPECT_FALSE(ex.cancel(a));  // already cancelled
  EXPECT_EQ(ex.pending(), 1u);
  ex.run();
  EXPECT_EQ(ran, 10);
}

TEST(SimulatedExecutor, CancelAfterRunReturnsFalse) {
  SimulatedExecutor ex;
  const TimerId id = ex.schedule_after(seconds(1), [] {});
  ex.run();
  EXPECT_FALSE(ex.cancel(id));
}

TEST(SimulatedExecutor, ATaskCanCancelALaterOneAtTheSameTime) {
  SimulatedExecutor ex;
  bool second_ran = false;
  TimerId second = kNoTimer;
  ex.schedule_after(seconds(1), [&] { EXPECT_TRUE(ex.cancel(second)); });
  second = ex.schedule_after(seconds(1), [&] { second_ran = true; });
  ex.run();
  EXPECT_FALSE(second_ran);
}

TEST(SimulatedExecutor, RunUntilStopsAtTheLimitAndSetsTheClock) {
  SimulatedExecutor ex;
  std::vector<int> order;
  ex.schedule_after(seconds(10), [&] { order.push_back(10); });
  ex.schedule_after(seconds(20), [&] { order.push_back(20); });
  ex.schedule_after(seconds(21), [&] { order.push_back(21); });
  EXPECT_EQ(ex.run_until(kDefaultEpoch + seconds(20)), 2u);  // the limit itself is included
  EXPECT_EQ(order, (std::vector<int>{10, 20}));
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(20));
  EXPECT_EQ(ex.next_event_time(), kDefaultEpoch + seconds(21));
  EXPECT_EQ(ex.run_until(kDefaultEpoch + seconds(60)), 1u);
  EXPECT_EQ(ex.now(), kDefaultEpoch + seconds(60));
  EXPECT_FALSE(ex.next_event_time().has_value());
}

TEST(SimulatedExecutor, RunUntilRunsTasksScheduledByTasksWithinTheLimit) {
  SimulatedExecutor ex;
  int chain = 0;
  std::function<void()> tick = [&] {
    if (++chain < 5) ex.schedule_after(seconds(1), tick);
  };
  ex.schedule_after(seconds(1), tick);
  ex.run_until(kDefaultEpoch + seconds(3));
  EXPECT_EQ(chain, 3);
  EXPECT_EQ(ex.pending(), 1u);
}

TEST(SimulatedExecutor, RunStopsAfterMaxTasks) {
  SimulatedExecutor ex;
  for (int i = 0; i < 5; ++i) ex.schedule_after(seconds(i), [] {});
  EXPECT_EQ(ex.run(2), 2u);
  EXPECT_EQ(ex.pending(), 3u);
  EXPECT_TRUE(ex.step());
  EXPECT_EQ(ex.run(), 2u);
  EXPECT_FALSE(ex.step());
}

}  // namespace
}  // namespace emu::core
