#include "harness/scenario_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace emu::harness {
namespace {

namespace json = boost::json;

// Thrown inside the parser only; load_scenario turns it into a core::Error.
struct ScenarioError {
  std::string message;
  std::string key;
};

class Reader {
 public:
  Reader(std::string file, std::filesystem::path base) : file_(std::move(file)), base_(std::move(base)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
    const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    throw ScenarioError{fmt::format("{}:{}: {}: {}", file_, line, key.empty() ? "(top)" : key, what), key};
  }
  std::string origin(const YAML::Node& node, const std::string& key) const {
    return fmt::format("{}:{} {}", file_, node.Mark().line + 1, key);
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a text value");
    return node.Scalar();
  }
  std::int64_t integer(const YAML::Node& node, const std::string& key, std::int64_t lo, std::int64_t hi) const {
    const std::string s = node.IsScalar() ? node.Scalar() : std::string();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
      fail(node, key, fmt::format("'{}' is not a whole number", s));
    }
    if (v < lo || v > hi) fail(node, key, fmt::format("{} is out of range [{}, {}]", v, lo, hi));
    return v;
  }
  double number(const YAML::Node& node, const std::string& key) const {
    const std::string s = node.IsScalar() ? node.Scalar() : std::string();
    try {
      std::size_t used = 0;
      const double v = std::stod(s, &used);
      if (used == s.size() && std::isfinite(v) && v >= 0) return v;
    } catch (const std::exception&) {
    }
    fail(node, key, fmt::format("'{}' is not a non-negative number", s));
  }
  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string s = node.IsScalar() ? node.Scalar() : std::string();
    if (s == "true") return true;
    if (s == "false") return false;
    fail(node, key, fmt::format("'{}' is not true or false", s));
  }
  core::Duration duration(const YAML::Node& node, const std::string& key) const {
    const std::string s = node.IsScalar() ? node.Scalar() : std::string();
    auto d = parse_sim_duration(s);
    if (!d) fail(node, key, fmt::format("'{}' is not a duration (use 90, 90s, 5m, 2h, 1d or PT5M)", s));
    return *d;
  }
  void only_keys(const YAML::Node& node, const std::string& key, const std::vector<std::string_view>& allowed) const {
    if (!node.IsMap()) fail(node, key, "expected a mapping");
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, key.empty() ? name : key + "." + name, fmt::format("unknown key (expected one of: {})", list));
      }
    }
  }

  // YAML -> JSON: plain scalars become numbers, booleans and null where they read as such, quoted
  // scalars stay strings, so ARM bodies written in YAML send the same JSON as their .json files.
  json::value to_json(const YAML::Node& node) const {
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        json::object o;
        for (const auto& kv : node) o[kv.first.Scalar()] = to_json(kv.second);
        return o;
      }
      case YAML::NodeType::Sequence: {
        json::array a;
        for (const auto& item : node) a.push_back(to_json(item));
        return a;
      }
      case YAML::NodeType::Scalar: {
        const std::string& s = node.Scalar();
        if (node.Tag() != "?") return json::value(s);  // quoted
        if (s == "true") return true;
        if (s == "false") return false;
        if (s == "null" || s == "~") return nullptr;
        std::int64_t i = 0;
        if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
            ec == std::errc() && p == s.data() + s.size() && !s.empty()) {
          return i;
        }
        try {
          std::size_t used = 0;
          const double d = std::stod(s, &used);
          if (used == s.size() && !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) {
            return d;
          }
        } catch (const std::exception&) {
        }
        return json::value(s);
      }
      default:
        return nullptr;
    }
  }

  // body: (inline mapping) or bodyFile: (JSON file, relative to the scenario's folder).
  std::optional<json::value> body(const YAML::Node& entry, const std::string& key) const {
    if (entry["body"] && entry["bodyFile"]) fail(entry["bodyFile"], key + ".bodyFile", "give body or bodyFile, not both");
    if (const auto b = entry["body"]) {
      if (!b.IsMap()) fail(b, key + ".body", "expected a mapping (the ARM request body)");
      return to_json(b);
    }
    if (const auto f = entry["bodyFile"]) {
      const std::filesystem::path path = base_ / text(f, key + ".bodyFile");
      std::ifstream in(path);
      if (!in) fail(f, key + ".bodyFile", fmt::format("cannot read {}", path.string()));
      std::stringstream ss;
      ss << in.rdbuf();
      boost::system::error_code ec;
      json::value v = json::parse(ss.str(), ec);
      if (ec) fail(f, key + ".bodyFile", fmt::format("{} is not valid JSON: {}", path.string(), ec.message()));
      return v;
    }
    return std::nullopt;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::filesystem::path base_;
};

