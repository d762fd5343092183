#include "fakes/nodes/sim_node_backend.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace emu::fakes {

namespace {

template <typename Variables>
std::optional<std::string> variable(const Variables& vars, std::string_view name) {
  for (const auto& v : vars) {
    if (v.name == name) return v.value;
  }
  return std::nullopt;
}

// Reads one EMULATOR_SIM_* setting; an unreadable value is an error naming the variable.
struct SimSettings {
  core::Duration duration{};
  std::int32_t exit_code = 0;
  std::optional<std::string> problem;
};

void read_duration(const std::optional<std::string>& text, std::string_view name, core::Duration& out,
                   std::optional<std::string>& problem) {
  if (!text) return;
  auto d = core::parse_duration(*text);
  if (!d) {
    problem = fmt::format("{}='{}' is not a duration: use seconds (90) or ISO 8601 (PT10M)", name, *text);
    return;
  }
  out = *d;
}

void read_exit_code(const std::optional<std::string>& text, std::string_view name, std::int32_t& out,
                    std::optional<std::string>& problem) {
  if (!text) return;
  std::int32_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size()) {
    problem = fmt::format("{}='{}' is not an integer exit code", name, *text);
    return;
  }
  out = value;
}

}  // namespace

void SimNodeBackend::start_node(const engine::NodeRecord& node, const engine::ClusterRecord& cluster,
                                const engine::VmSize& /*size*/) {
  core::Duration setup = settings_.node_setup_duration;
  std::int32_t exit_code = 0;
  std::optional<std::string> problem;
  if (cluster.spec.node_setup && cluster.spec.node_setup->setup_task) {
    const auto& vars = cluster.spec.node_setup->setup_task->environment_variables;
    read_duration(variable(vars, "EMULATOR_SIM_SETUP_DURATION"), "EMULATOR_SIM_SETUP_DURATION", setup, problem);
    read_exit_code(variable(vars, "EMULATOR_SIM_SETUP_EXIT_CODE"), "EMULATOR_SIM_SETUP_EXIT_CODE", exit_code,
                   problem);
  }
  const std::string id = node.id;
  node_timers_[id] = executor_.schedule_after(setup, [this, id, exit_code, problem] {
    node_timers_.erase(id);
    if (events_ == nullptr) return;
    if (problem) {
      events_->node_setup_failed(id, {"SetupTaskFailed", *problem, {}});
    } else if (exit_code != 0) {
      events_->node_setup_failed(
          id, {"SetupTaskFailed", fmt::format("The setup task exited with code {}", exit_code),
               {{"exitCode", std::to_string(exit_code)}}});
    } else {
      events_->node_ready(id);
    }
  });
}

void SimNodeBackend::stop_node(const engine::NodeRecord& node) {
  if (auto it = node_timers_.find(node.id); it != node_timers_.end()) {
    executor_.cancel(it->second);
    node_timers_.erase(it);
  }
}

