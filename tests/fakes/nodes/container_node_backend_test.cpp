// Drives ContainerNodeBackend through a real Engine on a RealTimeExecutor: real processes in node
// sandboxes. Skips (saying why) where the host cannot make namespaces or is not root.

#include "fakes/nodes/container_node_backend.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "emulator/core/journal.hpp"
#include "emulator/core/real_time_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/node_backend_factory.hpp"
#include "tests/fakes/nodes/process_probe.hpp"

namespace emu::fakes {
namespace {

namespace fs = std::filesystem;
using engine::ResourcePath;
using model::ExecutionState;

// A StorageService over plain directories: each store is a folder bind-mounted where asked.
class DirectoryStorage final : public StorageService {
 public:
  explicit DirectoryStorage(fs::path root) : root_(std::move(root)) {}
  class Volume final : public MountedVolume {
   public:
    explicit Volume(fs::path p) : path_(std::move(p)) {}
    ~Volume() override { ::umount2(path_.c_str(), MNT_DETACH); }
    const fs::path& path() const override { return path_; }

   private:
    fs::path path_;
  };
  core::Result<std::unique_ptr<MountedVolume>> mount(const VolumeSpec& spec, const fs::path& where,
                                                     const std::string&) override {
    std::string name = spec.store_key;
    for (char& c : name) c = (c == '/') ? '_' : c;
    const fs::path source = root_ / name;
    if (!fs::exists(source)) return core::Error::not_found("StoreNotFound", "no store " + spec.store_key);
    fs::create_directories(where);
    if (::mount(source.c_str(), where.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return core::Error::internal("bind mount failed");
    }
    return std::unique_ptr<MountedVolume>(std::make_unique<Volume>(where));
  }
  fs::path root_;
};

class ContainerBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!container_backend_available(why)) GTEST_SKIP() << "container nodes unavailable: " << why;
    root_ = fs::temp_directory_path() / ("emu-container-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "stores" / "acct_share");
    settings_.node_allocation_delay = std::chrono::milliseconds(0);
    settings_.node_deallocation_delay = std::chrono::milliseconds(0);
    executor_ = std::make_unique<core::RealTimeExecutor>(io_, core::kDefaultEpoch, 1.0);
    storage_ = std::make_unique<DirectoryStorage>(root_ / "stores");
    start(CgroupHierarchies::kAll);
  }
  // (Re)creates the backend and the engine, with the cgroup versions the backend may use.
  void start(CgroupHierarchies cgroups) {
    engine_.reset();
    backend_.reset();
    store_ = std::make_unique<store::MemoryDocumentStore>();
    backend_ = std::make_unique<ContainerNodeBackend>(*executor_, io_, settings_, root_ / "data", storage_.get(),
                                                      GpuInventory::discover(), cgroups);
    engine_ = std::make_unique<engine::Engine>(*executor_, *store_, *backend_, journal_,
                                               engine::VmSizeCatalog::builtin(), settings_, 1);
    ASSERT_TRUE(engine_->put_workspace(ResourcePath::workspace_path("sub", "rg", "ws"), {"eastus", {}}).ok());
    ASSERT_TRUE(engine_->put_experiment(ResourcePath::experiment_path("sub", "rg", "ws", "exp")).ok());
  }
  void TearDown() override {
    engine_.reset();
    backend_.reset();
    // Never delete through a mount (an image a test mounted): it could reach the host's files.
    if (!root_.empty() && !getenv("EMU_KEEP") && !mounted_below(root_)) fs::remove_all(root_);
  }
  static bool mounted_below(const fs::path& dir) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string id, parent, dev, root, mount_point;
      fields >> id >> parent >> dev >> root >> mount_point;
      if (mount_point.starts_with(dir.string() + "/")) return true;
    }
    return false;
  }

  template <typename Pred>
  bool run_until(Pred pred, double seconds = 20) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io_.run_for(std::chrono::milliseconds(5));
      io_.restart();
    }
    return true;
  }

  ResourcePath cluster_path() { return ResourcePath::cluster("sub", "rg", "ws", "c"); }
  ResourcePath job_path(const std::string& n) { return ResourcePath::job("sub", "rg", "ws", "exp", n); }

  void create_cluster(int nodes, const std::string& vm = "STANDARD_D1", const std::string& extra = "") {
    const std::string body = R"({"properties":{"vmSize":")" + vm +
                             R"(","userAccountSettings":{"adminUserName":"u"},)" + extra +
                             R"("scaleSettings":{"manual":{"targetNodeCount":)" + std::to_string(nodes) + "}}}}";
    auto spec = model::parse_cluster_create(boost::json::parse(body));
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    ASSERT_TRUE(engine_->create_cluster(cluster_path(), *spec).ok());
    ASSERT_TRUE(run_until([&] { return idle() == nodes; })) << "nodes did not become idle";
  }
  int idle() {
    auto c = engine_->get_cluster(cluster_path());
    return c.ok() ? (*c)->node_counts.idle_node_count : 0;
  }
  const engine::JobRecord& submit(const std::string& name, int nodes, const std::string& props) {
    const std::string body = R"({"properties":{"cluster":{"id":")" + cluster_path().arm_id() + R"("},"nodeCount":)" +
                             std::to_string(nodes) + R"(,"stdOutErrPathPrefix":")" + (root_ / "out").string() +
                             R"(",)" + props + "}}";
    auto spec = model::parse_job_create(boost::json::parse(body));
    EXPECT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_TRUE(engine_->create_job(job_path(name), *spec).ok());
    return job(name);
  }
  const engine::JobRecord& job(const std::string& name) { return *engine_->get_job(job_path(name)).value(); }
  bool finished(const std::string& name) {
    auto s = job(name).execution_state;
    return s == ExecutionState::kSucceeded || s == ExecutionState::kFailed;
  }
  std::string file(const std::string& name, const std::string& f) {
    auto dir = backend_->job_output_directory(job(name), "stdouterr");
    if (!dir) return "<no stdouterr>";
    std::ifstream in(*dir / f);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> node_ids() {
    std::vector<std::string> ids;
    for (const auto* n : engine_->nodes_of(cluster_path().key())) ids.push_back(n->id);
    return ids;
  }
  // "j" + std::to_string(i), which GCC 12 at -O3 warns about falsely (-Wrestrict).
  static std::string numbered(std::string_view prefix, int i) {
    std::string name(prefix);
    name += std::to_string(i);
    return name;
  }
  static std::string error_code(const engine::JobRecord& j) { return j.errors.empty() ? "" : j.errors[0].code; }
  static bool process_with(const std::string& marker) { return testing::process_with(marker); }

  fs::path root_;
  boost::asio::io_context io_;
  engine::EngineSettings settings_;
  std::unique_ptr<core::RealTimeExecutor> executor_;
  std::unique_ptr<store::MemoryDocumentStore> store_;
  core::Journal journal_;
  std::unique_ptr<DirectoryStorage> storage_;
  std::unique_ptr<ContainerNodeBackend> backend_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(ContainerBackendTest, CustomToolkitRunsInTheNodeWithTheRuntimeEnvironment) {
  create_cluster(1);
  submit("j", 1,
         R"("customToolkitSettings":{"commandLine":"hostname; echo $AZ_BATCHAI_JOB_TEMP; pwd; echo $AZ_BATCHAI_NUM_GPUS; exit 3"})");
  ASSERT_TRUE(run_until([&] { return finished("j"); }));
  EXPECT_EQ(job("j").exit_code, 3);
  EXPECT_EQ(error_code(job("j")), "JobFailed");
  const std::string temp = "/mnt/batch/tasks/shared/LS_root/jobs/j";
  EXPECT_EQ(file("j", "stdout.txt"), node_ids()[0] + "\n" + temp + "\n" + temp + "\n0\n");
}

TEST_F(ContainerBackendTest, TwoNodeCustomMpiRanksPrintTheirHostnames) {
  create_cluster(2);
  const auto start = std::chrono::steady_clock::now();
  submit("mpi", 2, R"("customMpiSettings":{"commandLine":"hostname"})");
  ASSERT_TRUE(run_until([&] { return finished("mpi"); }, 30));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("2-node MPI hello, submit to %s: %.3f s\n", model::to_string(job("mpi").execution_state).data(), seconds);
  EXPECT_EQ(job("mpi").execution_state, ExecutionState::kSucceeded) << file("mpi", "stderr.txt");
  const std::string out = file("mpi", "stdout.txt");
  for (const auto& id : node_ids()) EXPECT_NE(out.find(id), std::string::npos) << out;
}

TEST_F(ContainerBackendTest, TensorFlowPsAndWorkersSeeTfConfig) {
  create_cluster(2);
  const fs::path script = root_ / "tf.py";
  std::ofstream(script) << "import os, sys\nprint(os.environ['TF_CONFIG'], flush=True)\n"
                           "import time\n"
                           "time.sleep(600 if os.environ['TF_CONFIG'].find('\"type\":\"ps\"') > 0 else 1)\n";
  submit("tf", 2,
         R"("tensorFlowSettings":{"pythonScriptFilePath":")" + script.string() +
             R"(","workerCount":2,"parameterServerCount":1})");
  ASSERT_TRUE(run_until([&] { return finished("tf"); }));
  EXPECT_EQ(job("tf").execution_state, ExecutionState::kSucceeded) << file("tf", "stderr-wk-0.txt");
  EXPECT_NE(file("tf", "stdout-wk-0.txt").find(R"("task":{"type":"master","index":0})"), std::string::npos);
  EXPECT_NE(file("tf", "stdout-wk-1.txt").find(R"("task":{"type":"worker","index":1})"), std::string::npos);
  EXPECT_NE(file("tf", "stdout-ps-0.txt").find(R"("task":{"type":"ps","index":0})"), std::string::npos);
  EXPECT_TRUE(run_until([&] { return !process_with("[t]f.py"); }, 5)) << "the parameter server was left running";
}

