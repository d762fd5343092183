// Scenario files: durations, the shorthands' request bodies, YAML-to-JSON typing, and errors that
// name file, line and key.

#include "harness/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace emu::harness {
namespace {

using std::chrono::seconds;

core::Result<Scenario> parse(std::string_view yaml) { return parse_scenario(yaml, "t.yaml", "."); }

TEST(SimDuration, AcceptsSuffixesIsoAndPlainSeconds) {
  EXPECT_EQ(parse_sim_duration("90"), seconds(90));
  EXPECT_EQ(parse_sim_duration("90s"), seconds(90));
  EXPECT_EQ(parse_sim_duration("5m"), seconds(300));
  EXPECT_EQ(parse_sim_duration("1.5h"), seconds(5400));
  EXPECT_EQ(parse_sim_duration("1d"), seconds(86400));
  EXPECT_EQ(parse_sim_duration("PT10M"), seconds(600));
  EXPECT_FALSE(parse_sim_duration("soon"));
  EXPECT_FALSE(parse_sim_duration("-5s"));
  EXPECT_FALSE(parse_sim_duration(""));
  // Beyond what a Duration holds (int64 nanoseconds, about 292 years): refused, not overflowed.
  EXPECT_EQ(parse_sim_duration("36500d"), seconds(36500LL * 86400));
  EXPECT_FALSE(parse_sim_duration("1e300s"));
  EXPECT_FALSE(parse_sim_duration("110000d"));
}

TEST(ScenarioLoader, ShorthandsBecomeArmRequestsInTimeOrder) {
  auto s = parse(R"(
seed: 9
resources:
  - cluster: c1
    nodes: 2
timeline:
  - at: 2m
    terminate: j
  - at: 30s
    submit: j
    cluster: c1
    nodes: 2
    duration: 90s
    priority: high
)");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->seed, 9U);
  ASSERT_EQ(s->steps.size(), 3U);
  EXPECT_EQ(s->steps[0].method, "PUT");
  EXPECT_NE(s->steps[0].target.find("/clusters/c1?api-version=2018-05-01"), std::string::npos);
  EXPECT_EQ(s->steps[1].at, seconds(30));
  const auto job = boost::json::parse(s->steps[1].body);
  EXPECT_EQ(job.at_pointer("/properties/nodeCount").as_int64(), 2);
  EXPECT_EQ(job.at_pointer("/properties/schedulingPriority").as_string(), "high");
  EXPECT_EQ(job.at_pointer("/properties/environmentVariables/0/value").as_string(), "90");
  EXPECT_EQ(s->steps[2].method, "POST");
  EXPECT_TRUE(s->steps[2].target.find("/jobs/j/terminate?") != std::string::npos);
}

TEST(ScenarioLoader, InlineBodiesKeepYamlTypes) {
  auto s = parse(R"(
timeline:
  - at: 0
    request:
      method: put
      path: clusters/c
      body:
        properties: {vmSize: STANDARD_NC6, flag: true, n: 3, ratio: 0.5, text: "3", none: null}
)");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->steps[0].method, "PUT");
  const auto body = boost::json::parse(s->steps[0].body);
  EXPECT_TRUE(body.at_pointer("/properties/flag").is_bool());
  EXPECT_TRUE(body.at_pointer("/properties/n").is_int64());
  EXPECT_TRUE(body.at_pointer("/properties/ratio").is_double());
  EXPECT_TRUE(body.at_pointer("/properties/text").is_string());
  EXPECT_TRUE(body.at_pointer("/properties/none").is_null());
}

TEST(ScenarioLoader, RepeatNamesJobsAndSpacesThem) {
  auto s = parse("timeline:\n  - {at: 10s, submit: j, repeat: 3, every: 5s, cluster: c}\n");
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->steps.size(), 3U);
  EXPECT_EQ(s->steps[2].at, seconds(20));
  EXPECT_NE(s->steps[2].target.find("/jobs/j-3?"), std::string::npos);
}

TEST(ScenarioLoader, SettingsOverrideTheProfile) {
  auto s = parse("profile: realistic\nsettings:\n  nodes:\n    maxPerCluster: 600\n  scheduler:\n    backfill: true\n");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->settings.profile, "realistic");
  EXPECT_EQ(s->settings.max_nodes_per_cluster, 600);
  EXPECT_TRUE(s->settings.scheduler_backfill);
}

TEST(ScenarioLoader, LimitsAreSettingsToo) {
  auto s = parse("settings:\n  limits:\n    maxOperationsInFlight: 5\n    maxJobsPerExperiment: 300000\n");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->settings.max_operations_in_flight, 5);
  EXPECT_EQ(s->settings.max_jobs_per_experiment, 300000);
  auto zero = parse("settings:\n  limits:\n    maxJobsPerExperiment: 0\n");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().target, "settings.limits.maxJobsPerExperiment");
}

TEST(ScenarioLoader, ErrorsNameFileLineAndKey) {
  auto s = parse("name: x\ntimeline:\n  - at: 1s\n    submit: j\n    cluster: c\n    nodes: many\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "t.yaml:6: timeline[0].nodes: 'many' is not a whole number");
  EXPECT_EQ(s.error().target, "timeline[0].nodes");
  EXPECT_EQ(s.error().code, "InvalidScenario");
}

TEST(ScenarioLoader, MissingFileIsAnError) {
  auto s = load_scenario("no/such/scenario.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("no/such/scenario.yaml"), std::string::npos);
}

}  // namespace
}  // namespace emu::harness
