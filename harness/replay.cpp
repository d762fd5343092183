#include "harness/replay.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>

#include "emulator/engine/resource_path.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/model/enums.hpp"

namespace emu::harness {
namespace {

std::string error_code_of(const api::HttpResponse& res) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(res.body, ec);
  if (ec || !v.is_object()) return {};
  const auto* err = v.as_object().if_contains("error");
  if (err == nullptr || !err->is_object()) return {};
  const auto* code = err->as_object().if_contains("code");
  return code != nullptr && code->is_string() ? std::string(code->as_string()) : std::string();
}

std::string seconds_text(core::Duration d) { return fmt::format("{}s", core::to_seconds(d)); }

}  // namespace

Replay::Replay(Scenario scenario, std::optional<std::uint64_t> seed)
    : scenario_(std::move(scenario)), seed_(seed.value_or(scenario_.seed)), executor_(scenario_.epoch) {
  storage_ = std::make_unique<fakes::SimStorageModel>(executor_);
  backend_ = std::make_unique<fakes::SimNodeBackend>(executor_, scenario_.settings);
  backend_->set_storage(storage_.get());
  journal_ = std::make_unique<core::Journal>();
  stats_ = std::make_unique<ReplayStats>(engine::VmSizeCatalog::builtin());
  journal_->set_sink([this](const core::JournalRecord& r) { stats_->observe(r); });
  engine_ = std::make_unique<engine::Engine>(executor_, store_, *backend_, *journal_,
                                             engine::VmSizeCatalog::builtin(), scenario_.settings, seed_);
  control_ = std::make_unique<ReplayControl>(executor_, *storage_);
  router_ = std::make_unique<api::Router>(*engine_, *control_);
}

Replay::~Replay() = default;

api::HttpResponse Replay::send(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  api::HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.scheme = "https";
  req.remote = "replay";
  req.headers.emplace_back("Host", "localhost:7443");
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  for (const auto& h : headers) req.headers.push_back(h);
  return router_->handle(req);
}

const engine::JobRecord* Replay::job(const std::string& name) const {
  const auto& s = scenario_;
  auto r = engine_->get_job(engine::ResourcePath::job(s.subscription, s.resource_group, s.workspace, s.experiment, name));
  return r.ok() ? *r : nullptr;
}

const engine::ClusterRecord* Replay::cluster(const std::string& name) const {
  const auto& s = scenario_;
  auto r = engine_->get_cluster(engine::ResourcePath::cluster(s.subscription, s.resource_group, s.workspace, name));
  return r.ok() ? *r : nullptr;
}

void Replay::run_step(const Step& step) {
  --steps_left_;
  if (step.kind == Step::Kind::kFault) {
    run_fault(step);
    return;
  }
  const api::HttpResponse res = send(step.method, step.target, step.body, step.headers);
  const std::string code = res.status >= 400 ? error_code_of(res) : std::string();
  const bool status_ok = step.expect_status ? res.status == *step.expect_status : res.status < 400;
  const bool code_ok = !step.expect_code || code == *step.expect_code;
  if (status_ok && code_ok) return;
  std::string expected = step.expect_status ? std::to_string(*step.expect_status) : "2xx";
  if (step.expect_code) expected += " " + *step.expect_code;
  failures_.push_back(fmt::format("{}: at {} {} {} answered {} {} (expected {}): {}", step.origin,
                                  seconds_text(executor_.now() - scenario_.epoch), step.method, step.target,
                                  res.status, code, expected, res.body.substr(0, 400)));
}

