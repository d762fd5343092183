#include "harness/scenario_fixture.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "emulator/model/enums.hpp"

namespace emu::harness {

namespace json = boost::json;

namespace {

std::string cluster_body(const std::string& vm_size, const json::object& scale) {
  json::object props{{"vmSize", vm_size},
                     {"userAccountSettings", {{"adminUserName", "scenario"}, {"adminUserPassword", "scenario-Passw0rd"}}},
                     {"scaleSettings", scale}};
  return json::serialize(json::object{{"properties", props}});
}

}  // namespace

void ScenarioFixture::add_cluster(const std::string& name, std::int32_t nodes, core::Duration at,
                                  const std::string& vm_size) {
  request(at, "PUT", "clusters/" + name,
          cluster_body(vm_size, json::object{{"manual", {{"targetNodeCount", nodes}}}}));
}

void ScenarioFixture::add_autoscale_cluster(const std::string& name, std::int32_t min, std::int32_t max,
                                            core::Duration at) {
  request(at, "PUT", "clusters/" + name,
          cluster_body("STANDARD_NC6",
                       json::object{{"autoScale", {{"minimumNodeCount", min}, {"maximumNodeCount", max}}}}));
}

void ScenarioFixture::submit(core::Duration at, const std::string& job, const std::string& cluster,
                             const JobShape& shape) {
  json::object props{{"cluster", {{"id", scenario_.cluster_id(cluster)}}},
                     {"nodeCount", shape.nodes},
                     {"stdOutErrPathPrefix", "$AZ_BATCHAI_MOUNT_ROOT/out"},
                     {"customToolkitSettings", {{"commandLine", "python train.py"}}},
                     {"environmentVariables",
                      json::array{json::object{{"name", "EMULATOR_SIM_DURATION"},
                                               {"value", fmt::format("{}", core::to_seconds(shape.duration))}},
                                  json::object{{"name", "EMULATOR_SIM_EXIT_CODE"},
                                               {"value", std::to_string(shape.exit_code)}}}}};
  if (!shape.priority.empty()) props["schedulingPriority"] = shape.priority;
  if (shape.max_wall_clock) {
    props["constraints"] = {{"maxWallClockTime", core::format_duration(*shape.max_wall_clock)}};
  }
  request(at, "PUT", "experiments/" + scenario_.experiment + "/jobs/" + job,
          json::serialize(json::object{{"properties", props}}));
}

void ScenarioFixture::resize(core::Duration at, const std::string& cluster, std::int32_t nodes,
                             const std::string& deallocation) {
  json::object manual{{"targetNodeCount", nodes}};
  if (!deallocation.empty()) manual["nodeDeallocationOption"] = deallocation;
  request(at, "PATCH", "clusters/" + cluster,
          json::serialize(json::object{{"properties", {{"scaleSettings", {{"manual", manual}}}}}}));
}

void ScenarioFixture::terminate(core::Duration at, const std::string& job) {
  request(at, "POST", "experiments/" + scenario_.experiment + "/jobs/" + job + "/terminate", "");
}

void ScenarioFixture::fail_nodes(core::Duration at, const std::string& cluster, std::int32_t count) {
  Step s;
  s.at = at;
  s.kind = Step::Kind::kFault;
  s.fault = FaultKind::kNodeFailure;
  s.cluster = cluster;
  s.count = count;
  s.origin = fmt::format("fault #{}", scenario_.steps.size());
  scenario_.steps.push_back(std::move(s));
}

void ScenarioFixture::preempt_nodes(core::Duration at, const std::string& cluster, std::int32_t count) {
  fail_nodes(at, cluster, count);
  scenario_.steps.back().fault = FaultKind::kNodePreemption;
}

void ScenarioFixture::request(core::Duration at, const std::string& method, const std::string& relative,
                              const std::string& body, std::optional<int> expect_status) {
  Step s;
  s.at = at;
  s.method = method;
  s.target = scenario_.target(relative);
  s.body = body;
  s.expect_status = expect_status;
  s.origin = fmt::format("step #{} ({} {})", scenario_.steps.size(), method, relative);
  scenario_.steps.push_back(std::move(s));
}

const ReplayOutcome& ScenarioFixture::run() {
  if (scenario_.name.empty()) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    scenario_.name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "fixture";
  }
  scenario_.sort_steps();
  replay_ = std::make_unique<Replay>(scenario_, seed_);
  outcome_ = replay_->run();
  return outcome_;
}

std::string ScenarioFixture::job_state(const std::string& job) const {
  const engine::JobRecord* j = replay_ ? replay_->job(job) : nullptr;
  return j == nullptr ? "deleted" : std::string(model::to_string(j->execution_state));
}

std::optional<std::int32_t> ScenarioFixture::exit_code(const std::string& job) const {
  const engine::JobRecord* j = replay_ ? replay_->job(job) : nullptr;
  return j == nullptr ? std::nullopt : j->exit_code;
}

model::NodeStateCounts ScenarioFixture::node_counts(const std::string& cluster) const {
  const engine::ClusterRecord* c = replay_ ? replay_->cluster(cluster) : nullptr;
  return c == nullptr ? model::NodeStateCounts{} : c->node_counts;
}

}  // namespace emu::harness