TEST_F(ContainerBackendTest, PyTorchPerNodeTaskIndexes) {
  create_cluster(2);
  const fs::path script = root_ / "pt.py";
  std::ofstream(script) << "import os\nprint(os.environ['AZ_BATCHAI_TASK_INDEX'], os.environ['AZ_BATCHAI_PYTORCH_INIT_METHOD'])\n";
  submit("pt", 2, R"("pyTorchSettings":{"pythonScriptFilePath":")" + script.string() + R"("})");
  ASSERT_TRUE(run_until([&] { return finished("pt"); }));
  EXPECT_EQ(job("pt").execution_state, ExecutionState::kSucceeded);
  EXPECT_EQ(file("pt", "stdout-0.txt").substr(0, 2), "0 ");
  EXPECT_EQ(file("pt", "stdout-1.txt").substr(0, 2), "1 ");
}

TEST_F(ContainerBackendTest, FailingJobPreparation) {
  create_cluster(1);
  submit("prep", 1, R"("jobPreparation":{"commandLine":"echo preparing; exit 7"},"customToolkitSettings":{"commandLine":"true"})");
  ASSERT_TRUE(run_until([&] { return finished("prep"); }));
  EXPECT_EQ(error_code(job("prep")), "JobPreparationFailed");
  EXPECT_EQ(job("prep").exit_code, 7);
  EXPECT_EQ(file("prep", "stdout-job_prep.txt"), "preparing\n");
}

