// `az batchai` end to end: a real `batchai-emulator serve` (sim backend, clock moved through the admin
// API), the recipes' cluster and job files, and every output format.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "emulator/cli/az_command.hpp"
#include "emulator/cli/endpoint.hpp"
#include "emulator/cli/rest_client.hpp"
#include "tests/cli/emulator_server.hpp"

namespace emu::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct AzRun {
  int code = -1;
  std::string out;
  std::string err;
};

class AzEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = fs::temp_directory_path() / ("az-e2e-" + std::to_string(::getpid()));
    server_ = new test::EmulatorServer(EMU_BINARY, data_dir_);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
  }
  void SetUp() override {
    if (!server_->ready()) GTEST_SKIP() << "the emulator did not start: " << server_->failure();
  }

  AzRun az(std::vector<std::string> words) const {
    std::vector<std::string_view> views{"batchai"};
    for (const auto& w : words) views.push_back(w);
    std::map<std::string, std::string, std::less<>> env{{"BATCHAI_EMULATOR_ENDPOINT", server_->https()},
                                                        {"BATCHAI_EMULATOR_CA", server_->ca()}};
    AzEnvironment environment{[env](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    }};
    std::ostringstream out, err;
    AzRun run;
    run.code = run_az(views, environment, out, err);
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  // Moves the sim clock until `stop` is set, as a user of --time-scale 0 would with the admin API.
  static void advance_until(const std::atomic<bool>& stop) {
    auto endpoint = parse_endpoint(server_->http());
    RestClient client(*endpoint, {});
    while (!stop) {
      (void)client.send("POST", "/emulator/v1/clock/advance", R"({"seconds": 5})");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  static std::string recipe(const std::string& name) {
    return std::string(EMU_SHARED_DIR) + "/recipes/azure-cli-batchai-tests/" + name;
  }

  static std::string group() { return "rg"; }

  void create_workspace_and_experiment() const {
    ASSERT_EQ(az({"workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus"}).code, 0);
    ASSERT_EQ(az({"experiment", "create", "-g", "rg", "-w", "ws", "-n", "exp"}).code, 0);
  }

  static inline test::EmulatorServer* server_ = nullptr;
  static inline fs::path data_dir_;
};

TEST_F(AzEndToEnd, WorkspaceCreateShowListInEveryFormat) {
  auto created =
      az({"workspace", "create", "-g", "rg", "-n", "formats", "-l", "westus", "--tags", "team=ml", "x"});
  ASSERT_EQ(created.code, 0) << created.err;
  auto body = json::parse(created.out);
  EXPECT_EQ(body.at("name"), "formats");
  EXPECT_EQ(body.at("location"), "westus");
  EXPECT_EQ(body.at("tags").at("team"), "ml");

  auto table = az({"workspace", "show", "-g", "rg", "-n", "formats", "-o", "table"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("Name     Resource Group  Location  State", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("formats  rg              westus    succeeded"), std::string::npos) << table.out;

  auto tsv = az({"workspace", "list", "-g", "rg", "-o", "tsv"});
  ASSERT_EQ(tsv.code, 0) << tsv.err;
  EXPECT_NE(tsv.out.find("formats\trg\twestus\tsucceeded\t"), std::string::npos) << tsv.out;

  auto json_list = az({"workspace", "list", "-o", "json"});
  ASSERT_EQ(json_list.code, 0) << json_list.err;
  EXPECT_TRUE(json::parse(json_list.out).is_array());
}

TEST_F(AzEndToEnd, ClusterAndJobFromRecipeFilesRunToTheEnd) {
  create_workspace_and_experiment();
  // The file asks for one node; -t overrides it, as flags override config files.
  auto cluster = az({"cluster", "create", "-g", "rg", "-w", "ws", "-n", "c1", "-f",
                     recipe("simple_cluster.json"), "-t", "2", "-u", "alex", "-p", "Secret-123"});
  ASSERT_EQ(cluster.code, 0) << cluster.err;
  auto c = json::parse(cluster.out);
  EXPECT_EQ(c.at("properties").at("vmSize"), "STANDARD_D1");
  EXPECT_EQ(c.at("properties").at("scaleSettings").at("manual").at("targetNodeCount"), 2);

  auto again = az({"cluster", "create", "-g", "rg", "-w", "ws", "-n", "c1", "-s", "STANDARD_D1", "-p", "x"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("ClusterExists"), std::string::npos) << again.err;

  auto job = az({"job", "create", "-g", "rg", "-w", "ws", "-e", "exp", "-n", "j1", "-c", "c1", "-f",
                 recipe("nop_job.json")});
  ASSERT_EQ(job.code, 0) << job.err;
  auto j = json::parse(job.out);
  EXPECT_EQ(j.at("properties").at("cluster").at("id").as_string().ends_with("/workspaces/ws/clusters/c1"),
            true);
  EXPECT_EQ(j.at("properties").at("executionState"), "queued");

  std::atomic<bool> stop{false};
  std::thread clock([&] { advance_until(stop); });
  auto waited = az({"job", "wait", "-g", "rg", "-w", "ws", "-e", "exp", "-n", "j1", "--interval", "0.05"});
  stop = true;
  clock.join();
  ASSERT_EQ(waited.code, 0) << waited.err;
  // It followed the job: at least one state before the last.
  EXPECT_LT(waited.err.find("Job state: "), waited.err.find("Job state: succeeded")) << waited.err;
  EXPECT_NE(waited.err.find("Job succeeded, exit code 0"), std::string::npos) << waited.err;
  EXPECT_EQ(json::parse(waited.out).at("properties").at("executionState"), "succeeded");

  auto list = az({"job", "list", "-g", "rg", "-w", "ws", "-e", "exp", "-o", "tsv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, "j1\trg\tws\texp\tc1\t1\tsucceeded\t0\n");

  auto table = az({"cluster", "list", "-g", "rg", "-w", "ws", "-o", "table"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("VM Size"), std::string::npos);
  EXPECT_NE(table.out.find("c1"), std::string::npos) << table.out;

  // The sim backend writes no files: the list is empty, and stream says why instead of waiting.
  auto files = az({"job", "file", "list", "-g", "rg", "-w", "ws", "-e", "exp", "-j", "j1"});
  ASSERT_EQ(files.code, 0) << files.err;
  EXPECT_EQ(files.out, "[]\n");
  auto stream =
      az({"job", "file", "stream", "-g", "rg", "-w", "ws", "-e", "exp", "-j", "j1", "-f", "stdout.txt"});
  EXPECT_EQ(stream.code, 1);
  EXPECT_NE(stream.err.find("FileNotFound"), std::string::npos) << stream.err;
  EXPECT_NE(stream.err.find("sim backend"), std::string::npos) << stream.err;

  auto nodes = az({"cluster", "node", "list", "-g", "rg", "-w", "ws", "-c", "c1", "-o", "json"});
  ASSERT_EQ(nodes.code, 0) << nodes.err;
  EXPECT_EQ(json::parse(nodes.out).as_array().size(), 2u);

  auto resized = az({"cluster", "resize", "-g", "rg", "-w", "ws", "-n", "c1", "-t", "0"});
  ASSERT_EQ(resized.code, 0) << resized.err;
  EXPECT_EQ(json::parse(resized.out).at("properties").at("scaleSettings").at("manual").at("targetNodeCount"),
            0);
  auto scaled = az({"cluster", "auto-scale", "-g", "rg", "-w", "ws", "-n", "c1", "--min", "0", "--max", "3"});
  ASSERT_EQ(scaled.code, 0) << scaled.err;
  EXPECT_EQ(
      json::parse(scaled.out).at("properties").at("scaleSettings").at("autoScale").at("maximumNodeCount"), 3);

  EXPECT_EQ(az({"job", "delete", "-g", "rg", "-w", "ws", "-e", "exp", "-n", "j1", "-y"}).code, 0);
  auto gone = az({"job", "show", "-g", "rg", "-w", "ws", "-e", "exp", "-n", "j1"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_NE(gone.err.find("(JobNotFound)"), std::string::npos) << gone.err;
}

TEST_F(AzEndToEnd, TerminateAQueuedJobFailsIt) {
  ASSERT_EQ(az({"workspace", "create", "-g", "rg", "-n", "tws"}).code, 0);
  ASSERT_EQ(az({"experiment", "create", "-g", "rg", "-w", "tws", "-n", "exp"}).code, 0);
  ASSERT_EQ(az({"cluster", "create", "-g", "rg", "-w", "tws", "-n", "idle", "-s", "STANDARD_D1", "-t", "0",
                "-p", "Secret-123"})
                .code,
            0);
  ASSERT_EQ(az({"job", "create", "-g", "rg", "-w", "tws", "-e", "exp", "-n", "stuck", "-c", "idle", "-f",
                recipe("custom_toolkit_job.json")})
                .code,
            0);
  auto terminated = az({"job", "terminate", "-g", "rg", "-w", "tws", "-e", "exp", "-n", "stuck", "-y"});
  ASSERT_EQ(terminated.code, 0) << terminated.err;
  auto waited =
      az({"job", "wait", "-g", "rg", "-w", "tws", "-e", "exp", "-n", "stuck", "--interval", "0.05"});
  EXPECT_EQ(waited.code, 1);
  EXPECT_NE(waited.err.find("Job failed"), std::string::npos) << waited.err;
}

TEST_F(AzEndToEnd, UsageAndServerErrorsAreReported) {
  auto missing = az({"cluster", "show", "-w", "ws", "-n", "c"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--resource-group"), std::string::npos) << missing.err;

  auto unknown = az({"cluster", "show", "-g", "rg", "-w", "ws", "-n", "c", "--bogus", "1"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("--bogus"), std::string::npos) << unknown.err;

  auto not_found = az({"cluster", "show", "-g", "rg", "-w", "nows", "-n", "c"});
  EXPECT_EQ(not_found.code, 1);
  EXPECT_NE(not_found.err.find("NotFound"), std::string::npos) << not_found.err;

  auto format = az({"workspace", "list", "-o", "yaml"});
  EXPECT_EQ(format.code, 2);
  EXPECT_NE(format.err.find("json, table, tsv"), std::string::npos);

  auto help = az({"cluster", "create", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--vm-size -s"), std::string::npos) << help.out;
}

TEST_F(AzEndToEnd, PlainHttpEndpointAndWrongCaAreHandled) {
  std::vector<std::string_view> words{"batchai", "workspace", "list", "--endpoint", server_->http()};
  std::ostringstream out, err;
  AzEnvironment none{[](std::string_view) -> std::optional<std::string> { return std::nullopt; }};
  EXPECT_EQ(run_az(words, none, out, err), 0) << err.str();

  std::vector<std::string_view> untrusted{"batchai",        "workspace", "list",     "--endpoint",
                                          server_->https(), "--ca-file", "/dev/null"};
  std::ostringstream out2, err2;
  EXPECT_NE(run_az(untrusted, none, out2, err2), 0);
  EXPECT_NE(err2.str().find("ERROR"), std::string::npos);
}

}  // namespace
// On container-backed nodes: node exec runs the command inside the node (its hostname is the node id)
// and returns its exit code, and file stream follows a real job's stdout as it grows. Runs the binary,
// because node exec writes to the process's own stdout.
TEST(AzOnContainerNodes, NodeExecRunsInsideTheNodeAndFileStreamFollowsRealOutput) {
  const fs::path data_dir = fs::temp_directory_path() / ("az-exec-" + std::to_string(::getpid()));
  test::EmulatorServer server(EMU_BINARY, data_dir, "container");
  if (!server.ready()) GTEST_SKIP() << "no container-backed nodes here: " << server.failure();
  const std::string env = "BATCHAI_EMULATOR_ENDPOINT=" + server.https() + " BATCHAI_EMULATOR_CA=" + server.ca() +
                          " BATCHAI_EMULATOR_DATA_DIR=" + data_dir.string() + " ";
  auto shell = [&](const std::string& words) {
    std::string out;
    FILE* pipe = ::popen((env + EMU_BINARY + " az batchai " + words + " 2>&1").c_str(), "r");
    char buffer[512];
    while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    const int status = pipe != nullptr ? ::pclose(pipe) : -1;
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  };
  ASSERT_EQ(shell("workspace create -g rg -n ws -l eastus").first, 0);
  ASSERT_EQ(shell("cluster create -g rg -w ws -n c -s STANDARD_D1 -t 1 -u me -p pw").first, 0);
  std::string node;
  for (int i = 0; i < 100 && node.empty(); ++i) {
    const auto listed = shell("cluster node list -g rg -w ws -c c -o tsv");
    if (listed.first == 0 && listed.second.rfind("tvm-", 0) == 0) node = listed.second.substr(0, listed.second.find('\t'));
    if (node.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(node.empty()) << "the cluster's node never appeared";
  std::pair<int, std::string> run;
  for (int i = 0; i < 100; ++i) {  // the node takes a moment to be prepared
    run = shell("cluster node exec -g rg -w ws -c c --exec 'echo inside $(hostname); exit 3'");
    if (run.first == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(run.first, 3) << run.second;
  EXPECT_NE(run.second.find("inside " + node), std::string::npos) << run.second;

  const fs::path job_file = data_dir / "job.json";
  std::ofstream(job_file) << R"({"properties": {"nodeCount": 1, "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_TEMP",
      "customToolkitSettings": {"commandLine": "for i in 1 2 3; do echo line $i; sleep 0.3; done"}}})";
  ASSERT_EQ(shell("experiment create -g rg -w ws -n e").first, 0);
  ASSERT_EQ(shell("job create -g rg -w ws -e e -n j -c c -f " + job_file.string()).first, 0);
  const auto streamed = shell("job file stream -g rg -w ws -e e -j j -f stdout.txt");
  EXPECT_EQ(streamed.first, 0) << streamed.second;
  EXPECT_NE(streamed.second.find("line 1\nline 2\nline 3\n"), std::string::npos) << streamed.second;
  std::error_code ec;
  fs::remove_all(data_dir, ec);
}

}  // namespace emu::cli
