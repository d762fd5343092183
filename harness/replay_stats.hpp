#pragma once
// ReplayStats: watches the journal as records are appended and keeps what the summary and the report
// need: node counts by state, queue length and GPUs in use over time, and each job's submit, start
// and end. It reads only the journal, so it sees exactly what the digest covers.
//   ReplayStats stats(catalog);  journal.set_sink([&](const auto& r) { stats.observe(r); });
//   ReplaySummary s = stats.summary(executor.now());

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/core/journal.hpp"
#include "emulator/engine/vm_size_catalog.hpp"

namespace emu::harness {

// One point of the time series: the state right after every change at `time`.
struct StatsSample {
  core::Time time{};
  std::int32_t preparing = 0, idle = 0, running = 0, leaving = 0, unusable = 0;
  std::int64_t queued = 0;
  std::int64_t gpus_busy = 0, gpus_total = 0;
};

struct JobTimeline {
  std::string name;
  core::Time submitted{};
  std::optional<core::Time> started;  // first time it ran
  std::optional<core::Time> ended;
  std::string state = "queued";
  std::int32_t nodes = 1;
  std::int32_t requeues = 0;
};

struct ReplaySummary {
  std::uint64_t journal_records = 0;
  std::int64_t jobs = 0, succeeded = 0, failed = 0, unfinished = 0, requeues = 0;
  double makespan_s = 0;  // first submission to last end
  double gpu_utilization = 0;  // GPU-seconds busy over GPU-seconds allocated
  double wait_p50_s = 0, wait_p90_s = 0, wait_p99_s = 0, wait_max_s = 0;
  std::int64_t max_queue = 0;
  std::int32_t max_nodes = 0;
};

class ReplayStats {
 public:
  explicit ReplayStats(const engine::VmSizeCatalog& catalog) : catalog_(catalog) {}

  void observe(const core::JournalRecord& record);
  ReplaySummary summary(core::Time now) const;

  const std::vector<StatsSample>& samples() const { return samples_; }
  const std::vector<JobTimeline>& jobs() const { return jobs_; }
  // Jobs neither finished nor deleted, and nodes on their way in or out: zero when nothing moves.
  std::int64_t active_jobs() const { return active_jobs_; }
  std::int32_t transitional_nodes() const { return current_.preparing + current_.leaving; }

 private:
  void count_node(const std::string& state, int delta, std::int64_t gpus);
  void push_sample(core::Time t);

  const engine::VmSizeCatalog& catalog_;
  std::unordered_map<std::string, std::int64_t> cluster_gpus_;  // cluster id -> GPUs per node
  struct NodeInfo {
    std::string state;
    std::int64_t gpus = 0;
  };
  std::unordered_map<std::string, NodeInfo> nodes_;
  std::unordered_map<std::string, std::size_t> job_index_;  // job id -> index in jobs_
  std::vector<JobTimeline> jobs_;
  std::vector<StatsSample> samples_;
  StatsSample current_;
  std::int64_t active_jobs_ = 0;
  std::uint64_t records_ = 0;
  // Integrals for utilization, advanced at every change.
  core::Time last_change_{};
  bool started_ = false;
  double busy_gpu_seconds_ = 0, total_gpu_seconds_ = 0;
};

}  // namespace emu::harness