using Settings = engine::EngineSettings;

void apply_settings(const Reader& r, const YAML::Node& node, Settings& s) {
  using Apply = std::function<void(const YAML::Node&, const std::string&)>;
  auto dur = [&](core::Duration Settings::* f) -> Apply {
    return [&r, &s, f](const YAML::Node& n, const std::string& k) { s.*f = r.duration(n, k); };
  };
  auto i64 = [&](std::int64_t Settings::* f) -> Apply {
    return [&r, &s, f](const YAML::Node& n, const std::string& k) { s.*f = r.integer(n, k, 0, 1LL << 40); };
  };
  const std::map<std::string, Apply, std::less<>> fields = {
      {"cluster.provisioningDelay", dur(&Settings::cluster_provisioning_delay)},
      {"cluster.deletionDelay", dur(&Settings::cluster_deletion_delay)},
      {"fileServer.provisioningDelay", dur(&Settings::file_server_provisioning_delay)},
      {"fileServer.deletionDelay", dur(&Settings::file_server_deletion_delay)},
      {"job.deletionDelay", dur(&Settings::job_deletion_delay)},
      {"workspace.deletionDelay", dur(&Settings::workspace_deletion_delay)},
      {"nodes.allocationDelay", dur(&Settings::node_allocation_delay)},
      {"nodes.setupDuration", dur(&Settings::node_setup_duration)},
      {"nodes.deallocationDelay", dur(&Settings::node_deallocation_delay)},
      {"nodes.maxPerCluster",
       [&](const YAML::Node& n, const std::string& k) {
         s.max_nodes_per_cluster = static_cast<std::int32_t>(r.integer(n, k, 1, 100000));
       }},
      {"autoscale.interval", dur(&Settings::autoscale_interval)},
      {"scheduler.backfill", [&](const YAML::Node& n, const std::string& k) { s.scheduler_backfill = r.boolean(n, k); }},
      {"lowPriority.preemptionsPerHour",
       [&](const YAML::Node& n, const std::string& k) { s.low_priority_preemptions_per_hour = r.number(n, k); }},
      {"lowPriority.maxJobRun", dur(&Settings::low_priority_max_job_run)},
      {"quota.dedicatedVcpusPerFamily", i64(&Settings::dedicated_vcpu_quota_per_family)},
      {"quota.lowPriorityVcpusPerFamily", i64(&Settings::low_priority_vcpu_quota_per_family)},
      {"quota.totalDedicatedVcpus", i64(&Settings::total_dedicated_vcpu_quota)},
      {"quota.totalLowPriorityVcpus", i64(&Settings::total_low_priority_vcpu_quota)},
      {"quota.clusters", i64(&Settings::cluster_quota)},
      {"limits.maxOperationsInFlight",
       [&](const YAML::Node& n, const std::string& k) { s.max_operations_in_flight = r.integer(n, k, 1, 1LL << 40); }},
      {"limits.maxJobsPerExperiment",
       [&](const YAML::Node& n, const std::string& k) { s.max_jobs_per_experiment = r.integer(n, k, 1, 1LL << 40); }},
  };
  if (!node.IsMap()) r.fail(node, "settings", "expected a mapping of setting sections (nodes:, quota:, ...)");
  for (const auto& section : node) {
    const std::string name = section.first.Scalar();
    if (!section.second.IsMap()) r.fail(section.second, "settings." + name, "expected a mapping");
    for (const auto& entry : section.second) {
      const std::string key = name + "." + entry.first.Scalar();
      if (key == "quota.dedicatedOverrides") {
        if (!entry.second.IsMap()) r.fail(entry.second, "settings." + key, "expected family name: vCPU limit pairs");
        for (const auto& o : entry.second) {
          s.dedicated_quota_overrides[o.first.Scalar()] =
              r.integer(o.second, "settings." + key + "." + o.first.Scalar(), 0, 1LL << 40);
        }
        continue;
      }
      auto it = fields.find(key);
      if (it == fields.end()) r.fail(entry.first, "settings." + key, "unknown setting (docs/settings.md lists them)");
      it->second(entry.second, "settings." + key);
    }
  }
}

