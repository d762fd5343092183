#include "harness/synthetic_trace.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/rng.hpp"

namespace emu::harness {

Scenario synthetic_philly_trace(const SyntheticTraceShape& shape) {
  Scenario s;
  s.name = fmt::format("synthetic-philly-{}-jobs-{}-nodes", shape.jobs, shape.nodes);
  s.seed = shape.seed;
  s.settings.max_nodes_per_cluster = 100000;
  s.settings.dedicated_vcpu_quota_per_family = 1LL << 40;
  s.settings.total_dedicated_vcpu_quota = 1LL << 40;
  s.settings.cluster_quota = 1000;
  s.max_duration = std::chrono::hours(24 * 365);  // the arrivals span about 75 days
  core::Rng rng(shape.seed);

  // (VM size, nodes) per cluster.
  std::vector<std::pair<std::string, std::int32_t>> pools;
  if (shape.nodes == 552 && shape.clusters == 4) {
    pools = {{"STANDARD_ND40RS_V2", 150}, {"STANDARD_NC24", 122}, {"STANDARD_NC24", 121}, {"STANDARD_NC12", 159}};
  } else {
    const std::int32_t per_cluster = shape.nodes / shape.clusters;
    for (std::int32_t c = 0; c < shape.clusters; ++c) {
      pools.emplace_back("STANDARD_NC24",
                         c + 1 == shape.clusters ? shape.nodes - per_cluster * (shape.clusters - 1) : per_cluster);
    }
  }
  for (std::size_t c = 0; c < pools.size(); ++c) {
    Step st;
    st.method = "PUT";
    st.target = s.cluster_target(fmt::format("vc{}", c));
    st.body = fmt::format(
        R"({{"properties":{{"vmSize":"{}","userAccountSettings":{{"adminUserName":"u","adminUserPassword":"p-Assw0rd"}},"scaleSettings":{{"manual":{{"targetNodeCount":{}}}}}}}}})",
        pools[c].first, pools[c].second);
    st.origin = "synthetic cluster";
    s.steps.push_back(std::move(st));
  }
  // Philly: about 3/4 of jobs use one GPU; gangs of 2..16 nodes make up the rest.
  auto nodes_for = [&](double u) -> std::int32_t {
    if (u < 0.85) return 1;
    if (u < 0.94) return 2;
    if (u < 0.985) return 4;
    return 8;
  };
  const double mean_nodes = 0.85 * 1 + 0.09 * 2 + 0.045 * 4 + 0.015 * 8;
  // Log-uniform run times from 1 minute to 2 days: mean (b - a) / ln(b / a).
  const double lo = 60, hi = 2 * 86400;
  const double mean_run = (hi - lo) / std::log(hi / lo);
  const double mean_gap = mean_nodes * mean_run / (shape.load * shape.nodes);
  double t = 60;
  s.steps.reserve(s.steps.size() + static_cast<std::size_t>(shape.jobs));
  for (std::int64_t j = 0; j < shape.jobs; ++j) {
    t += -std::log(1.0 - rng.uniform_real()) * mean_gap;
    const std::int32_t nodes = nodes_for(rng.uniform_real());
    const double run = lo * std::exp(rng.uniform_real() * std::log(hi / lo));
    const int exit_code = rng.uniform_real() < 1.0 / 12 ? 1 : 0;
    Step st;
    st.at = core::from_seconds(std::floor(t));
    st.method = "PUT";
    st.target = s.job_target(fmt::format("j{}", j));
    st.body = fmt::format(
        R"({{"properties":{{"cluster":{{"id":"{}"}},"nodeCount":{},"stdOutErrPathPrefix":"/out","customToolkitSettings":{{"commandLine":"x"}},"environmentVariables":[{{"name":"EMULATOR_SIM_DURATION","value":"{:.0f}"}},{{"name":"EMULATOR_SIM_EXIT_CODE","value":"{}"}}]}}}})",
        s.cluster_id(fmt::format("vc{}", j % shape.clusters)), nodes, run, exit_code);
    st.origin = "synthetic job";
    s.steps.push_back(std::move(st));
  }
  return s;
}

}  // namespace emu::harness