TEST_F(ContainerBackendTest, TerminateAndWallClockLeaveNoProcess) {
  create_cluster(1);
  submit("t", 1, R"("customToolkitSettings":{"commandLine":"sleep 901 & sleep 901; wait"})");
  ASSERT_TRUE(run_until([&] { return process_with("[s]leep 901"); }, 10));
  ASSERT_TRUE(engine_->terminate_job(job_path("t")).ok());
  ASSERT_TRUE(run_until([&] { return finished("t"); }));
  EXPECT_TRUE(run_until([&] { return !process_with("[s]leep 901"); }, 5));

  submit("w", 1, R"("constraints":{"maxWallClockTime":"PT1S"},"customToolkitSettings":{"commandLine":"sleep 902"})");
  ASSERT_TRUE(run_until([&] { return finished("w"); }, 10));
  EXPECT_EQ(job("w").execution_state, ExecutionState::kFailed);
  EXPECT_TRUE(run_until([&] { return !process_with("[s]leep 902"); }, 5));
}

TEST_F(ContainerBackendTest, NodeFailureRequeuesTheRunningJob) {
  create_cluster(1);
  submit("f", 1, R"("customToolkitSettings":{"commandLine":"sleep 903"})");
  ASSERT_TRUE(run_until([&] { return process_with("[s]leep 903"); }, 10));
  ASSERT_TRUE(engine_->fail_nodes(engine::NodeSelector::node(node_ids()[0])).ok());
  EXPECT_EQ(job("f").execution_state, ExecutionState::kQueued);
  EXPECT_TRUE(run_until([&] { return !process_with("[s]leep 903"); }, 5));
}

TEST_F(ContainerBackendTest, SandboxEscapeIsRefused) {
  create_cluster(2);
  // The job looks for the data dir's contents, other nodes' processes and the host's mounts.
  const std::string data = (root_ / "data").string();
  submit("esc", 1,
         R"("secrets":[{"name":"S","value":"x"}],"customToolkitSettings":{"commandLine":")"
         R"(test -z \"$(ls -A )" + data + R"()\" && test ! -e )" + data + R"(/run && test $(ls /proc | grep -c '^[0-9]') -lt 10 && )"
         R"(test $(ls /mnt/batch/tasks/shared/LS_root/jobs) = esc && echo safe"})");
  ASSERT_TRUE(run_until([&] { return finished("esc"); }));
  EXPECT_EQ(job("esc").execution_state, ExecutionState::kSucceeded) << file("esc", "stderr.txt");
  EXPECT_EQ(file("esc", "stdout.txt"), "safe\n");
}