class ScenarioParser {
 public:
  ScenarioParser(const Reader& r, Scenario& s) : r_(r), s_(s) {}

  void parse(const YAML::Node& root) {
    if (!root.IsMap()) r_.fail(root, "", "a scenario is a mapping (name:, seed:, resources:, timeline:, ...)");
    r_.only_keys(root, "", {"name", "description", "seed", "profile", "epoch", "settings", "subscription",
                            "resourceGroup", "workspace", "experiment", "location", "resources", "timeline",
                            "expectations", "until", "maxDuration"});
    if (auto n = root["name"]) s_.name = r_.text(n, "name");
    if (auto n = root["description"]) s_.description = r_.text(n, "description");
    if (auto n = root["seed"]) s_.seed = static_cast<std::uint64_t>(r_.integer(n, "seed", 0, INT64_MAX));
    if (auto n = root["profile"]) {
      auto p = Settings::profile_named(r_.text(n, "profile"));
      if (!p) r_.fail(n, "profile", fmt::format("'{}' is not a profile (fast or realistic)", n.Scalar()));
      s_.settings = *p;
    }
    if (auto n = root["settings"]) apply_settings(r_, n, s_.settings);
    if (auto n = root["epoch"]) {
      auto t = core::parse_timestamp(r_.text(n, "epoch"));
      if (!t) r_.fail(n, "epoch", "expected a UTC timestamp like 2018-06-01T00:00:00Z");
      s_.epoch = *t;
    }
    if (auto n = root["subscription"]) s_.subscription = r_.text(n, "subscription");
    if (auto n = root["resourceGroup"]) s_.resource_group = r_.text(n, "resourceGroup");
    if (auto n = root["workspace"]) s_.workspace = r_.text(n, "workspace");
    if (auto n = root["experiment"]) s_.experiment = r_.text(n, "experiment");
    if (auto n = root["location"]) s_.location = r_.text(n, "location");
    if (auto n = root["until"]) s_.until = r_.duration(n, "until");
    if (auto n = root["maxDuration"]) s_.max_duration = r_.duration(n, "maxDuration");
    if (auto n = root["resources"]) {
      if (!n.IsSequence()) r_.fail(n, "resources", "expected a list of cluster:, fileServer: or job: entries");
      for (std::size_t i = 0; i < n.size(); ++i) resource(n[i], fmt::format("resources[{}]", i));
    }
    if (auto n = root["timeline"]) {
      if (!n.IsSequence()) r_.fail(n, "timeline", "expected a list of timed steps");
      for (std::size_t i = 0; i < n.size(); ++i) timeline(n[i], fmt::format("timeline[{}]", i));
    }
    if (auto n = root["expectations"]) {
      if (!n.IsSequence()) r_.fail(n, "expectations", "expected a list of expectations");
      for (std::size_t i = 0; i < n.size(); ++i) expectation(n[i], fmt::format("expectations[{}]", i));
    }
    s_.sort_steps();
  }

 private:
  Step request(const YAML::Node& node, const std::string& key, core::Duration at, std::string method,
               std::string target, const json::value& body) {
    Step st;
    st.at = at;
    st.kind = Step::Kind::kRequest;
    st.origin = r_.origin(node, key);
    st.method = std::move(method);
    st.target = std::move(target);
    if (!body.is_null()) st.body = json::serialize(body);
    if (auto e = node["expectStatus"]) st.expect_status = static_cast<int>(r_.integer(e, key + ".expectStatus", 100, 599));
    if (auto e = node["expectCode"]) st.expect_code = r_.text(e, key + ".expectCode");
    return st;
  }

  json::value cluster_body(const YAML::Node& e, const std::string& key) {
    if (auto b = r_.body(e, key)) return *b;
    json::object props;
    props["vmSize"] = e["vmSize"] ? r_.text(e["vmSize"], key + ".vmSize") : "STANDARD_NC6";
    props["userAccountSettings"] = {{"adminUserName", "scenario"}, {"adminUserPassword", "scenario-Passw0rd"}};
    if (auto p = e["priority"]) props["vmPriority"] = r_.text(p, key + ".priority");
    if (auto a = e["autoscale"]) {
      r_.only_keys(a, key + ".autoscale", {"min", "max", "initial"});
      json::object as;
      as["minimumNodeCount"] = a["min"] ? r_.integer(a["min"], key + ".autoscale.min", 0, 100000) : 0;
      if (!a["max"]) r_.fail(a, key + ".autoscale.max", "is required: the most nodes autoscale may allocate");
      as["maximumNodeCount"] = r_.integer(a["max"], key + ".autoscale.max", 0, 100000);
      if (a["initial"]) as["initialNodeCount"] = r_.integer(a["initial"], key + ".autoscale.initial", 0, 100000);
      props["scaleSettings"] = {{"autoScale", as}};
    } else {
      json::object manual;
      manual["targetNodeCount"] = e["nodes"] ? r_.integer(e["nodes"], key + ".nodes", 0, 100000) : 0;
      if (auto d = e["deallocation"]) manual["nodeDeallocationOption"] = r_.text(d, key + ".deallocation");
      props["scaleSettings"] = {{"manual", manual}};
    }
    return {{"properties", props}};
  }

