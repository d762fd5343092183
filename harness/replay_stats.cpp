#include "harness/replay_stats.hpp"

#include <algorithm>
#include <cmath>

namespace emu::harness {
namespace {

std::string_view detail(const core::JournalRecord& r, std::string_view key) {
  for (const auto& [k, v] : r.details) {
    if (k == key) return v;
  }
  return {};
}

bool terminal(std::string_view state) { return state == "succeeded" || state == "failed"; }

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

void ReplayStats::count_node(const std::string& state, int delta, std::int64_t gpus) {
  std::int32_t* slot = nullptr;
  if (state == "preparing") slot = &current_.preparing;
  else if (state == "idle") slot = &current_.idle;
  else if (state == "running") slot = &current_.running;
  else if (state == "leaving") slot = &current_.leaving;
  else if (state == "unusable") slot = &current_.unusable;
  if (slot == nullptr) return;
  *slot += delta;
  current_.gpus_total += delta * gpus;
  if (state == "running") current_.gpus_busy += delta * gpus;
}

void ReplayStats::push_sample(core::Time t) {
  current_.time = t;
  if (!samples_.empty() && samples_.back().time == t) {
    samples_.back() = current_;
  } else {
    samples_.push_back(current_);
  }
}

void ReplayStats::observe(const core::JournalRecord& r) {
  ++records_;
  if (!started_) {
    started_ = true;
    last_change_ = r.time;
  }
  if (r.time > last_change_) {
    const double dt = core::to_seconds(r.time - last_change_);
    busy_gpu_seconds_ += dt * static_cast<double>(current_.gpus_busy);
    total_gpu_seconds_ += dt * static_cast<double>(current_.gpus_total);
    last_change_ = r.time;
  }
  bool changed = false;
  if (r.kind == "cluster" && r.reason == "created") {
    const engine::VmSize* size = catalog_.find(detail(r, "vmSize"));
    cluster_gpus_[r.subject] = size == nullptr ? 0 : size->gpus;
  } else if (r.kind == "node") {
    if (r.from.empty() && !r.to.empty()) {
      auto it = cluster_gpus_.find(std::string(detail(r, "cluster")));
      NodeInfo info{r.to, it == cluster_gpus_.end() ? 0 : it->second};
      count_node(info.state, +1, info.gpus);
      nodes_[r.subject] = std::move(info);
      changed = true;
    } else if (auto it = nodes_.find(r.subject); it != nodes_.end() && r.from != r.to) {
      count_node(it->second.state, -1, it->second.gpus);
      if (r.to.empty()) {
        nodes_.erase(it);
      } else {
        it->second.state = r.to;
        count_node(r.to, +1, it->second.gpus);
      }
      changed = true;
    }
  } else if (r.kind == "job") {
    if (r.from.empty() && r.to == "queued") {
      JobTimeline job;
      job.name = r.subject.substr(r.subject.rfind('/') + 1);
      job.submitted = r.time;
      const std::string_view nodes = detail(r, "nodeCount");
      job.nodes = nodes.empty() ? 1 : std::max(1, std::atoi(std::string(nodes).c_str()));
      job_index_[r.subject] = jobs_.size();
      jobs_.push_back(std::move(job));
      ++current_.queued;
      ++active_jobs_;
      changed = true;
    } else if (auto it = job_index_.find(r.subject); it != job_index_.end()) {
      JobTimeline& job = jobs_[it->second];
      const bool was_active = !terminal(job.state) && job.state != "deleted";
      if (r.from == "queued") --current_.queued;
      if (r.to == "queued") {
        ++current_.queued;
        if (r.from == "running") ++job.requeues;
      }
      if (r.to == "running" && !job.started) job.started = r.time;
      if (terminal(r.to)) job.ended = r.time;
      job.state = r.to.empty() ? "deleted" : r.to;
      if (job.state == "deleting") job.state = "deleted";
      const bool is_active = !terminal(job.state) && job.state != "deleted";
      if (was_active && !is_active) --active_jobs_;
      if (!was_active && is_active) ++active_jobs_;
      changed = true;
    }
  }
  if (changed) push_sample(r.time);
}

ReplaySummary ReplayStats::summary(core::Time now) const {
  ReplaySummary s;
  s.journal_records = records_;
  s.jobs = static_cast<std::int64_t>(jobs_.size());
  std::vector<double> waits;
  waits.reserve(jobs_.size());
  std::optional<core::Time> first, last;
  for (const auto& j : jobs_) {
    if (j.state == "succeeded") ++s.succeeded;
    else if (j.state == "failed") ++s.failed;
    else ++s.unfinished;
    s.requeues += j.requeues;
    if (j.started) waits.push_back(core::to_seconds(*j.started - j.submitted));
    if (!first || j.submitted < *first) first = j.submitted;
    if (j.ended && (!last || *j.ended > *last)) last = j.ended;
  }
  if (first && last && *last > *first) s.makespan_s = core::to_seconds(*last - *first);
  std::sort(waits.begin(), waits.end());
  s.wait_p50_s = percentile(waits, 0.50);
  s.wait_p90_s = percentile(waits, 0.90);
  s.wait_p99_s = percentile(waits, 0.99);
  s.wait_max_s = waits.empty() ? 0 : waits.back();
  double busy = busy_gpu_seconds_, total = total_gpu_seconds_;
  if (now > last_change_ && started_) {
    const double dt = core::to_seconds(now - last_change_);
    busy += dt * static_cast<double>(current_.gpus_busy);
    total += dt * static_cast<double>(current_.gpus_total);
  }
  s.gpu_utilization = total > 0 ? busy / total : 0;
  for (const auto& p : samples_) {
    s.max_queue = std::max(s.max_queue, p.queued);
    s.max_nodes = std::max(s.max_nodes, p.preparing + p.idle + p.running + p.leaving + p.unusable);
  }
  return s;
}

}  // namespace emu::harness