void SimNodeBackend::start_job(const engine::JobLaunch& launch) {
  const auto& vars = launch.job->spec.environment_variables;
  core::Duration run = std::chrono::seconds(60);
  core::Duration prep{};
  std::int32_t exit_code = 0;
  std::int32_t prep_exit_code = 0;
  std::optional<std::string> problem;
  read_duration(variable(vars, "EMULATOR_SIM_DURATION"), "EMULATOR_SIM_DURATION", run, problem);
  read_duration(variable(vars, "EMULATOR_SIM_PREP_DURATION"), "EMULATOR_SIM_PREP_DURATION", prep, problem);
  read_exit_code(variable(vars, "EMULATOR_SIM_EXIT_CODE"), "EMULATOR_SIM_EXIT_CODE", exit_code, problem);
  read_exit_code(variable(vars, "EMULATOR_SIM_PREP_EXIT_CODE"), "EMULATOR_SIM_PREP_EXIT_CODE", prep_exit_code,
                 problem);

  engine::JobOutcome outcome;
  core::Duration total = prep + run;
  if (problem) {
    total = core::Duration::zero();
    outcome.exit_code = 1;
    outcome.error = model::BatchAIError{"JobFailed", *problem, {}};
  } else if (prep_exit_code != 0 && launch.job->spec.job_preparation) {
    total = prep;
    outcome.exit_code = prep_exit_code;
    outcome.error =
        model::BatchAIError{"JobPreparationFailed", "Job preparation task failed with non-zero exit code", {}};
  } else {
    outcome.exit_code = exit_code;
  }
  // File servers the job mounts exist in the storage model with their capacity.
  std::string store;
  std::string server_name;
  bool soft = false;
  std::uint64_t bytes = 0;
  if (storage_ != nullptr) {
    for (const auto& mounted : launch.file_servers) {
      // Known stores keep their usage; this (re)states the capacity: diskCount x diskSizeInGB.
      const auto& disks = mounted.server->spec.data_disks;
      const std::uint64_t capacity = static_cast<std::uint64_t>(disks.disk_count) *
                                     static_cast<std::uint64_t>(disks.disk_size_in_gb) * (std::uint64_t{1} << 30);
      (void)storage_->define_store(mounted.server->path.key(), capacity);
    }
    if (!launch.file_servers.empty()) {
      store = launch.file_servers.front().server->path.key();
      server_name = launch.file_servers.front().server->path.name;
      soft = launch.file_servers.front().mount_options.find("soft") != std::string::npos;
    }
    if (auto text = variable(vars, "EMULATOR_SIM_WRITE_BYTES")) {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (ec != std::errc{} || end != text->data() + text->size()) {
        outcome.exit_code = 1;
        outcome.error = model::BatchAIError{
            "JobFailed", fmt::format("EMULATOR_SIM_WRITE_BYTES='{}' is not a number of bytes", *text), {}};
      } else {
        bytes = value;
      }
    }
  }
  const std::string key = launch.job->path.key();
  job_timers_[key] = executor_.schedule_after(total, [this, key, outcome, store, server_name, bytes, soft] {
    finish_job(key, outcome, store, server_name, bytes, soft);
  });
}

void SimNodeBackend::finish_job(const std::string& key, engine::JobOutcome outcome, std::string store,
                                std::string server_name, std::uint64_t bytes, bool soft) {
  job_timers_.erase(key);
  if (bytes > 0 && !outcome.error && outcome.exit_code == 0) {
    if (store.empty()) {
      outcome.exit_code = 1;
      outcome.error = model::BatchAIError{
          "JobFailed", "EMULATOR_SIM_WRITE_BYTES is set but the job mounts no file server to write to", {}};
    } else if (auto written = storage_->write_bytes(store, bytes); !written) {
      if (written.error().code == "FileServerUnavailable" && !soft) {
        // A hard NFS mount blocks until the server is back: try again shortly.
        job_timers_[key] = executor_.schedule_after(std::chrono::seconds(1), [=, this] {
          finish_job(key, outcome, store, server_name, bytes, soft);
        });
        return;
      }
      outcome.exit_code = 1;
      outcome.error = model::BatchAIError{
          "JobFailed",
          written.error().code == "DiskFull"
              ? fmt::format("No space left on device: the file server {} is full", server_name)
              : fmt::format("Input/output error: the file server {} is unavailable (soft mount)", server_name),
          {}};
    }
  }
  if (events_ != nullptr) events_->job_finished(key, outcome);
}

void SimNodeBackend::file_server_deleted(const std::string& file_server_key) {
  if (storage_ != nullptr) storage_->remove_store(file_server_key);
}

void SimNodeBackend::stop_job(const std::string& job_key) {
  if (auto it = job_timers_.find(job_key); it != job_timers_.end()) {
    executor_.cancel(it->second);
    job_timers_.erase(it);
  }
}

}  // namespace emu::fakes