// A job plants links to a host folder where later host-side writes go: the emulator's own places
// (the job temp dir, its hostfile, shared folder and mount root) are wiped and made again; a link in a
// place the client chose (stdOutErrPathPrefix under /mnt) fails the job, naming the path. The host
// folder never changes.
TEST_F(ContainerBackendTest, HostSideWritesNeverFollowAJobsLinks) {
  create_cluster(1);
  const fs::path host = root_ / "host";
  fs::create_directories(host);
  std::ofstream(host / "keep") << "keep";
  const std::string jobs = "/mnt/batch/tasks/shared/LS_root/jobs";
  submit("plant", 1,
         R"("customToolkitSettings":{"commandLine":"ln -s )" + host.string() + R"( /mnt/plant && ln -s )" +
             host.string() + " " + jobs + R"(/next && mkdir -p )" + jobs + R"(/later && ln -s )" + host.string() +
             "/keep " + jobs + R"(/later/hostfile && ln -s )" + host.string() + " " + jobs + R"(/later/shared"})");
  ASSERT_TRUE(run_until([&] { return finished("plant"); }));
  ASSERT_EQ(job("plant").execution_state, ExecutionState::kSucceeded) << file("plant", "stderr.txt");

  const std::string body = R"({"properties":{"cluster":{"id":")" + cluster_path().arm_id() +
                           R"("},"nodeCount":1,"stdOutErrPathPrefix":"/mnt/plant","customToolkitSettings":{"commandLine":"true"}}})";
  auto spec = model::parse_job_create(boost::json::parse(body));
  ASSERT_TRUE(spec.ok());
  ASSERT_TRUE(engine_->create_job(job_path("next"), *spec).ok());
  ASSERT_TRUE(run_until([&] { return finished("next"); }));
  EXPECT_EQ(error_code(job("next")), "JobFailed");
  ASSERT_FALSE(job("next").errors.empty());
  EXPECT_NE(job("next").errors[0].message.find("/mnt/plant/"), std::string::npos) << job("next").errors[0].message;
  EXPECT_NE(job("next").errors[0].message.find("symbolic link"), std::string::npos) << job("next").errors[0].message;

  submit("later", 1,
         R"("mountVolumes":{"azureFileShares":[{"accountName":"acct","azureFileUrl":"https://acct.file.core.windows.net/share","credentials":{"accountKey":"k"},"relativeMountPath":"afs"}]},)"
         R"("customToolkitSettings":{"commandLine":"test ! -L $AZ_BATCHAI_MPI_HOST_FILE && cat $AZ_BATCHAI_MPI_HOST_FILE"})");
  ASSERT_TRUE(run_until([&] { return finished("later"); }));
  EXPECT_EQ(job("later").execution_state, ExecutionState::kSucceeded) << file("later", "stderr.txt");
  EXPECT_NE(file("later", "stdout.txt").find("slots=1"), std::string::npos);

  std::ifstream in(host / "keep");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "keep");
  EXPECT_EQ(std::distance(fs::directory_iterator(host), fs::directory_iterator()), 1);
}

TEST_F(ContainerBackendTest, MissingImageAndMountFailAtOnce) {
  create_cluster(1);
  submit("img", 1,
         R"("containerSettings":{"imageSourceRegistry":{"image":"nothere/image:1"}},"customToolkitSettings":{"commandLine":"true"})");
  ASSERT_TRUE(run_until([&] { return finished("img"); }, 2));
  EXPECT_EQ(error_code(job("img")), "JobFailed");
  EXPECT_NE(job("img").errors[0].message.find("nothere/image:1"), std::string::npos);

  submit("mnt", 1,
         R"("mountVolumes":{"azureFileShares":[{"accountName":"nope","azureFileUrl":"https://nope.file.core.windows.net/s","credentials":{"accountKey":"k"},"relativeMountPath":"s"}]},"customToolkitSettings":{"commandLine":"true"})");
  ASSERT_TRUE(run_until([&] { return finished("mnt"); }, 2));
  EXPECT_EQ(error_code(job("mnt")), "JobFailed");
}

TEST_F(ContainerBackendTest, JobMountAndOutputDirectory) {
  create_cluster(1);
  std::ofstream(root_ / "stores" / "acct_share" / "in.txt") << "hello";
  submit("io", 1,
         R"("mountVolumes":{"azureFileShares":[{"accountName":"acct","azureFileUrl":"https://acct.file.core.windows.net/share","credentials":{"accountKey":"k"},"relativeMountPath":"afs"}]},)"
         R"("outputDirectories":[{"id":"MODEL","pathPrefix":")" + (root_ / "out").string() + R"("}],)"
         R"("customToolkitSettings":{"commandLine":"cat $AZ_BATCHAI_JOB_MOUNT_ROOT/afs/in.txt > $AZ_BATCHAI_OUTPUT_MODEL/copy.txt"})");
  ASSERT_TRUE(run_until([&] { return finished("io"); }));
  EXPECT_EQ(job("io").execution_state, ExecutionState::kSucceeded) << file("io", "stderr.txt");
  auto dir = backend_->job_output_directory(job("io"), "MODEL");
  ASSERT_TRUE(dir.has_value());
  std::ifstream in(*dir / "copy.txt");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "hello");
}

