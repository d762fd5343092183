#pragma once
// ScenarioFixture: GoogleTest tests that build a scenario in code, replay it on the real engine and
// assert on the resulting state. Steps go through the ARM router like a client's requests.
//   class MyTest : public emu::harness::ScenarioFixture {};
//   TEST_F(MyTest, Drains) {
//     add_cluster("c1", 2);  submit(10s, "j1", "c1", {.nodes = 2, .duration = 60s});
//     run();  EXPECT_EQ(job_state("j1"), "succeeded");  EXPECT_EQ(node_counts("c1").idle_node_count, 2);
//   }

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "emulator/model/common_types.hpp"
#include "harness/replay.hpp"
#include "harness/scenario.hpp"

namespace emu::harness {

struct JobShape {
  std::int32_t nodes = 1;
  core::Duration duration = std::chrono::seconds(60);
  std::int32_t exit_code = 0;
  std::string priority{};  // "low", "normal", "high"; empty: the default
  std::optional<core::Duration> max_wall_clock{};
};

class ScenarioFixture : public ::testing::Test {
 protected:
  // A manual cluster of `nodes` STANDARD_NC6 nodes created at t=0 (or at `at`).
  void add_cluster(const std::string& name, std::int32_t nodes, core::Duration at = {},
                   const std::string& vm_size = "STANDARD_NC6");
  void add_autoscale_cluster(const std::string& name, std::int32_t min, std::int32_t max, core::Duration at = {});
  void submit(core::Duration at, const std::string& job, const std::string& cluster, const JobShape& shape = {});
  void resize(core::Duration at, const std::string& cluster, std::int32_t nodes, const std::string& deallocation = {});
  void terminate(core::Duration at, const std::string& job);
  void fail_nodes(core::Duration at, const std::string& cluster, std::int32_t count);
  void preempt_nodes(core::Duration at, const std::string& cluster, std::int32_t count);
  // Any request; `relative` is under the workspace ("clusters/c1") or absolute.
  void request(core::Duration at, const std::string& method, const std::string& relative, const std::string& body,
               std::optional<int> expect_status = std::nullopt);

  // Replays what was added; returns the outcome (also in outcome()). Steps' unexpected answers and
  // broken expectations are in outcome().failures.
  const ReplayOutcome& run();

  std::string job_state(const std::string& job) const;  // "deleted" when gone
  std::optional<std::int32_t> exit_code(const std::string& job) const;
  model::NodeStateCounts node_counts(const std::string& cluster) const;
  const ReplayOutcome& outcome() const { return outcome_; }
  Replay& replay() { return *replay_; }

  Scenario scenario_;
  std::optional<std::uint64_t> seed_;

 private:
  std::unique_ptr<Replay> replay_;
  ReplayOutcome outcome_;
};

}  // namespace emu::harness
