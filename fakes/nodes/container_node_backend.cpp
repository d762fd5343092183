#include "fakes/nodes/container_node_backend.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "fakes/nodes/bound_volume.hpp"
#include "fakes/nodes/node_agent_binary.hpp"
#include "fakes/nodes/node_agent_protocol.hpp"

extern char** environ;

namespace emu::fakes {

namespace fs = std::filesystem;

struct ContainerNodeBackend::Node {
  std::string id;
  std::string ip;
  std::unique_ptr<SandboxNode> sandbox;
  std::vector<GpuDevice> gpus;
  int size_gpus = 0;
  std::vector<std::unique_ptr<MountedVolume>> volumes;
  pid_t setup_pid = 0;
  std::vector<NodeCommandMount> command_mounts;  // cluster-level, run once the node has its network
  std::string job_key;
  std::string cgroup;  // relative: <node id>
};

struct ContainerNodeBackend::Job {
  enum class Phase { kMount, kRootfs, kPrep, kRun, kDone };
  std::string key;
  std::string name;
  model::JobBaseProperties spec;
  std::string output_segment;
  std::vector<std::string> node_ids;
  JobEnvironment env;
  Phase phase = Phase::kRootfs;
  std::string image_dir;  // containerSettings: the image's directory in the store
  std::vector<ProcessPlan> plan;
  std::map<pid_t, std::size_t> pids;
  std::size_t pending = 0;
  std::map<std::size_t, int> exit_codes;
  std::optional<int> prep_failure;
  std::string launcher_cgroup;
  std::vector<std::unique_ptr<MountedVolume>> volumes;
  std::vector<NodeCommandMount> command_mounts;  // undone inside the nodes when the job ends
  std::vector<UniqueFd> shared_binds;  // roots of the binds of shared_dir into the nodes
  fs::path shared_dir;
  fs::path launcher_host_file;  // the hostfile the launcher's mpirun reads, in the data dir
  std::unique_ptr<NodeAgentServer> agent;  // runs mpirun's daemons on the job's nodes
  std::string launcher_agent;               // OMPI_MCA_plm_rsh_agent for mpirun in the launcher
};

namespace {

constexpr std::string_view kNodeCgroupJob = "job";

std::string short_hash(std::string_view text) {
  return fmt::format("{:08x}", static_cast<std::uint32_t>(std::hash<std::string_view>{}(text)));
}

// Runs a short host command to its end (network plumbing at start-up); returns its exit code.
int run_blocking(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return 127;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string path_segment_of_cluster(const engine::ClusterRecord& c) {
  return fmt::format("{}/{}/workspaces/{}/clusters/{}/{}", c.path.subscription, c.path.resource_group,
                     c.path.workspace, c.path.name, c.setup_task_output_id);
}

std::string last_segment(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const auto slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

bool mounts_below(const fs::path& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  const std::string prefix = dir.string() + "/";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    if (mount_point.starts_with(prefix) || mount_point == dir.string()) return true;
  }
  return false;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

core::Error job_failed(const core::Error& error) { return core::Error::bad_request("JobFailed", error.message); }

// A process's stdout and stderr files in the directory `dir` of a node, opened for appending without
// following any link a job put there.
struct OutputFiles {
  UniqueFd out;
  UniqueFd err;
};

core::Result<OutputFiles> open_output_files(const SandboxNode& box, const std::string& dir,
                                            const std::string& out_name, const std::string& err_name) {
  const auto place = box.locate(dir);
  auto out = place.tree->open_file(place.relative + "/" + out_name, BeneathPath::Write::kAppend);
  if (!out) return out.error();
  auto err = place.tree->open_file(place.relative + "/" + err_name, BeneathPath::Write::kAppend);
  if (!err) return err.error();
  return OutputFiles{std::move(*out), std::move(*err)};
}

core::Result<UniqueFd> make_node_directories(const SandboxNode& box, const std::string& inside) {
  const auto place = box.locate(inside);
  return place.tree->make_directories(place.relative);
}

}  // namespace

ContainerNodeBackend::ContainerNodeBackend(core::Executor& executor, boost::asio::io_context& io,
                                           const engine::EngineSettings& settings, fs::path data_dir,
                                           StorageService* storage, std::optional<GpuInventory> gpus,
                                           CgroupHierarchies cgroups)
    : executor_(executor),
      settings_(settings),
      data_dir_(fs::absolute(data_dir)),
      storage_(storage),
      watcher_(io),
      cgroups_(cgroups),
      gpus_(gpus ? std::move(*gpus) : GpuInventory::discover()),
      images_(data_dir_ / "images"),
      bridge_(fmt::format("emubr{}", short_hash(data_dir_.string()))) {
  std::error_code ec;
  fs::create_directories(data_dir_ / "run" / "agents", ec);
  fs::create_directories(data_dir_ / "run" / "nodes", ec);
  fs::create_directories(data_dir_ / "bin", ec);
  // mpirun in the launcher runs this copy; nodes get their own (they cannot see the data dir, and a
  // job must not be able to change what runs on the host).
  agent_path_ = data_dir_ / "bin" / "node-agent";
  if (auto written = write_node_agent(agent_path_); !written) agent_error_ = written.error().message;
}

ContainerNodeBackend::~ContainerNodeBackend() {
  for (auto& [key, job] : jobs_) tear_down_job(*job);
  jobs_.clear();
  for (auto& [id, node] : nodes_) {
    node->volumes.clear();
    node->sandbox.reset();
  }
  nodes_.clear();
  launcher_.reset();
  if (bridge_ready_) run_blocking({"ip", "link", "del", bridge_});
}

core::Result<void> ContainerNodeBackend::ensure_bridge() {
  if (bridge_ready_) return {};
  run_blocking({"ip", "link", "add", bridge_, "type", "bridge"});
  if (run_blocking({"ip", "link", "set", bridge_, "up"}) != 0) {
    return core::Error::internal(fmt::format("cannot create the node bridge {} (ip link)", bridge_));
  }
  bridge_ready_ = true;
  return {};
}

core::Result<void> ContainerNodeBackend::ensure_launcher() {
  if (launcher_) return {};
  if (auto b = ensure_bridge(); !b) return b.error();
  SandboxNodeSpec spec;
  spec.node_id = "emulator-mpi";
  spec.launcher = true;
  auto launcher = SandboxNode::create(spec);
  if (!launcher) return launcher.error();
  const std::string pid = std::to_string((*launcher)->init_pid());
  const std::string veth = fmt::format("emm{}", short_hash(data_dir_.string()));
  const std::string script = fmt::format(
      "set -e; ip link add {0} type veth peer name eth0 netns {1}; ip link set {0} master {2} up; "
      "nsenter -t {1} -n sh -c 'ip link set lo up; ip link set eth0 up'",
      veth, pid, bridge_);
  if (run_blocking({"/bin/sh", "-c", script}) != 0) {
    return core::Error::internal("cannot attach the MPI launcher to the node bridge");
  }
  launcher_ = std::move(*launcher);
  return {};
}

void ContainerNodeBackend::fail_node_setup(const std::string& node_id, std::string code, std::string message) {
  if (events_ != nullptr) events_->node_setup_failed(node_id, {std::move(code), std::move(message), {}});
}

core::Result<void> ContainerNodeBackend::mount_volumes(const model::MountVolumes& volumes, const SandboxNode& sandbox,
                                                       const std::string& root_inside, const std::string& node_id,
                                                       std::vector<std::unique_ptr<MountedVolume>>& out,
                                                       std::vector<NodeCommandMount>& commands) {
  std::vector<std::pair<VolumeSpec, std::string>> wanted;
  for (const auto& s : volumes.azure_file_shares) {
    VolumeSpec v;
    v.kind = VolumeSpec::Kind::kAzureFileShare;
    v.store_key = s.account_name + "/" + last_segment(s.azure_file_url);
    v.file_mode = s.file_mode;
    v.directory_mode = s.directory_mode;
    wanted.emplace_back(v, s.relative_mount_path);
  }
  for (const auto& b : volumes.azure_blob_file_systems) {
    VolumeSpec v;
    v.kind = VolumeSpec::Kind::kAzureBlobContainer;
    v.store_key = b.account_name + "/" + b.container_name;
    v.mount_options = b.mount_options.value_or("");
    wanted.emplace_back(v, b.relative_mount_path);
  }
  for (const auto& f : volumes.file_servers) {
    VolumeSpec v;
    v.kind = VolumeSpec::Kind::kFileServer;
    v.store_key = engine::to_lower(f.file_server.id);
    v.source_directory = f.source_directory.value_or("");
    v.mount_options = f.mount_options.value_or("");
    wanted.emplace_back(v, f.relative_mount_path);
  }
  // An unmanaged file system is mounted by its command, run inside the node (never on the host): the
  // mount lives in the node's mount namespace only. Here its mount point is made; the command runs later.
  for (const auto& u : volumes.unmanaged_file_systems) {
    const std::string inside = root_inside + "/" + u.relative_mount_path;
    auto mount = CommandMount::prepare(u.mount_command, inside, mount_command_timeout_);
    if (!mount) {
      return core::Error::bad_request(
          "MountFailed", fmt::format("Cannot mount '{}': {}", u.relative_mount_path, mount.error().message));
    }
    const auto place = sandbox.locate(inside);
    if (auto target = place.tree->make_directories(place.relative); !target) {
      return core::Error::bad_request(
          "MountFailed", fmt::format("Cannot mount '{}': {}", u.relative_mount_path, target.error().message));
    }
    commands.push_back({node_id, u.relative_mount_path, std::move(*mount)});
  }
  for (const auto& [spec, relative] : wanted) {
    if (storage_ == nullptr) {
      return core::Error::bad_request("MountFailed",
                                      fmt::format("Cannot mount '{}': this emulator has no storage service", relative));
    }
    // The volume is mounted in the data dir, then bound onto its place in the node, which is made
    // and entered without following a job's links.
    const auto place = sandbox.locate(root_inside + "/" + relative);
    if (auto target = place.tree->make_directories(place.relative); !target) {
      return core::Error::bad_request("MountFailed",
                                      fmt::format("Cannot mount '{}': {}", relative, target.error().message));
    }
    const fs::path staging = data_dir_ / "run" / "volumes" / fmt::format("{}-{}", short_hash(node_id), ++volume_serial_);
    std::error_code ec;
    fs::create_directories(staging, ec);
    auto volume = storage_->mount(spec, staging, node_id);
    if (!volume) {
      fs::remove(staging, ec);
      return core::Error::bad_request(
          "MountFailed", fmt::format("Cannot mount '{}' ({}): {}", relative, spec.store_key, volume.error().message));
    }
    auto bound = BoundVolume::bind(std::move(*volume), staging, *place.tree, place.relative);
    if (!bound) {
      return core::Error::bad_request("MountFailed",
                                      fmt::format("Cannot mount '{}': {}", relative, bound.error().message));
    }
    out.push_back(std::move(*bound));
  }
  return {};
}

std::vector<pid_t> ContainerNodeBackend::run_command_mounts(const std::vector<NodeCommandMount>& mounts,
                                                            CommandMountsDone done) {
  struct Batch {
    std::vector<std::optional<core::Error>> errors;
    std::size_t pending = 0;
    CommandMountsDone done;
  };
  auto batch = std::make_shared<Batch>();
  batch->errors.resize(mounts.size());
  batch->pending = mounts.size() + 1;  // + 1 until every command is started
  batch->done = std::move(done);
  auto count_one = [this, batch] {
    if (--batch->pending > 0) return;
    std::optional<core::Error> first;
    for (auto& e : batch->errors) {
      if (e && !first) first = std::move(e);
    }
    executor_.post([batch, first = std::move(first)] { batch->done(first); });
  };
  std::vector<pid_t> pids;
  for (std::size_t i = 0; i < mounts.size(); ++i) {
    const NodeCommandMount& m = mounts[i];
    auto fail = [&](const std::string& why) {
      batch->errors[i] = core::Error::bad_request("MountFailed",
                                                  fmt::format("Cannot mount '{}' on node {}: {}", m.relative_mount_path,
                                                              m.node_id, why));
      count_one();
    };
    auto it = nodes_.find(m.node_id);
    if (it == nodes_.end() || !it->second->sandbox) {
      fail("the node has no sandbox");
      continue;
    }
    const Node& node = *it->second;
    // Its output goes to the node's folder in the data dir, which the node cannot see or change.
    const fs::path log = node.sandbox->node_dir() / fmt::format("mount-{}.log", ++volume_serial_);
    std::error_code ec;
    fs::remove(log, ec);
    auto pid = watcher_.spawn(
        {.argv = node.sandbox->enter_argv(m.mount.shell_command()),
         .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
                 fmt::format("AZ_BATCHAI_MOUNT_ROOT={}/mounts", kNodeLsRoot)},
         .stdout_path = log,
         .stderr_path = log,
         .cgroups = cgroups_.directories(node.cgroup + "/" + std::string(kNodeCgroupJob))},
        [batch, count_one, log, i, m](int code) {
          if (code != 0) {
            std::string output(4096, '\0');
            std::ifstream in(log, std::ios::binary);
            in.read(output.data(), static_cast<std::streamsize>(output.size()));
            output.resize(static_cast<std::size_t>(in.gcount()));
            batch->errors[i] = core::Error::bad_request(
                "MountFailed", fmt::format("Cannot mount '{}' on node {}: {}", m.relative_mount_path, m.node_id,
                                           m.mount.failure(code, output).message));
          }
          std::error_code remove_ec;
          fs::remove(log, remove_ec);
          count_one();
        });
    if (!pid) {
      fail(pid.error().message);
      continue;
    }
    pids.push_back(*pid);
  }
  count_one();
  return pids;
}

void ContainerNodeBackend::start_node(const engine::NodeRecord& record, const engine::ClusterRecord& cluster,
                                      const engine::VmSize& size) {
  const std::string id = record.id;
  auto node = std::make_unique<Node>();
  node->id = id;
  node->ip = record.ip_address;
  node->size_gpus = size.gpus;
  node->cgroup = id;
  node->gpus = gpus_.acquire(id, size.gpus);
  std::vector<int> hidden;
  for (const auto& d : gpus_.devices()) {
    bool mine = false;
    for (const auto& g : node->gpus) mine = mine || g.index == d.index;
    if (!mine) hidden.push_back(d.index);
  }
  const fs::path node_dir = data_dir_ / "nodes" / id;
  std::error_code ec;
  auto fail_later = [this, id](std::string code, std::string message) {
    executor_.post([this, id, code = std::move(code), message = std::move(message)] {
      if (nodes_.contains(id)) fail_node_setup(id, code, message);
    });
  };
  if (auto b = ensure_bridge(); !b) {
    nodes_[id] = std::move(node);
    return fail_later("NodeSetupFailed", b.error().message);
  }
  auto sandbox = SandboxNode::create({.node_id = id,
                                      .node_dir = node_dir,
                                      .data_dir = data_dir_,
                                      .images_dir = images_.root(),
                                      .hidden_gpus = hidden,
                                      .launcher = false});
  if (!sandbox) {
    nodes_[id] = std::move(node);
    return fail_later("NodeSetupFailed", sandbox.error().message);
  }
  node->sandbox = std::move(*sandbox);
  node->sandbox->release_reaping();
  for (std::string_view dir : {"/mounts", "/jobs"}) {
    if (auto made = make_node_directories(*node->sandbox, std::string(kNodeLsRoot) + std::string(dir)); !made) {
      nodes_[id] = std::move(node);
      return fail_later("NodeSetupFailed", made.error().message);
    }
  }
  const pid_t init = node->sandbox->init_pid();
  // The node's init dies only when we kill it (stop_node forgets it first) or when something kills the
  // sandbox from outside: then the node is lost.
  (void)watcher_.watch(init, [this, id](int) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return;
    if (events_ != nullptr) events_->node_lost(id, "the node's sandbox was killed");
  });
  cgroups_.create(id + "/init");
  cgroups_.create(id + "/" + std::string(kNodeCgroupJob));
  cgroups_.limit(id, size.vcpus, size.memory_gb);
  cgroups_.add_process(id + "/init", init);
  write_text(data_dir_ / "run" / "nodes" / (id + ".pid"), std::to_string(init));
  // The launch agent for mpirun inside the node (customToolkit jobs that call mpirun themselves).
  const fs::path agent_in_node(kNodeAgentPathInNode);
  if (auto dir = make_node_directories(*node->sandbox, agent_in_node.parent_path().string())) {
    (void)write_node_agent(dir->get(), agent_in_node.filename().string());
  }
  if (cluster.spec.node_setup && cluster.spec.node_setup->mount_volumes) {
    auto mounted = mount_volumes(*cluster.spec.node_setup->mount_volumes, *node->sandbox,
                                 std::string(kNodeLsRoot) + "/mounts", id, node->volumes, node->command_mounts);
    if (!mounted) {
      nodes_[id] = std::move(node);
      return fail_later(mounted.error().code, mounted.error().message);
    }
  }
  const std::string veth = fmt::format("emv{}", short_hash(data_dir_.string() + id));
  const std::string script = fmt::format(
      "set -e; ip link add {0} type veth peer name eth0 netns {1}; ip link set {0} master {2} up; "
      "nsenter -t {1} -n sh -c 'ip link set lo up && ip addr add {3}/24 dev eth0 && ip link set eth0 up'",
      veth, init, bridge_, node->ip);
  nodes_[id] = std::move(node);
  const engine::ClusterRecord cluster_copy = cluster;
  auto spawned = watcher_.spawn({.argv = {"/bin/sh", "-c", script},
                                 .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
                                 .stdout_path = {},
                                 .stderr_path = node_dir / "network.log",
                                 .cgroups = {}},
                                [this, id, cluster_copy](int code) {
                                  if (!nodes_.contains(id)) return;
                                  if (code != 0) {
                                    return fail_node_setup(id, "NodeSetupFailed",
                                                           fmt::format("cannot give node {} its network address "
                                                                       "(exit code {})",
                                                                       id, code));
                                  }
                                  // Mount commands need the node's network (NFS, GlusterFS servers).
                                  auto commands = std::move(nodes_.at(id)->command_mounts);
                                  if (commands.empty()) return run_setup_task(id, cluster_copy);
                                  run_command_mounts(commands, [this, id, cluster_copy](std::optional<core::Error> failed) {
                                    auto found = nodes_.find(id);
                                    if (found == nodes_.end() || !found->second->sandbox) return;
                                    if (failed) return fail_node_setup(id, failed->code, failed->message);
                                    run_setup_task(id, cluster_copy);
                                  });
                                });
  if (!spawned) fail_later("NodeSetupFailed", spawned.error().message);
}

void ContainerNodeBackend::run_setup_task(const std::string& node_id, const engine::ClusterRecord& cluster) {
  Node& node = *nodes_.at(node_id);
  if (!cluster.spec.node_setup || !cluster.spec.node_setup->setup_task) {
    if (events_ != nullptr) events_->node_ready(node_id);
    return;
  }
  const model::SetupTask& task = *cluster.spec.node_setup->setup_task;
  JobEnvironment env = JobEnvironment::for_job({.job_name = "setup",
                                                .output_path_segment = "",
                                                .spec = nullptr,
                                                .node_ips = {node.ip},
                                                .gpus_per_node = node.size_gpus});
  for (const auto& v : task.environment_variables) env.set(v.name, env.expand(v.value));
  for (const auto& s : task.secrets) env.set(s.name, s.value.value_or(""));
  std::string prefix = env.expand(task.std_out_err_path_prefix);
  const std::string out_dir = prefix + "/" + path_segment_of_cluster(cluster);
  if (auto made = make_node_directories(*node.sandbox, out_dir); !made) {
    return fail_node_setup(node_id, "SetupTaskFailed", made.error().message);
  }
  auto files = open_output_files(*node.sandbox, out_dir, fmt::format("stdout-{}.txt", node_id),
                                 fmt::format("stderr-{}.txt", node_id));
  if (!files) return fail_node_setup(node_id, "SetupTaskFailed", files.error().message);
  const std::string command = env.expand(task.command_line);
  SpawnSpec spec{.argv = node.sandbox->enter_argv("cd /mnt/batch/tasks/shared/LS_root && " + command),
                 .env = env.to_envp(),
                 .cgroups = cgroups_.directories(node_id + "/" + std::string(kNodeCgroupJob))};
  spec.stdout_fd = files->out.get();
  spec.stderr_fd = files->err.get();
  auto spawned = watcher_.spawn(
      spec,
      [this, node_id](int code) {
        auto it = nodes_.find(node_id);
        if (it == nodes_.end()) return;
        it->second->setup_pid = 0;
        if (events_ == nullptr) return;
        if (code != 0) {
          events_->node_setup_failed(node_id, {"SetupTaskFailed", fmt::format("The setup task exited with code {}", code),
                                               {{"exitCode", std::to_string(code)}}});
        } else {
          events_->node_ready(node_id);
        }
      });
  if (!spawned) return fail_node_setup(node_id, "SetupTaskFailed", spawned.error().message);
  node.setup_pid = *spawned;
}

void ContainerNodeBackend::stop_node(const engine::NodeRecord& record) {
  auto it = nodes_.find(record.id);
  if (it == nodes_.end()) return;
  Node& node = *it->second;
  if (!node.job_key.empty()) stop_job(node.job_key);
  if (node.setup_pid != 0) watcher_.forget(node.setup_pid);
  cgroups_.kill(node.cgroup);
  if (node.sandbox) watcher_.forget(node.sandbox->init_pid());
  node.sandbox.reset();  // kills the init: every process of the node dies with it
  node.volumes.clear();
  gpus_.release(node.id);
  std::error_code ec;
  fs::remove(data_dir_ / "run" / "nodes" / (node.id + ".pid"), ec);
  const fs::path node_dir = data_dir_ / "nodes" / node.id;
  // Never delete through a mount that is still there (it could be someone's storage), nor through a
  // job's links.
  if (!mounts_below(node_dir)) {
    if (auto nodes = BeneathPath::open(data_dir_ / "nodes", BeneathPath::Links::kRefuse)) (void)nodes->remove_all(node.id);
  }
  if (!cgroups_.remove(node.cgroup)) stale_cgroups_.insert(node.cgroup);
  nodes_.erase(it);
}

void ContainerNodeBackend::log_line(const Job& job, const Node& node, const std::string& text) const {
  const auto place = nodes_.at(job.node_ids[0])->sandbox->locate(job.env.stdouterr_dir());
  const std::string name = job.node_ids.size() == 1 ? "execution.log" : fmt::format("execution-{}.log", node.id);
  auto file = place.tree->open_file(place.relative + "/" + name, BeneathPath::Write::kAppend);
  if (!file) return;
  const std::string line = core::format_timestamp(executor_.now()) + " " + text + "\n";
  (void)!::write(file->get(), line.data(), line.size());
}

void ContainerNodeBackend::fail_soon(const std::string& job_key, const std::string& code, const std::string& message) {
  executor_.post([this, job_key, code, message] {
    if (!jobs_.contains(job_key)) return;
    finish(job_key, {1, model::BatchAIError{code, message, {}}});
  });
}

void ContainerNodeBackend::start_job(const engine::JobLaunch& launch) {
  auto job = std::make_unique<Job>();
  const std::string key = launch.job->path.key();
  job->key = key;
  job->name = launch.job->path.name;
  job->spec = launch.job->spec;
  job->output_segment = launch.job->output_path_segment();
  std::vector<std::string> ips;
  for (const auto* n : launch.nodes) {
    job->node_ids.push_back(n->id);
    ips.push_back(n->ip_address);
  }
  const int gpus = launch.vm_size != nullptr ? launch.vm_size->gpus : 0;
  job->env = JobEnvironment::for_job({.job_name = job->name,
                                      .output_path_segment = job->output_segment,
                                      .spec = &job->spec,
                                      .node_ips = ips,
                                      .gpus_per_node = gpus});
  // mpirun inside a node (a customToolkit job's own) reaches the job's other nodes through the agent.
  // Node hostnames are node ids, which have '_': OpenMPI's default node list encoding refuses them.
  job->env.set(std::string(kRshAgentVariable),
               fmt::format("{} --socket={}/{}", kNodeAgentPathInNode, job->env.job_temp(), kNodeAgentSocketName));
  if (job->env.find("OMPI_MCA_regx") == nullptr) job->env.set("OMPI_MCA_regx", "naive");
  Job& j = *job;
  jobs_[key] = std::move(job);
  if (auto prepared = prepare_job(j); !prepared) {
    return fail_soon(key, prepared.error().code, prepared.error().message);
  }
  j.phase = !j.command_mounts.empty() ? Job::Phase::kMount
            : j.image_dir.empty()       ? Job::Phase::kPrep
                                        : Job::Phase::kRootfs;
  executor_.post([this, key] { start_phase(key); });
}

core::Result<void> ContainerNodeBackend::prepare_job(Job& job) {
  for (const auto& id : job.node_ids) {
    auto it = nodes_.find(id);
    if (it == nodes_.end() || !it->second->sandbox) {
      return core::Error::bad_request("JobFailed", fmt::format("Node {} has no sandbox", id));
    }
  }
  if (job.spec.container_settings) {
    auto image = images_.find(job.spec.container_settings->image_source_registry.image);
    if (!image) return image.error();
    job.image_dir = *image;
  }
  std::vector<LaunchNode> launch_nodes;
  for (const auto& id : job.node_ids) launch_nodes.push_back({id, nodes_.at(id)->ip});
  int np = static_cast<int>(launch_nodes.size());
  for (auto pc : {job.spec.custom_mpi_settings ? job.spec.custom_mpi_settings->process_count : std::nullopt,
                  job.spec.horovod_settings ? job.spec.horovod_settings->process_count : std::nullopt}) {
    if (pc) np = *pc;
  }
  const std::string host_file = ToolkitLauncher::host_file(launch_nodes, np);
  const std::string job_hash = short_hash(job.key + job.output_segment);
  job.shared_dir = data_dir_ / "shared" / job_hash;
  std::error_code ec;
  fs::create_directories(job.shared_dir, ec);
  // The launcher's mpirun runs on the host side: its hostfile is one no node can reach.
  fs::create_directories(data_dir_ / "run" / "hostfiles", ec);
  job.launcher_host_file = data_dir_ / "run" / "hostfiles" / job_hash;
  write_text(job.launcher_host_file, host_file);
  // Every folder and file the host makes in a node is made without following links (BeneathPath):
  // what a job left in the job temp dirs is wiped, a link met in any other place fails the job.
  const std::string jobs_dir = std::string(kNodeLsRoot) + "/jobs";
  for (const auto& id : job.node_ids) {
    Node& node = *nodes_.at(id);
    node.job_key = job.key;
    const SandboxNode& box = *node.sandbox;
    // A node's earlier job temp dirs go when it takes a new job, as on Batch AI. A link in place of
    // the jobs folder itself goes too. Mounts left below stay.
    const auto jobs = box.locate(jobs_dir);
    if (auto dir = jobs.tree->open_directory(jobs.relative); !dir) (void)jobs.tree->remove_all(jobs.relative);
    (void)jobs.tree->remove_children(jobs.relative);
    const std::string temp = job.env.job_temp();
    auto shared = make_node_directories(box, temp + "/shared");
    if (!shared) return job_failed(shared.error());
    if (::mount(job.shared_dir.c_str(), BeneathPath::descriptor_path(shared->get()).c_str(), nullptr, MS_BIND,
                nullptr) == 0) {
      const auto place = box.locate(temp + "/shared");
      if (auto root = place.tree->open_directory(place.relative)) job.shared_binds.push_back(std::move(*root));
    }
    const auto hostfile = box.locate(temp + "/hostfile");
    if (auto written = hostfile.tree->write_file(hostfile.relative, host_file); !written) {
      return job_failed(written.error());
    }
    if (auto made = make_node_directories(box, job.env.stdouterr_dir()); !made) return job_failed(made.error());
    for (const auto& [oid, path] : job.env.output_dirs()) {
      if (auto made = make_node_directories(box, path); !made) return job_failed(made.error());
    }
    if (job.spec.mount_volumes) {
      if (auto made = make_node_directories(box, job.env.job_mount_root()); !made) return job_failed(made.error());
      if (auto m = mount_volumes(*job.spec.mount_volumes, box, job.env.job_mount_root(), id, job.volumes,
                                 job.command_mounts);
          !m) {
        return core::Error::bad_request("JobFailed", m.error().message);
      }
    }
  }
  const SandboxNode& master = *nodes_.at(job.node_ids[0])->sandbox;
  auto& dirs = outputs_[job.key];
  dirs.clear();
  dirs["stdouterr"] = master.host_path(job.env.stdouterr_dir());
  for (const auto& [oid, path] : job.env.output_dirs()) dirs[oid] = master.host_path(path);

  if (auto served = start_agent_server(job); !served) return core::Error::bad_request("JobFailed", served.error().message);
  MpiLaunchSettings mpi;
  mpi.agent = job.launcher_agent;
  mpi.host_file = job.launcher_host_file.string();
  auto plan = ToolkitLauncher::plan(job.spec, job.env, launch_nodes, mpi);
  if (!plan) return plan.error();
  job.plan = std::move(*plan);
  for (const auto& p : job.plan) {
    if (p.on_mpi_launcher) {
      if (::access("/usr/bin/mpirun", X_OK) != 0 && run_blocking({"sh", "-c", "command -v mpirun"}) != 0) {
        return core::Error::bad_request("JobFailed", "This toolkit runs through mpirun, which is not installed on the "
                                                     "emulator's host (Debian package openmpi-bin)");
      }
      if (auto l = ensure_launcher(); !l) return core::Error::bad_request("JobFailed", l.error().message);
      if (!agent_error_.empty()) return core::Error::bad_request("JobFailed", agent_error_);
    }
  }
  // A script that is not there fails at once, with its path, instead of a python traceback.
  std::optional<std::string> script;
  const auto& s = job.spec;
  if (s.py_torch_settings) script = s.py_torch_settings->python_script_file_path;
  if (s.tensor_flow_settings) script = s.tensor_flow_settings->python_script_file_path;
  if (s.caffe2_settings) script = s.caffe2_settings->python_script_file_path;
  if (s.chainer_settings) script = s.chainer_settings->python_script_file_path;
  if (s.horovod_settings) script = s.horovod_settings->python_script_file_path;
  if (script && job.image_dir.empty()) {
    // As the node sees it: a job's link is followed as the node would, never to the data dir.
    const std::string inside = job.env.expand(*script);
    if (!master.view().open_entry(inside)) {
      return core::Error::bad_request("JobFailed", fmt::format("The script {} does not exist on the node", inside));
    }
  }
  return {};
}

core::Result<void> ContainerNodeBackend::start_agent_server(Job& job) {
  std::vector<NodeAgentTarget> targets;
  for (const auto& id : job.node_ids) targets.push_back({id, nodes_.at(id)->ip});
  job.agent = std::make_unique<NodeAgentServer>(
      watcher_.io(), watcher_, std::move(targets),
      [this, key = job.key](std::size_t index, const std::string& command) -> std::optional<SpawnSpec> {
        auto it = jobs_.find(key);
        if (it == jobs_.end() || it->second->phase == Job::Phase::kDone) return std::nullopt;
        const Job& j = *it->second;
        auto node = nodes_.find(j.node_ids.at(index));
        if (node == nodes_.end() || !node->second->sandbox) return std::nullopt;
        return node_process(j, *node->second, command, j.env);
      });
  // One socket in each node's job temp dir, for mpirun inside a node...
  for (const auto& id : job.node_ids) {
    const auto temp = nodes_.at(id)->sandbox->locate(job.env.job_temp());
    auto dir = temp.tree->open_directory(temp.relative);
    if (!dir) return core::Error::internal(fmt::format("node {}: {}", id, dir.error().message));
    auto listening = job.agent->listen(dir->get(), std::string(kNodeAgentSocketName));
    if (!listening) return listening.error();
  }
  // ...and one in the data dir, which no node sees, for mpirun in the launcher.
  const fs::path agents = data_dir_ / "run" / "agents";
  const std::string name = fmt::format("{}.sock", short_hash(job.key + job.output_segment));
  const int dir = ::open(agents.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return core::Error::internal(fmt::format("cannot open {}", agents.string()));
  auto listening = job.agent->listen(dir, name);
  ::close(dir);
  if (!listening) return listening.error();
  job.launcher_agent = fmt::format("{} --socket={}", agent_path_.string(), (agents / name).string());
  job.agent->replace_agent(job.launcher_agent, *job.env.find(std::string(kRshAgentVariable)));
  return {};
}

SpawnSpec ContainerNodeBackend::node_process(const Job& job, const Node& node, const std::string& command,
                                             const JobEnvironment& env) const {
  std::string inside = fmt::format("cd {} && {}", shell_quote(job.env.job_temp()), command);
  if (!job.image_dir.empty()) {
    const std::string root = job.env.job_temp() + "/.root";
    inside = fmt::format("exec chroot {} /bin/sh -c {}", shell_quote(root), shell_quote(inside));
  }
  JobEnvironment node_env = env;
  if (!node.gpus.empty()) {
    std::string indices;
    std::string uuids;
    for (const auto& g : node.gpus) {
      if (!indices.empty()) indices += ',';
      if (!uuids.empty()) uuids += ',';
      indices += std::to_string(g.index);
      uuids += g.uuid.empty() ? std::to_string(g.index) : g.uuid;
    }
    node_env.set("CUDA_VISIBLE_DEVICES", indices);
    node_env.set("NVIDIA_VISIBLE_DEVICES", uuids);
  }
  SpawnSpec spec;
  spec.argv = node.sandbox->enter_argv(inside);
  spec.env = node_env.to_envp();
  spec.cgroups = cgroups_.directories(node.cgroup + "/" + std::string(kNodeCgroupJob));
  return spec;
}

core::Result<pid_t> ContainerNodeBackend::spawn_in_node(Job& job, const Node& node, const std::string& command,
                                                        const JobEnvironment& env, const std::string& out,
                                                        const std::string& err, std::size_t process) {
  auto files = open_output_files(*node.sandbox, job.env.stdouterr_dir(), out, err);
  if (!files) return files.error();
  SpawnSpec spec = node_process(job, node, command, env);
  spec.stdout_fd = files->out.get();
  spec.stderr_fd = files->err.get();
  return watcher_.spawn(spec, [this, key = job.key, process](int code) { on_process_exit(key, process, code); });
}

void ContainerNodeBackend::start_phase(const std::string& job_key) {
  auto it = jobs_.find(job_key);
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  job.pids.clear();
  job.exit_codes.clear();
  if (job.phase == Job::Phase::kMount) {
    // The job's unmanaged file systems, each by its command inside its node.
    for (const pid_t pid : run_command_mounts(job.command_mounts, [this, job_key](std::optional<core::Error> failed) {
           auto found = jobs_.find(job_key);
           if (found == jobs_.end() || found->second->phase != Job::Phase::kMount) return;
           if (failed) return finish(job_key, {1, model::BatchAIError{"JobFailed", failed->message, {}}});
           found->second->phase = found->second->image_dir.empty() ? Job::Phase::kPrep : Job::Phase::kRootfs;
           start_phase(job_key);
         })) {
      job.pids[pid] = 0;
    }
    return;
  }
  if (job.phase == Job::Phase::kRootfs) {
    // The image's root: an overlay (writable, the image untouched) or a read-only bind where overlay
    // is not possible; the node's /mnt, /dev, /proc and /sys inside it.
    const std::string root = job.env.job_temp() + "/.root";
    const std::string image = std::string(SandboxNode::kImagesMount) + "/" + job.image_dir + "/rootfs";
    const std::string t = job.env.job_temp();
    const std::string script = fmt::format(
        "set -e; mkdir -p {0} {1}/.upper {1}/.work; "
        "mount -t overlay overlay -o lowerdir={2},upperdir={1}/.upper,workdir={1}/.work {0} 2>/dev/null || "
        "mount --rbind {2} {0}; "
        "for d in mnt dev proc sys tmp; do [ -d {0}/$d ] || mkdir -p {0}/$d 2>/dev/null || true; done; "
        "mount --rbind /mnt {0}/mnt; mount --rbind /dev {0}/dev; mount -t proc proc {0}/proc; "
        "mount --rbind /sys {0}/sys",
        shell_quote(root), shell_quote(t), shell_quote(image));
    job.pending = job.node_ids.size();
    for (std::size_t i = 0; i < job.node_ids.size(); ++i) {
      const Node& node = *nodes_.at(job.node_ids[i]);
      const fs::path log = node.sandbox->node_dir() / "container.log";
      auto pid = watcher_.spawn({.argv = node.sandbox->enter_argv(script),
                                 .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
                                 .stdout_path = log,
                                 .stderr_path = log,
                                 .cgroups = {}},
                                [this, job_key, i](int code) { on_process_exit(job_key, i, code); });
      if (!pid) return finish(job_key, {1, model::BatchAIError{"JobFailed", pid.error().message, {}}});
      job.pids[*pid] = i;
    }
    return;
  }
  if (job.phase == Job::Phase::kPrep) {
    if (!job.spec.job_preparation) {
      job.phase = Job::Phase::kRun;
    } else {
      return run_prep(job);
    }
  }
  run_plan(job);
}

void ContainerNodeBackend::run_prep(Job& job) {
  job.pending = job.node_ids.size();
  const bool one = job.node_ids.size() == 1;
  const std::string command = job.env.expand(job.spec.job_preparation->command_line);
  for (std::size_t i = 0; i < job.node_ids.size(); ++i) {
    const Node& node = *nodes_.at(job.node_ids[i]);
    const std::string suffix = one ? "" : "-" + node.id;
    log_line(job, node, "job preparation: " + command);
    auto pid = spawn_in_node(job, node, command, job.env, "stdout-job_prep" + suffix + ".txt",
                             "stderr-job_prep" + suffix + ".txt", i);
    if (!pid) return finish(job.key, {1, model::BatchAIError{"JobPreparationFailed", pid.error().message, {}}});
    job.pids[*pid] = i;
  }
}

void ContainerNodeBackend::run_plan(Job& job) {
  job.pending = 0;
  for (const auto& p : job.plan) job.pending += p.waits_for_others ? 0 : 1;
  if (job.pending == 0) job.pending = job.plan.size();
  for (std::size_t i = 0; i < job.plan.size(); ++i) {
    const ProcessPlan& p = job.plan[i];
    const Node& node = *nodes_.at(job.node_ids[p.on_mpi_launcher ? 0 : p.node_index]);
    log_line(job, node, "start: " + p.command);
    core::Result<pid_t> pid = core::Error::internal("not started");
    if (p.on_mpi_launcher) {
      // Every node's subnet gets an address on the launcher, so that orted reaches mpirun back.
      std::string addresses;
      for (const auto& id : job.node_ids) {
        const std::string& ip = nodes_.at(id)->ip;
        addresses += fmt::format("ip addr add {}.250/24 dev eth0 2>/dev/null; ", ip.substr(0, ip.rfind('.')));
      }
      job.launcher_cgroup = fmt::format("launch-{}", short_hash(job.key));
      cgroups_.create(job.launcher_cgroup);
      auto files = open_output_files(*node.sandbox, job.env.stdouterr_dir(), p.stdout_name, p.stderr_name);
      if (!files) return finish(job.key, {1, model::BatchAIError{"JobFailed", files.error().message, {}}});
      SpawnSpec spec{.argv = launcher_->enter_argv(addresses + p.command),
                     .env = p.env.to_envp(),
                     .cgroups = cgroups_.directories(job.launcher_cgroup)};
      spec.stdout_fd = files->out.get();
      spec.stderr_fd = files->err.get();
      pid = watcher_.spawn(spec, [this, key = job.key, i](int code) { on_process_exit(key, i, code); });
    } else {
      pid = spawn_in_node(job, node, p.command, p.env, p.stdout_name, p.stderr_name, i);
    }
    if (!pid) return finish(job.key, {1, model::BatchAIError{"JobFailed", pid.error().message, {}}});
    job.pids[*pid] = i;
  }
}

void ContainerNodeBackend::on_process_exit(const std::string& job_key, std::size_t process, int code) {
  auto it = jobs_.find(job_key);
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  job.exit_codes[process] = code;
  const bool counts = job.phase != Job::Phase::kRun || !job.plan[process].waits_for_others ||
                      std::all_of(job.plan.begin(), job.plan.end(), [](const auto& p) { return p.waits_for_others; });
  if (!counts) return;
  if (job.pending > 0) --job.pending;
  if (job.pending > 0) return;
  std::optional<int> failure;
  for (const auto& [index, c] : job.exit_codes) {
    if (c != 0 && !failure && (job.phase != Job::Phase::kRun || !job.plan[index].waits_for_others)) failure = c;
  }
  switch (job.phase) {
    case Job::Phase::kRootfs:
      if (failure) {
        return finish(job_key, {*failure, model::BatchAIError{"JobFailed", "Cannot set up the container's root file "
                                                                           "system on the node (see container.log)",
                                                              {}}});
      }
      job.phase = Job::Phase::kPrep;
      return start_phase(job_key);
    case Job::Phase::kPrep:
      if (failure) {
        return finish(job_key, {*failure, model::BatchAIError{"JobPreparationFailed",
                                                              "Job preparation task failed with non-zero exit code",
                                                              {{"exitCode", std::to_string(*failure)}}}});
      }
      job.phase = Job::Phase::kRun;
      return start_phase(job_key);
    case Job::Phase::kRun:
      for (const auto& id : job.node_ids) {
        log_line(job, *nodes_.at(id), fmt::format("exit code {}", failure.value_or(0)));
      }
      return finish(job_key, {failure.value_or(0), std::nullopt});
    case Job::Phase::kMount:  // its processes report to run_command_mounts
    case Job::Phase::kDone: return;
  }
}

void ContainerNodeBackend::tear_down_job(Job& job) {
  job.phase = Job::Phase::kDone;
  job.agent.reset();  // no more launches; the ones running are killed
  for (const auto& [pid, index] : job.pids) {
    watcher_.forget(pid);
    if (!cgroups_.available()) ::kill(-pid, SIGKILL);
  }
  for (const auto& id : job.node_ids) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) continue;
    cgroups_.kill(it->second->cgroup + "/" + std::string(kNodeCgroupJob));
    if (it->second->job_key == job.key) it->second->job_key.clear();
  }
  if (!job.launcher_cgroup.empty()) {
    cgroups_.kill(job.launcher_cgroup);
    stale_cgroups_.insert(job.launcher_cgroup);
  }
  job.volumes.clear();
  // What the job's mountCommands mounted exists only in its nodes: undone there, detached.
  for (const auto& m : job.command_mounts) {
    auto node = nodes_.find(m.node_id);
    if (node != nodes_.end() && node->second->sandbox) run_blocking(node->second->sandbox->enter_argv(m.mount.unmount_command()));
  }
  job.command_mounts.clear();
  // Through the binds' roots, not their paths: a job may have moved or replaced a folder on the way.
  for (const auto& bind : job.shared_binds) ::umount2(BeneathPath::descriptor_path(bind.get()).c_str(), MNT_DETACH);
  job.shared_binds.clear();
  std::error_code ec;
  if (!job.shared_dir.empty() && !mounts_below(job.shared_dir)) {
    if (auto shared = BeneathPath::open(job.shared_dir.parent_path(), BeneathPath::Links::kRefuse)) {
      (void)shared->remove_all(job.shared_dir.filename().string());
    }
  }
  if (!job.launcher_host_file.empty()) fs::remove(job.launcher_host_file, ec);
  for (auto it = stale_cgroups_.begin(); it != stale_cgroups_.end();) {
    it = cgroups_.remove(*it) ? stale_cgroups_.erase(it) : std::next(it);
  }
}

void ContainerNodeBackend::finish(const std::string& job_key, engine::JobOutcome outcome) {
  auto it = jobs_.find(job_key);
  if (it == jobs_.end()) return;
  tear_down_job(*it->second);
  jobs_.erase(it);
  if (events_ != nullptr) events_->job_finished(job_key, std::move(outcome));
}

void ContainerNodeBackend::stop_job(const std::string& job_key) {
  auto it = jobs_.find(job_key);
  if (it == jobs_.end()) return;
  tear_down_job(*it->second);
  jobs_.erase(it);
}

std::optional<fs::path> ContainerNodeBackend::job_output_directory(const engine::JobRecord& job,
                                                                   std::string_view directory_id) const {
  auto it = outputs_.find(job.path.key());
  if (it == outputs_.end()) return std::nullopt;
  auto dir = it->second.find(directory_id);
  if (dir == it->second.end()) return std::nullopt;
  return dir->second;
}

}  // namespace emu::fakes