// An unmanaged file system's mountCommand runs inside the node, never on the host: what it mounts is
// in the node's mount namespace only, and what it writes lands where the node's own view puts it.
class UnmanagedMountTest : public ContainerBackendTest {
 protected:
  static std::string unmanaged(const std::string& command, const std::string& relative) {
    boost::json::object fs{{"mountCommand", command}, {"relativeMountPath", relative}};
    return R"("mountVolumes":{"unmanagedFileSystems":[)" + boost::json::serialize(fs) + "]}";
  }
  // The data dir: the node sees an empty tmpfs there, so a file written there by the node is not
  // on the host.
  fs::path escape_file(const std::string& name) const { return root_ / "data" / (name + "-escape"); }
  // Whether the host's mount table has a mount whose path ends with `suffix`.
  static bool host_mount_ending_with(const std::string& suffix) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string id, parent, dev, root, mount_point;
      fields >> id >> parent >> dev >> root >> mount_point;
      if (mount_point.ends_with(suffix)) return true;
    }
    return false;
  }
  std::string node_reason(const std::string& to) const {
    for (const auto& r : journal_.since(0)) {
      if (r.kind == "node" && r.to == to) return r.reason;
    }
    return "";
  }
  int unusable() {
    auto c = engine_->get_cluster(cluster_path());
    return c.ok() ? (*c)->node_counts.unusable_node_count : 0;
  }
  void create_cluster_unwaited(const std::string& extra) {
    const std::string body = R"({"properties":{"vmSize":"STANDARD_D1","userAccountSettings":{"adminUserName":"u"},)" +
                             extra + R"("scaleSettings":{"manual":{"targetNodeCount":1}}}})";
    auto spec = model::parse_cluster_create(boost::json::parse(body));
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    ASSERT_TRUE(engine_->create_cluster(cluster_path(), *spec).ok());
  }
};

TEST_F(UnmanagedMountTest, ClusterMountCommandMountsInsideTheNodeOnly) {
  const std::string relative = "scratch-" + std::to_string(::getpid());
  create_cluster(1, "STANDARD_D1",
                 R"("nodeSetup":{)" + unmanaged("hostname > " + escape_file("cluster").string() +
                                                    "; mount -t tmpfs -o size=1m none",
                                                relative) +
                     "},");
  EXPECT_FALSE(fs::exists(escape_file("cluster"))) << "the mountCommand ran where the data dir is visible: the host";
  EXPECT_FALSE(host_mount_ending_with("/" + relative)) << "the mount is on the host";
  submit("uses", 1,
         R"("customToolkitSettings":{"commandLine":"echo hi > $AZ_BATCHAI_MOUNT_ROOT/)" + relative +
             R"(/f && cat $AZ_BATCHAI_MOUNT_ROOT/)" + relative + R"(/f && grep \" $AZ_BATCHAI_MOUNT_ROOT/)" + relative +
             R"( \" /proc/self/mountinfo"})");
  ASSERT_TRUE(run_until([&] { return finished("uses"); }));
  EXPECT_EQ(job("uses").execution_state, ExecutionState::kSucceeded) << file("uses", "stderr.txt");
  const std::string out = file("uses", "stdout.txt");
  EXPECT_NE(out.find("hi\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" - tmpfs none "), std::string::npos) << "a tmpfs inside the node: " << out;
  // The host's view of the node's disk is under the mount: the job's file is not there.
  const auto ids = node_ids();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ / "data" / "nodes" / ids[0] / "mnt/batch/tasks/shared/LS_root/mounts" / relative / "f"));
  EXPECT_FALSE(host_mount_ending_with("/" + relative));
}

