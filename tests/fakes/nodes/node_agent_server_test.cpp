// NodeAgentServer with the real node-agent executable: a request reaches only the job's nodes, the
// command runs with the agent's stdout and its exit code comes back, and a command dies with its
// agent. Commands run on this host here (no namespaces), so these tests need no root.

#include "fakes/nodes/node_agent_server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "fakes/nodes/node_agent_binary.hpp"
#include "tests/fakes/nodes/process_probe.hpp"

namespace emu::fakes {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class NodeAgentServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A long directory name: the socket's path is longer than sockaddr_un's 108 bytes.
    dir_ =
        fs::temp_directory_path() / ("emu-agent-test-" + std::to_string(::getpid())) / std::string(120, 'd');
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_);
    agent_ = dir_.parent_path() / "node-agent";
    ASSERT_TRUE(write_node_agent(agent_).ok());
    server_ = std::make_unique<NodeAgentServer>(
        io_, watcher_, std::vector<NodeAgentTarget>{{"tvm-a_n-1", "10.1.0.4"}, {"tvm-a_n-2", "10.1.0.5"}},
        [this](std::size_t index, const std::string& command) -> std::optional<SpawnSpec> {
          SpawnSpec spec;
          spec.argv = {"/bin/sh", "-c", command};
          spec.env = {"PATH=/usr/bin:/bin", "NODE_INDEX=" + std::to_string(index)};
          ++launched_;
          return spec;
        });
    const int fd = ::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(server_->listen(fd, ".node-agent.sock").ok());
    ::close(fd);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_.parent_path());
  }

  // Runs the agent as mpirun would; returns its exit code (-1: it did not end in time).
  int run_agent(const std::vector<std::string>& args, double seconds = 10) {
    std::vector<std::string> argv = {agent_.string(), "--socket=" + (dir_ / ".node-agent.sock").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    int code = -1;
    auto pid =
        watcher_.spawn({.argv = argv, .env = {}, .stdout_path = dir_ / "out", .stderr_path = dir_ / "err"},
                       [&](int c) { code = c; });
    EXPECT_TRUE(pid.ok());
    agent_pid_ = pid.ok() ? *pid : 0;
    run_until([&] { return code != -1; }, seconds);
    return code;
  }
  template <typename Pred>
  bool run_until(Pred pred, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io_.run_for(std::chrono::milliseconds(5));
      io_.restart();
    }
    return true;
  }

  boost::asio::io_context io_;
  SandboxProcessWatcher watcher_{io_};
  fs::path dir_;
  fs::path agent_;
  std::unique_ptr<NodeAgentServer> server_;
  int launched_ = 0;
  pid_t agent_pid_ = 0;
};

TEST_F(NodeAgentServerTest, RunsTheCommandOnTheNamedNodeWithTheAgentsOutputAndExitCode) {
  EXPECT_EQ(run_agent({"10.1.0.5", "echo", "node", "$NODE_INDEX;", "exit", "3"}), 3);
  EXPECT_EQ(read_file(dir_ / "out"), "node 1\n");
  EXPECT_EQ(run_agent({"-x", "TVM-A_N-1", "echo $NODE_INDEX"}), 0) << read_file(dir_ / "err");
  EXPECT_EQ(read_file(dir_ / "out"), "node 1\n0\n");
}

TEST_F(NodeAgentServerTest, RefusesAHostThatIsNotANodeOfTheJob) {
  for (const std::string host : {"10.1.0.6", "localhost", "127.0.0.1"}) {
    EXPECT_EQ(run_agent({host, "echo", "escaped"}), 255);
  }
  EXPECT_EQ(launched_, 0);
  EXPECT_EQ(read_file(dir_ / "out"), "");
  EXPECT_NE(read_file(dir_ / "err").find("localhost is not a node of this job"), std::string::npos)
      << read_file(dir_ / "err");
}

TEST_F(NodeAgentServerTest, TheCommandDiesWithItsAgent) {
  const fs::path marker = dir_.parent_path() / "started";
  int code = -1;
  auto pid = watcher_.spawn({.argv = {agent_.string(), "--socket=" + (dir_ / ".node-agent.sock").string(),
                                      "10.1.0.4", "touch " + marker.string() + "; exec sleep 1004"},
                             .env = {}},
                            [&](int c) { code = c; });
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(run_until([&] { return fs::exists(marker); }, 10));
  EXPECT_EQ(server_->running(), 1u);
  ::kill(*pid, SIGKILL);
  EXPECT_TRUE(run_until([&] { return server_->running() == 0; }, 5));
  EXPECT_TRUE(run_until([] { return !testing::process_with("[s]leep 1004"); }, 5))
      << "the command outlived its agent";
}

TEST_F(NodeAgentServerTest, AnAgentWithoutItsServerFailsClearly) {
  server_.reset();
  EXPECT_EQ(run_agent({"10.1.0.4", "true"}), 255);
  EXPECT_NE(read_file(dir_ / "err").find("cannot reach the job's launch service"), std::string::npos);
}

}  // namespace
}  // namespace emu::fakes