void Replay::run_fault(const Step& step) {
  if (step.fault == FaultKind::kFileServerOutage) {
    // Through the admin API, exactly as a client injects it: the file server must exist.
    const std::string body = fmt::format(R"({{"kind":"fileserver-outage","fileServerId":"{}","durationSeconds":{}}})",
                                         scenario_.workspace_path() + "/fileservers/" + step.file_server.value_or(""),
                                         core::to_seconds(step.outage));
    const api::HttpResponse res = send("POST", "/emulator/v1/faults", body, {});
    if (res.status >= 400) {
      failures_.push_back(fmt::format("{}: the fault could not be injected: {} {}", step.origin, res.status,
                                      res.body.substr(0, 400)));
    }
    return;
  }
  engine::NodeSelector selector;
  selector.count = step.count;
  selector.node_id = step.node_id;
  if (step.cluster) selector.cluster_id = scenario_.cluster_id(*step.cluster);
  auto hit = step.fault == FaultKind::kNodeFailure ? engine_->fail_nodes(selector) : engine_->preempt_nodes(selector);
  if (!hit) {
    failures_.push_back(fmt::format("{}: the fault could not be injected: {} ({})", step.origin, hit.error().message,
                                    hit.error().code));
  }
}

void Replay::check(const Expectation& x) {
  ++checked_;
  const std::string when = seconds_text(executor_.now() - scenario_.epoch);
  auto fail = [&](const std::string& what) { failures_.push_back(fmt::format("{}: at {}: {}", x.origin, when, what)); };
  switch (x.kind) {
    case Expectation::Kind::kJob: {
      const engine::JobRecord* j = job(x.name);
      const std::string state = j == nullptr ? "deleted" : std::string(model::to_string(j->execution_state));
      if (x.state && state != *x.state) fail(fmt::format("job {} is {}, expected {}", x.name, state, *x.state));
      if (x.exit_code) {
        if (j == nullptr || !j->exit_code) {
          fail(fmt::format("job {} has no exit code, expected {}", x.name, *x.exit_code));
        } else if (*j->exit_code != *x.exit_code) {
          fail(fmt::format("job {} exited with {}, expected {}", x.name, *j->exit_code, *x.exit_code));
        }
      }
      break;
    }
    case Expectation::Kind::kJobs: {
      std::int64_t n = 0;
      for (const auto& [key, j] : engine_->jobs()) {
        if (model::to_string(j.execution_state) == *x.state) ++n;
      }
      if (n != *x.count) fail(fmt::format("{} jobs are {}, expected {}", n, *x.state, *x.count));
      break;
    }
    case Expectation::Kind::kCluster: {
      const engine::ClusterRecord* c = cluster(x.name);
      if (c == nullptr) {
        fail(fmt::format("cluster {} does not exist", x.name));
        break;
      }
      const auto& n = c->node_counts;
      const std::map<std::string, std::int64_t> actual = {
          {"idle", n.idle_node_count},       {"running", n.running_node_count},
          {"preparing", n.preparing_node_count}, {"leaving", n.leaving_node_count},
          {"unusable", n.unusable_node_count},
          {"total", n.idle_node_count + n.running_node_count + n.preparing_node_count + n.leaving_node_count +
                        n.unusable_node_count}};
      for (const auto& [state, want] : x.node_counts) {
        if (actual.at(state) != want) {
          fail(fmt::format("cluster {} has {} {} nodes, expected {}", x.name, actual.at(state), state, want));
        }
      }
      if (x.allocation_state && model::to_string(c->allocation_state) != *x.allocation_state) {
        fail(fmt::format("cluster {} is {}, expected {}", x.name, model::to_string(c->allocation_state),
                         *x.allocation_state));
      }
      break;
    }
    case Expectation::Kind::kQueue: {
      const auto n = static_cast<std::int64_t>(engine_->queued_job_count());
      if (n != *x.queue_length) fail(fmt::format("{} jobs are queued, expected {}", n, *x.queue_length));
      break;
    }
    case Expectation::Kind::kUsage: {
      std::optional<std::int64_t> current;
      for (const auto& u : engine_->usages(scenario_.subscription, scenario_.location)) {
        if (u.name == x.name) current = u.current;
      }
      if (!current) {
        fail(fmt::format("no usage is named '{}'", x.name));
      } else if (*current != *x.count) {
        fail(fmt::format("usage '{}' is {}, expected {}", x.name, *current, *x.count));
      }
      break;
    }
    case Expectation::Kind::kJournal: {
      bool found = false;
      for (const auto& r : journal_->since(0)) {
        if (x.record_kind && r.kind != *x.record_kind) continue;
        if (x.from && r.from != *x.from) continue;
        if (x.to && r.to != *x.to) continue;
        if (x.subject && r.subject.find(*x.subject) == std::string::npos) continue;
        if (x.reason && r.reason.find(*x.reason) == std::string::npos) continue;
        found = true;
        break;
      }
      if (found != x.present) {
        fail(x.present ? "no journal record matches" : "a journal record matches, expected none");
      }
      break;
    }
  }
}