TEST_F(UnmanagedMountTest, AFailingClusterMountCommandFailsTheNodeAndNeverRunsOnTheHost) {
  create_cluster_unwaited(R"("nodeSetup":{)" +
                          unmanaged("hostname > " + escape_file("fail").string() + "; echo cannot reach 10.0.0.4; exit 3",
                                    "gfs") +
                          "},");
  ASSERT_TRUE(run_until([&] { return unusable() == 1; })) << "the node did not turn unusable";
  EXPECT_FALSE(fs::exists(escape_file("fail"))) << "the mountCommand ran on the host";
  const std::string reason = node_reason("unusable");
  EXPECT_NE(reason.find("MountFailed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("exited with 3"), std::string::npos) << reason;
  EXPECT_NE(reason.find("cannot reach 10.0.0.4"), std::string::npos) << reason;
}

TEST_F(UnmanagedMountTest, JobMountCommandFailureFailsTheJobWithItsStatus) {
  create_cluster(1);
  submit("bad", 1,
         unmanaged("hostname > " + escape_file("job").string() + "; echo no such server >&2; exit 32", "j") +
             R"(,"customToolkitSettings":{"commandLine":"true"})");
  ASSERT_TRUE(run_until([&] { return finished("bad"); }));
  EXPECT_FALSE(fs::exists(escape_file("job"))) << "the mountCommand ran on the host";
  ASSERT_EQ(error_code(job("bad")), "JobFailed");
  const std::string message = job("bad").errors[0].message;
  EXPECT_NE(message.find("exited with 32"), std::string::npos) << message;
  EXPECT_NE(message.find("no such server"), std::string::npos) << message;
}

TEST_F(UnmanagedMountTest, JobMountIsInsideTheNodeAndGoesWithTheJob) {
  create_cluster(1);
  const std::string relative = "jscratch-" + std::to_string(::getpid());
  submit("first", 1,
         unmanaged("mount -t tmpfs none", relative) +
             R"(,"customToolkitSettings":{"commandLine":"grep -c \"mounts/)" + relative +
             R"( .* - tmpfs \" /proc/self/mountinfo"})");
  ASSERT_TRUE(run_until([&] { return finished("first"); }));
  EXPECT_EQ(job("first").execution_state, ExecutionState::kSucceeded) << file("first", "stderr.txt");
  EXPECT_EQ(file("first", "stdout.txt"), "1\n");
  EXPECT_FALSE(host_mount_ending_with("/" + relative));
  // The next job on the node no longer sees it, not even detached from a removed folder: unmounted
  // inside the node when the first job ended.
  submit("second", 1,
         R"("customToolkitSettings":{"commandLine":"grep -c mounts/)" + relative + R"( /proc/self/mountinfo"})");
  ASSERT_TRUE(run_until([&] { return finished("second"); }));
  EXPECT_EQ(file("second", "stdout.txt"), "0\n");
}

TEST_F(UnmanagedMountTest, AHangingMountCommandTimesOut) {
  backend_->set_mount_command_timeout(std::chrono::milliseconds(300));
  create_cluster(1);
  submit("hangs", 1, unmanaged("sleep 600 #", "h") + R"(,"customToolkitSettings":{"commandLine":"true"})");
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return finished("hangs"); }, 15));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_EQ(error_code(job("hangs")), "JobFailed");
  EXPECT_NE(job("hangs").errors[0].message.find("did not finish within 0.300 s"), std::string::npos)
      << job("hangs").errors[0].message;
  EXPECT_FALSE(process_with("slee[p] 600")) << "the hanging command was not killed";
}

TEST_F(ContainerBackendTest, NvidiaSmiInsideAGpuNode) {
  if (backend_->gpus().devices().empty()) GTEST_SKIP() << "no NVIDIA GPU on this host (nvidia-smi -L lists none)";
  create_cluster(1, "STANDARD_NC6");
  submit("gpu", 1, R"("customToolkitSettings":{"commandLine":"nvidia-smi -L; echo $CUDA_VISIBLE_DEVICES $AZ_BATCHAI_NUM_GPUS"})");
  ASSERT_TRUE(run_until([&] { return finished("gpu"); }));
  EXPECT_EQ(job("gpu").execution_state, ExecutionState::kSucceeded) << file("gpu", "stderr.txt");
  EXPECT_NE(file("gpu", "stdout.txt").find("GPU 0:"), std::string::npos) << file("gpu", "stdout.txt");
}

TEST_F(ContainerBackendTest, Measurements) {
  create_cluster(1);
  const std::string marker = (root_ / "started").string();
  const auto start = std::chrono::steady_clock::now();
  submit("first", 1, R"("customToolkitSettings":{"commandLine":"touch )" + marker + R"("})");
  ASSERT_TRUE(run_until([&] { return fs::exists(marker); }));
  std::printf("submit to first process running on an idle node: %.1f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  ASSERT_TRUE(run_until([&] { return finished("first"); }));
}

TEST_F(ContainerBackendTest, FiftyJobsOnFiftyNodes) {
  const auto start = std::chrono::steady_clock::now();
  create_cluster(50);
  const auto ready = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    submit(numbered("j", i), 1, R"("customToolkitSettings":{"commandLine":"hostname"})");
  }
  auto all = [&](ExecutionState state) {
    for (int i = 0; i < 50; ++i) {
      if (job(numbered("j", i)).execution_state != state) return false;
    }
    return true;
  };
  ASSERT_TRUE(run_until([&] { return all(ExecutionState::kSucceeded); }, 60));
  const auto end = std::chrono::steady_clock::now();
  std::printf("50 nodes ready in %.2f s; 50 one-node jobs submit to all succeeded: %.2f s\n",
              std::chrono::duration<double>(ready - start).count(), std::chrono::duration<double>(end - ready).count());
}

// Where the job's own processes are: controller ("" for cgroup v2) -> their cgroup directory on this host,
// read from `cat /proc/self/cgroup` run as the job (nodes have no cgroup namespace).
std::map<std::string, fs::path> cgroups_of(const std::string& proc_self_cgroup) {
  std::map<std::string, fs::path> out;
  std::istringstream lines(proc_self_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const fs::path path = fs::path(line.substr(second + 1)).relative_path();
    if (line.starts_with("0::")) {
      if (auto mount = SandboxCgroups::cgroup2_mount()) out[""] = *mount / path;
      continue;
    }
    std::istringstream names(controllers);
    std::string name;
    while (std::getline(names, name, ',')) {
      if (auto mount = SandboxCgroups::cgroup1_mount(name)) out[name] = *mount / path;
    }
  }
  return out;
}

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