  json::value job_body(const YAML::Node& e, const std::string& key) {
    if (auto b = r_.body(e, key)) return *b;
    if (!e["cluster"]) r_.fail(e, key + ".cluster", "is required: the name of the cluster the job runs on");
    json::object props;
    props["cluster"] = {{"id", s_.cluster_id(r_.text(e["cluster"], key + ".cluster"))}};
    props["nodeCount"] = e["nodes"] ? r_.integer(e["nodes"], key + ".nodes", 0, 100000) : 1;
    props["stdOutErrPathPrefix"] = "$AZ_BATCHAI_MOUNT_ROOT/out";
    props["customToolkitSettings"] = {{"commandLine", "python train.py"}};
    if (auto p = e["priority"]) props["schedulingPriority"] = r_.text(p, key + ".priority");
    if (auto w = e["maxWallClockTime"]) {
      props["constraints"] = {{"maxWallClockTime", core::format_duration(r_.duration(w, key + ".maxWallClockTime"))}};
    }
    json::array env;
    if (auto d = e["duration"]) {
      env.push_back({{"name", "EMULATOR_SIM_DURATION"},
                     {"value", fmt::format("{}", core::to_seconds(r_.duration(d, key + ".duration")))}});
    }
    if (auto x = e["exitCode"]) {
      env.push_back({{"name", "EMULATOR_SIM_EXIT_CODE"},
                     {"value", std::to_string(r_.integer(x, key + ".exitCode", -2147483648LL, 2147483647LL))}});
    }
    if (!env.empty()) props["environmentVariables"] = env;
    return {{"properties", props}};
  }

  static inline const std::vector<std::string_view> kClusterKeys = {
      "at", "cluster", "createCluster", "body", "bodyFile", "vmSize", "nodes", "autoscale", "priority",
      "deallocation", "expectStatus", "expectCode"};
  static inline const std::vector<std::string_view> kJobKeys = {
      "at", "job", "submit", "body", "bodyFile", "cluster", "nodes", "duration", "exitCode", "priority",
      "maxWallClockTime", "repeat", "every", "expectStatus", "expectCode"};

  void add_cluster(const YAML::Node& e, const std::string& key, core::Duration at, const std::string& name) {
    s_.steps.push_back(request(e, key, at, "PUT", s_.cluster_target(name), cluster_body(e, key)));
  }
  void add_jobs(const YAML::Node& e, const std::string& key, core::Duration at, const std::string& name) {
    const json::value body = job_body(e, key);
    const std::int64_t repeat = e["repeat"] ? r_.integer(e["repeat"], key + ".repeat", 1, 10'000'000) : 0;
    const core::Duration every = e["every"] ? r_.duration(e["every"], key + ".every") : core::Duration{};
    if (repeat == 0) {
      s_.steps.push_back(request(e, key, at, "PUT", s_.job_target(name), body));
      return;
    }
    for (std::int64_t i = 0; i < repeat; ++i) {
      s_.steps.push_back(
          request(e, key, at + every * i, "PUT", s_.job_target(fmt::format("{}-{}", name, i + 1)), body));
    }
  }