bool Replay::quiescent() const {
  if (steps_left_ > 0 || timed_checks_left_ > 0) return false;
  if (stats_->active_jobs() > 0 || stats_->transitional_nodes() > 0) return false;
  for (const auto& [key, c] : engine_->clusters()) {
    if (c.provisioning_state != model::ProvisioningState::kSucceeded &&
        c.provisioning_state != model::ProvisioningState::kFailed) {
      return false;
    }
    if (c.allocation_state != model::AllocationState::kSteady) return false;
    if (const auto& as = c.spec.scale_settings.auto_scale) {
      const auto& n = c.node_counts;
      const std::int64_t total = n.idle_node_count + n.running_node_count + n.unusable_node_count;
      if (total > as->minimum_node_count) return false;  // autoscale has yet to shrink it
    }
  }
  return true;
}

ReplayOutcome Replay::run(const ProgressFn& progress) {
  const auto wall_start = std::chrono::steady_clock::now();
  const core::Time start = executor_.now();
  // The workspace and experiment every path of the scenario lives under.
  if (scenario_.create_workspace) {
    send("PUT", scenario_.target(""), fmt::format(R"({{"location":"{}"}})", scenario_.location));
    send("PUT", scenario_.target("experiments/" + scenario_.experiment), "{}");
  }

  steps_left_ = scenario_.steps.size();
  for (const Step& step : scenario_.steps) {
    executor_.schedule_at(start + step.at, [this, &step] { run_step(step); });
  }
  std::vector<const Expectation*> at_end;
  for (const Expectation& x : scenario_.expectations) {
    if (x.at) {
      ++timed_checks_left_;
      executor_.schedule_at(start + *x.at, [this, &x] {
        --timed_checks_left_;
        check(x);
      });
    } else {
      at_end.push_back(&x);
    }
  }

  const core::Time limit = start + scenario_.until.value_or(scenario_.max_duration);
  std::uint64_t events = 0;
  auto last_report = std::chrono::steady_clock::now();
  while (true) {
    const auto next = executor_.next_event_time();
    if (!next || *next > limit) break;
    if (!scenario_.until && quiescent()) break;
    executor_.step();
    ++events;
    if (progress && (events & 1023) == 0) {
      const auto wall_now = std::chrono::steady_clock::now();
      if (wall_now - last_report > std::chrono::milliseconds(100)) {
        last_report = wall_now;
        const core::Duration elapsed = executor_.now() - start;
        double fraction = 0;
        if (scenario_.until) {
          fraction = core::to_seconds(elapsed) / std::max(1e-9, core::to_seconds(*scenario_.until));
        } else if (!scenario_.steps.empty()) {
          fraction = 1.0 - static_cast<double>(steps_left_) / static_cast<double>(scenario_.steps.size());
        }
        progress(elapsed, std::min(1.0, fraction));
      }
    }
  }
  if (scenario_.until) executor_.run_until(limit);  // the clock ends exactly at `until`
  if (!scenario_.until && !quiescent()) {
    failures_.push_back(fmt::format("{}: the scenario did not settle within maxDuration ({}); give until: to end it "
                                    "at a fixed time",
                                    scenario_.source.empty() ? scenario_.name : scenario_.source,
                                    seconds_text(scenario_.max_duration)));
  }
  for (const Expectation* x : at_end) check(*x);
  if (progress) progress(executor_.now() - start, 1.0);

  ReplayOutcome out;
  out.digest = journal_->digest_hex();
  out.failures = failures_;
  out.expectations_checked = checked_;
  out.seed = seed_;
  out.sim_elapsed = executor_.now() - start;
  out.events = executor_.tasks_run();
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.summary = stats_->summary(executor_.now());
  return out;
}

}  // namespace emu::harness