class ContainerCgroupTest : public ContainerBackendTest {
 protected:
  // Runs `cat /proc/self/cgroup` as a job on a 2-vCPU, 7 GB node and checks the limits on the node's
  // cgroup (the parent of the job's): v2 cpu.max/memory.max where they are set, else v1's files.
  // Then checks that the backend leaves no cgroup directory behind.
  void expect_limits_and_no_leftovers(CgroupHierarchies use) {
    start(use);
    if (!backend_->limits_enforced()) GTEST_SKIP() << "limits not enforced here: " << backend_->limits_note();
    create_cluster(1, "STANDARD_D2");
    submit("lim", 1, R"("customToolkitSettings":{"commandLine":"cat /proc/self/cgroup"})");
    ASSERT_TRUE(run_until([&] { return finished("lim"); }));
    ASSERT_EQ(job("lim").execution_state, ExecutionState::kSucceeded) << file("lim", "stderr.txt");
    const auto dirs = cgroups_of(file("lim", "stdout.txt"));
    const std::string node = node_ids()[0];
    std::vector<fs::path> ours;
    for (const auto& [controller, dir] : dirs) {
      if (dir.filename() == "job" && dir.parent_path().filename() == node) ours.push_back(dir);
    }
    ASSERT_FALSE(ours.empty()) << "the job is in no node cgroup:\n" << file("lim", "stdout.txt");
    auto node_dir = [&](const std::string& controller) { return dirs.at(controller).parent_path(); };
    const bool v2_memory = dirs.contains("") && fs::exists(node_dir("") / "memory.max");
    const bool v2_cpu = dirs.contains("") && fs::exists(node_dir("") / "cpu.max");
    if (use == CgroupHierarchies::kVersion1Only) {
      EXPECT_FALSE(dirs.contains("") && dirs.at("").string().find(node) != std::string::npos) << "v2 was used";
    }
    if (v2_memory) {
      EXPECT_EQ(first_line(node_dir("") / "memory.max"), "7516192768");
    } else {
      ASSERT_TRUE(dirs.contains("memory"));
      EXPECT_EQ(first_line(node_dir("memory") / "memory.limit_in_bytes"), "7516192768");
    }
    if (v2_cpu) {
      EXPECT_EQ(first_line(node_dir("") / "cpu.max"), "200000 100000");
    } else {
      ASSERT_TRUE(dirs.contains("cpu"));
      EXPECT_EQ(first_line(node_dir("cpu") / "cpu.cfs_quota_us"), "200000");
      EXPECT_EQ(first_line(node_dir("cpu") / "cpu.cfs_period_us"), "100000");
    }
    engine_.reset();
    backend_.reset();
    for (const auto& dir : ours) EXPECT_FALSE(fs::exists(dir.parent_path().parent_path())) << dir;
  }

  void expect_terminate_kills_a_setsid_grandchild(CgroupHierarchies use) {
    start(use);
    create_cluster(1);
    submit("s", 1, R"("customToolkitSettings":{"commandLine":"setsid sh -c 'exec sleep 1021' & exec sleep 1022"})");
    ASSERT_TRUE(run_until([&] { return process_with("[s]leep 1021") && process_with("[s]leep 1022"); }, 10));
    ASSERT_TRUE(engine_->terminate_job(job_path("s")).ok());
    ASSERT_TRUE(run_until([&] { return finished("s"); }));
    EXPECT_TRUE(run_until([&] { return !process_with("[s]leep 1021") && !process_with("[s]leep 1022"); }, 5))
        << "a process of the terminated job survived";
  }
};

TEST_F(ContainerCgroupTest, NodeCgroupsCarryTheVmSizeLimitsAndGoWithTheBackend) {
  expect_limits_and_no_leftovers(CgroupHierarchies::kAll);
}

TEST_F(ContainerCgroupTest, NodeCgroupsCarryTheVmSizeLimitsOnCgroupVersion1) {
  expect_limits_and_no_leftovers(CgroupHierarchies::kVersion1Only);
}

TEST_F(ContainerCgroupTest, TerminateKillsAProcessThatLeftTheJobsSession) {
  expect_terminate_kills_a_setsid_grandchild(CgroupHierarchies::kAll);
}

TEST_F(ContainerCgroupTest, TerminateKillsAProcessThatLeftTheJobsSessionOnCgroupVersion1) {
  expect_terminate_kills_a_setsid_grandchild(CgroupHierarchies::kVersion1Only);
}

TEST_F(ContainerBackendTest, CustomToolkitJobRunsMpirunItself) {
  if (std::system("command -v mpirun >/dev/null") != 0) GTEST_SKIP() << "mpirun is not installed (openmpi-bin)";
  create_cluster(2);
  submit("own", 2,
         R"("customToolkitSettings":{"commandLine":"mpirun --hostfile $AZ_BATCHAI_MPI_HOST_FILE -np 2 hostname"})");
  ASSERT_TRUE(run_until([&] { return finished("own"); }, 30));
  EXPECT_EQ(job("own").execution_state, ExecutionState::kSucceeded) << file("own", "stderr.txt");
  const std::string out = file("own", "stdout.txt");
  for (const auto& id : node_ids()) EXPECT_NE(out.find(id), std::string::npos) << out;
}