  void resource(const YAML::Node& e, const std::string& key) {
    if (!e.IsMap()) r_.fail(e, key, "expected a mapping with cluster:, fileServer: or job:");
    const core::Duration at = e["at"] ? r_.duration(e["at"], key + ".at") : core::Duration{};
    if (auto c = e["cluster"]; c && !e["submit"] && !e["job"]) {
      r_.only_keys(e, key, kClusterKeys);
      add_cluster(e, key, at, r_.text(c, key + ".cluster"));
    } else if (auto f = e["fileServer"]) {
      r_.only_keys(e, key, {"at", "fileServer", "body", "bodyFile", "expectStatus", "expectCode"});
      auto body = r_.body(e, key);
      if (!body) r_.fail(e, key + ".body", "a file server needs body: or bodyFile: (its ARM request body)");
      s_.steps.push_back(request(e, key, at, "PUT", s_.file_server_target(r_.text(f, key + ".fileServer")), *body));
    } else if (auto j = e["job"]) {
      r_.only_keys(e, key, kJobKeys);
      add_jobs(e, key, at, r_.text(j, key + ".job"));
    } else {
      r_.fail(e, key, "expected cluster:, fileServer: or job: naming the resource");
    }
  }

  void timeline(const YAML::Node& e, const std::string& key) {
    if (!e.IsMap()) r_.fail(e, key, "expected a mapping with at: and an action");
    if (!e["at"]) r_.fail(e, key + ".at", "is required: when the step happens, e.g. at: 90s");
    const core::Duration at = r_.duration(e["at"], key + ".at");
    if (auto n = e["submit"]) {
      r_.only_keys(e, key, kJobKeys);
      add_jobs(e, key, at, r_.text(n, key + ".submit"));
    } else if (auto c = e["createCluster"]) {
      r_.only_keys(e, key, kClusterKeys);
      add_cluster(e, key, at, r_.text(c, key + ".createCluster"));
    } else if (auto f = e["createFileServer"]) {
      r_.only_keys(e, key, {"at", "createFileServer", "body", "bodyFile", "expectStatus", "expectCode"});
      auto body = r_.body(e, key);
      if (!body) r_.fail(e, key + ".body", "a file server needs body: or bodyFile: (its ARM request body)");
      s_.steps.push_back(
          request(e, key, at, "PUT", s_.file_server_target(r_.text(f, key + ".createFileServer")), *body));
    } else if (auto rz = e["resize"]) {
      r_.only_keys(e, key, {"at", "resize", "nodes", "deallocation", "expectStatus", "expectCode"});
      if (!e["nodes"]) r_.fail(e, key + ".nodes", "is required: the new targetNodeCount");
      json::object manual;
      manual["targetNodeCount"] = r_.integer(e["nodes"], key + ".nodes", 0, 100000);
      if (auto d = e["deallocation"]) manual["nodeDeallocationOption"] = r_.text(d, key + ".deallocation");
      json::value body = {{"properties", {{"scaleSettings", {{"manual", manual}}}}}};
      s_.steps.push_back(request(e, key, at, "PATCH", s_.cluster_target(r_.text(rz, key + ".resize")), body));
    } else if (auto as = e["autoscale"]) {
      r_.only_keys(e, key, {"at", "autoscale", "min", "max", "initial", "expectStatus", "expectCode"});
      json::object a;
      a["minimumNodeCount"] = e["min"] ? r_.integer(e["min"], key + ".min", 0, 100000) : 0;
      if (!e["max"]) r_.fail(e, key + ".max", "is required: the most nodes autoscale may allocate");
      a["maximumNodeCount"] = r_.integer(e["max"], key + ".max", 0, 100000);
      if (e["initial"]) a["initialNodeCount"] = r_.integer(e["initial"], key + ".initial", 0, 100000);
      json::value body = {{"properties", {{"scaleSettings", {{"autoScale", a}}}}}};
      s_.steps.push_back(request(e, key, at, "PATCH", s_.cluster_target(r_.text(as, key + ".autoscale")), body));
    } else if (auto t = e["terminate"]) {
      r_.only_keys(e, key, {"at", "terminate", "expectStatus", "expectCode"});
      const std::string target = s_.target("experiments/" + s_.experiment + "/jobs/" + r_.text(t, key + ".terminate") +
                                           "/terminate");
      s_.steps.push_back(request(e, key, at, "POST", target, nullptr));
    } else if (auto dj = e["deleteJob"]) {
      r_.only_keys(e, key, {"at", "deleteJob", "expectStatus", "expectCode"});
      s_.steps.push_back(request(e, key, at, "DELETE", s_.job_target(r_.text(dj, key + ".deleteJob")), nullptr));
    } else if (auto dc = e["deleteCluster"]) {
      r_.only_keys(e, key, {"at", "deleteCluster", "expectStatus", "expectCode"});
      s_.steps.push_back(
          request(e, key, at, "DELETE", s_.cluster_target(r_.text(dc, key + ".deleteCluster")), nullptr));
    } else if (auto df = e["deleteFileServer"]) {
      r_.only_keys(e, key, {"at", "deleteFileServer", "expectStatus", "expectCode"});
      s_.steps.push_back(
          request(e, key, at, "DELETE", s_.file_server_target(r_.text(df, key + ".deleteFileServer")), nullptr));
    } else if (auto rq = e["request"]) {
      r_.only_keys(e, key, {"at", "request", "expectStatus", "expectCode"});
      r_.only_keys(rq, key + ".request", {"method", "path", "body", "bodyFile"});
      if (!rq["method"] || !rq["path"]) r_.fail(rq, key + ".request", "needs method: and path:");
      std::string method = r_.text(rq["method"], key + ".request.method");
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char ch) { return std::toupper(ch); });
      auto body = r_.body(rq, key + ".request");
      s_.steps.push_back(request(e, key, at, method, s_.target(r_.text(rq["path"], key + ".request.path")),
                                 body ? *body : json::value(nullptr)));
    } else if (auto ft = e["fault"]) {
      fault(e, key, at, r_.text(ft, key + ".fault"));
    } else {
      r_.fail(e, key,
              "no action: expected one of submit, createCluster, createFileServer, resize, autoscale, terminate, "
              "deleteJob, deleteCluster, deleteFileServer, request, fault");
    }
  }

  void fault(const YAML::Node& e, const std::string& key, core::Duration at, const std::string& kind) {
    r_.only_keys(e, key, {"at", "fault", "cluster", "node", "count", "fileServer", "duration"});
    Step st;
    st.at = at;
    st.kind = Step::Kind::kFault;
    st.origin = r_.origin(e, key);
    if (kind == "node-failure") {
      st.fault = FaultKind::kNodeFailure;
    } else if (kind == "node-preemption") {
      st.fault = FaultKind::kNodePreemption;
    } else if (kind == "fileserver-outage") {
      st.fault = FaultKind::kFileServerOutage;
      if (!e["fileServer"]) r_.fail(e, key + ".fileServer", "is required: the file server that goes down");
      st.file_server = r_.text(e["fileServer"], key + ".fileServer");
      if (e["duration"]) st.outage = r_.duration(e["duration"], key + ".duration");
    } else {
      r_.fail(e["fault"], key + ".fault",
              fmt::format("'{}' is not a fault (node-failure, node-preemption or fileserver-outage)", kind));
    }
    if (auto c = e["cluster"]) st.cluster = r_.text(c, key + ".cluster");
    if (auto n = e["node"]) st.node_id = r_.text(n, key + ".node");
    if (auto c = e["count"]) st.count = static_cast<std::int32_t>(r_.integer(c, key + ".count", 1, 100000));
    s_.steps.push_back(std::move(st));
  }

  void expectation(const YAML::Node& e, const std::string& key) {
    if (!e.IsMap()) r_.fail(e, key, "expected a mapping such as {job: j1, state: succeeded}");
    Expectation x;
    x.origin = r_.origin(e, key);
    if (auto a = e["at"]) x.at = r_.duration(a, key + ".at");
    if (auto j = e["job"]) {
      r_.only_keys(e, key, {"at", "job", "state", "exitCode"});
      x.kind = Expectation::Kind::kJob;
      x.name = r_.text(j, key + ".job");
      if (auto s = e["state"]) x.state = state(s, key + ".state");
      if (auto c = e["exitCode"]) {
        x.exit_code = static_cast<std::int32_t>(r_.integer(c, key + ".exitCode", -2147483648LL, 2147483647LL));
      }
      if (!x.state && !x.exit_code) r_.fail(e, key, "a job expectation needs state: or exitCode:");
    } else if (auto js = e["jobs"]) {
      r_.only_keys(e, key, {"at", "jobs", "count"});
      x.kind = Expectation::Kind::kJobs;
      x.state = state(js, key + ".jobs");
      if (!e["count"]) r_.fail(e, key + ".count", "is required: how many jobs are in that state");
      x.count = r_.integer(e["count"], key + ".count", 0, INT64_MAX);
    } else if (auto c = e["cluster"]) {
      r_.only_keys(e, key, {"at", "cluster", "nodes", "allocationState"});
      x.kind = Expectation::Kind::kCluster;
      x.name = r_.text(c, key + ".cluster");
      if (auto n = e["nodes"]) {
        r_.only_keys(n, key + ".nodes", {"idle", "running", "preparing", "leaving", "unusable", "total"});
        for (const auto& kv : n) {
          x.node_counts[kv.first.Scalar()] = r_.integer(kv.second, key + ".nodes." + kv.first.Scalar(), 0, INT64_MAX);
        }
      }
      if (auto a = e["allocationState"]) {
        x.allocation_state = r_.text(a, key + ".allocationState");
        if (*x.allocation_state != "steady" && *x.allocation_state != "resizing") {
          r_.fail(a, key + ".allocationState", "expected steady or resizing");
        }
      }
    } else if (auto q = e["queueLength"]) {
      r_.only_keys(e, key, {"at", "queueLength"});
      x.kind = Expectation::Kind::kQueue;
      x.queue_length = r_.integer(q, key + ".queueLength", 0, INT64_MAX);
    } else if (auto u = e["usage"]) {
      r_.only_keys(e, key, {"at", "usage", "current"});
      x.kind = Expectation::Kind::kUsage;
      x.name = r_.text(u, key + ".usage");
      if (!e["current"]) r_.fail(e, key + ".current", "is required: the usage's expected currentValue");
      x.count = r_.integer(e["current"], key + ".current", 0, INT64_MAX);
    } else if (auto j2 = e["journal"]) {
      r_.only_keys(e, key, {"at", "journal", "present"});
      r_.only_keys(j2, key + ".journal", {"kind", "subject", "from", "to", "reason"});
      x.kind = Expectation::Kind::kJournal;
      auto field = [&](const char* k, std::optional<std::string>& out) {
        if (auto v = j2[k]) out = r_.text(v, key + ".journal." + k);
      };
      field("kind", x.record_kind);
      field("subject", x.subject);
      field("from", x.from);
      field("to", x.to);
      field("reason", x.reason);
      if (auto p = e["present"]) x.present = r_.boolean(p, key + ".present");
    } else {
      r_.fail(e, key, "expected one of job, jobs, cluster, queueLength, usage, journal");
    }
    s_.expectations.push_back(std::move(x));
  }

  std::string state(const YAML::Node& n, const std::string& key) {
    static const std::set<std::string, std::less<>> kStates = {"queued", "running", "terminating", "succeeded",
                                                                "failed", "deleted"};
    std::string s = r_.text(n, key);
    if (!kStates.contains(s)) {
      r_.fail(n, key, fmt::format("'{}' is not a job state (queued, running, terminating, succeeded, failed, deleted)", s));
    }
    return s;
  }

  const Reader& r_;
  Scenario& s_;
};

}  // namespace

