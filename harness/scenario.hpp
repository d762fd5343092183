#pragma once
// Scenario: a replayable description of a cluster's life, as scenario files say it (docs/scenarios.md):
// engine settings, resources created at the start, a timeline of API requests and faults, and
// expectations checked at given times or at the end. Loaded from YAML or built in code.
//   Scenario s;  s.steps.push_back(Step::request(10s, "PUT", s.job_target("j1"), body));
//   s.expectations.push_back(Expectation::job_state("j1", "succeeded"));

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/time.hpp"
#include "emulator/engine/engine_settings.hpp"

namespace emu::harness {

enum class FaultKind { kNodeFailure, kNodePreemption, kFileServerOutage };

// One thing the replay does at `at` after the start: an API request or a fault.
struct Step {
  enum class Kind { kRequest, kFault };

  core::Duration at{};
  Kind kind = Kind::kRequest;
  std::string origin;  // "file.yaml:12 timeline[3]": where it came from, for messages

  // kRequest: sent through the router exactly as a client would send it.
  std::string method;
  std::string target;  // absolute path with query, e.g. /subscriptions/.../jobs/j1?api-version=2018-05-01
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host and Content-Type
  std::optional<int> expect_status;       // checked when set; else any 2xx is fine and errors fail
  std::optional<std::string> expect_code;  // CloudError code the answer must carry

  // kFault
  FaultKind fault = FaultKind::kNodeFailure;
  std::optional<std::string> cluster;  // cluster name within the workspace (all clusters when unset)
  std::optional<std::string> node_id;
  std::int32_t count = 1;
  std::optional<std::string> file_server;
  core::Duration outage{};
};

// One checked fact. Unset optionals are not checked.
struct Expectation {
  enum class Kind { kJob, kJobs, kCluster, kQueue, kUsage, kJournal };

  std::optional<core::Duration> at;  // unset: at the end of the replay
  Kind kind = Kind::kJob;
  std::string origin;

  std::string name;  // job name (kJob), cluster name (kCluster), usage name (kUsage)
  std::optional<std::string> state;  // job executionState, or kJobs: the state counted
  std::optional<std::int32_t> exit_code;
  std::optional<std::int64_t> count;  // kJobs: jobs in `state`; kUsage: current value
  std::map<std::string, std::int64_t> node_counts;  // kCluster: idle, running, preparing, leaving, unusable, total
  std::optional<std::string> allocation_state;       // kCluster: steady | resizing
  std::optional<std::int64_t> queue_length;          // kQueue
  // kJournal: a record whose fields match (kind/from/to exactly, subject/reason as substrings).
  std::optional<std::string> record_kind, subject, from, to, reason;
  bool present = true;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source;  // file it came from, or "" when built in code
  std::uint64_t seed = 1;
  engine::EngineSettings settings;
  core::Time epoch = core::kDefaultEpoch;

  std::string subscription = "00000000-0000-0000-0000-000000000000";
  std::string resource_group = "scenario";
  std::string workspace = "ws";
  std::string experiment = "exp";
  std::string location = "eastus";

  // Whether the replay first creates the workspace and experiment; a recording carries its own.
  bool create_workspace = true;

  std::vector<Step> steps;  // in time order after loading (stable for equal times)
  std::vector<Expectation> expectations;
  // End of the replay: this long after the start. Unset: when nothing is left to happen (every job
  // finished, every cluster steady, no step left), capped at `max_duration`.
  std::optional<core::Duration> until;
  core::Duration max_duration = std::chrono::hours(24 * 30);

  // ARM paths within this scenario's workspace.
  std::string workspace_path() const;
  std::string cluster_target(const std::string& cluster) const;
  std::string job_target(const std::string& job) const;
  std::string file_server_target(const std::string& server) const;
  std::string cluster_id(const std::string& cluster) const;  // for a job's cluster.id
  // `relative` ("clusters/c1", "experiments/exp/jobs/j1/terminate") under the workspace, or an
  // absolute path (starting with '/') as is; adds ?api-version=2018-05-01 when there is none.
  std::string target(const std::string& relative) const;

  void sort_steps();
};

}  // namespace emu::harness