TEST_F(ContainerBackendTest, TheLaunchAgentReachesOnlyTheJobsNodes) {
  create_cluster(2);
  std::string hosts;
  for (const auto* n : engine_->nodes_of(cluster_path().key())) hosts += n->ip_address + " ";
  // The job holds one of the two nodes; the other node, the host and the bridge are not its own.
  submit("reach", 1,
         R"("customToolkitSettings":{"commandLine":"for h in )" + hosts +
             R"(127.0.0.1 10.255.255.254 $(hostname); do $OMPI_MCA_plm_rsh_agent $h hostname >/dev/null 2>&1; echo \"$h $?\"; done"})");
  ASSERT_TRUE(run_until([&] { return finished("reach"); }));
  ASSERT_EQ(job("reach").execution_state, ExecutionState::kSucceeded) << file("reach", "stderr.txt");
  const std::string out = file("reach", "stdout.txt");
  std::istringstream lines(out);
  std::string host;
  int code = 0;
  int reached = 0;
  int refused = 0;
  while (lines >> host >> code) {
    if (code == 0) ++reached;
    if (code == 255) ++refused;
  }
  EXPECT_EQ(reached, 2) << out;  // its own node, by address and by hostname
  EXPECT_EQ(refused, 3) << out;  // the other node, the host, an address on no node
}

// An image whose root is this host's root file system plus a marker file (a read-only overlay), so
// that MPI's daemons exist inside it; mounted before the nodes start, so that they see it.
class ImageMount {
 public:
  ImageMount(const fs::path& data_dir, const std::string& directory_name, const fs::path& layer) : layer_(layer) {
    rootfs_ = data_dir / "images" / directory_name / "rootfs";
    fs::create_directories(rootfs_);
    fs::create_directories(layer_);
    // The marker's layer on its own file system: overlay refuses a layer inside another ("/").
    layer_mounted_ = ::mount("tmpfs", layer_.c_str(), "tmpfs", 0, "size=64k") == 0;
    if (!layer_mounted_) return;
    std::ofstream(layer_ / "emu-image-marker") << "inside the image\n";
    const std::string options = "lowerdir=" + layer_.string() + ":/";
    mounted_ = ::mount("overlay", rootfs_.c_str(), "overlay", MS_RDONLY, options.c_str()) == 0;
  }
  ~ImageMount() {
    if (mounted_) ::umount2(rootfs_.c_str(), MNT_DETACH);
    if (layer_mounted_) ::umount2(layer_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path layer_;
  fs::path rootfs_;
  bool layer_mounted_ = false;
  bool mounted_ = false;
};

TEST_F(ContainerBackendTest, ContainerSettingsMpiRanksRunInTheImageRoot) {
  if (std::system("command -v mpirun >/dev/null") != 0) GTEST_SKIP() << "mpirun is not installed (openmpi-bin)";
  ImageMount image(root_ / "data", "emu-test_mpi_1", root_ / "layer");
  if (!image.mounted()) GTEST_SKIP() << "cannot mount an overlay here: " << std::strerror(errno);
  create_cluster(2);
  const std::string container = R"("containerSettings":{"imageSourceRegistry":{"image":"emu-test/mpi:1"}},)";
  submit("ranks", 2, container + R"("customMpiSettings":{"commandLine":"cat /emu-image-marker && hostname"})");
  ASSERT_TRUE(run_until([&] { return finished("ranks"); }, 60));
  EXPECT_EQ(job("ranks").execution_state, ExecutionState::kSucceeded) << file("ranks", "stderr.txt");
  std::string out = file("ranks", "stdout.txt");
  for (const auto& id : node_ids()) EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("inside the image\n"), out.rfind("inside the image\n")) << "not every rank ran in the image:\n"
                                                                            << out;
  // mpirun run by the job itself, inside the image: its daemon on the other node is in the image too.
  submit("own", 2, container + R"("customToolkitSettings":{"commandLine":"mpirun --hostfile )"
                               R"($AZ_BATCHAI_MPI_HOST_FILE -np 2 sh -c 'cat /emu-image-marker && hostname'"})");
  ASSERT_TRUE(run_until([&] { return finished("own"); }, 60));
  EXPECT_EQ(job("own").execution_state, ExecutionState::kSucceeded) << file("own", "stderr.txt");
  out = file("own", "stdout.txt");
  for (const auto& id : node_ids()) EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("inside the image\n"), out.rfind("inside the image\n")) << out;
  engine_.reset();
  backend_.reset();
}

}  // namespace
}  // namespace emu::fakes