std::optional<core::Duration> parse_sim_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char unit = text.back();
  double scale = 0;
  switch (unit) {
    case 's': scale = 1; break;
    case 'm': scale = 60; break;
    case 'h': scale = 3600; break;
    case 'd': scale = 86400; break;
    default: break;
  }
  if (scale > 0 && text.front() != 'P') {
    const std::string number(text.substr(0, text.size() - 1));
    try {
      std::size_t used = 0;
      const double v = std::stod(number, &used);
      // At most what int64 nanoseconds hold (about 292 years): converting more is undefined behaviour.
      constexpr double kMaxSeconds = 9.2e9;
      if (used == number.size() && std::isfinite(v) && v >= 0 && v * scale <= kMaxSeconds) {
        return core::from_seconds(v * scale);
      }
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
  return core::parse_duration(text);
}

core::Result<Scenario> parse_scenario(std::string_view yaml, const std::string& file_label,
                                      const std::filesystem::path& base_dir) {
  Scenario scenario;
  scenario.source = file_label;
  Reader reader(file_label, base_dir);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    ScenarioParser(reader, scenario).parse(root);
  } catch (const ScenarioError& e) {
    return core::Error::bad_request("InvalidScenario", e.message, e.key);
  } catch (const YAML::Exception& e) {
    return core::Error::bad_request("InvalidScenario",
                                    fmt::format("{}:{}: (yaml): {}", file_label, e.mark.line + 1, e.msg));
  }
  if (scenario.name.empty()) scenario.name = std::filesystem::path(file_label).stem().string();
  return scenario;
}

core::Result<Scenario> load_scenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return core::Error::bad_request("InvalidScenario",
                                    fmt::format("cannot read the scenario file {}: check the path", file.string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string(), file.parent_path());
}

}  // namespace emu::harness
