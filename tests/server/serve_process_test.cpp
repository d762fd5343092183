// Runs the real batchai-emulator binary: the ready line, both listeners, TLS trust, signals and
// exit codes, as PRODUCT.md states them.

#include "emulator/core/time.hpp"
#include "emulator/server/temporary_directory.hpp"
#include "emulator/server/tls_material.hpp"
#include "tests/server/child_process.hpp"
#include "tests/server/test_client.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#ifndef EMU_SERVER_BINARY
#error "EMU_SERVER_BINARY must name the batchai-emulator binary"
#endif

namespace emu::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ChildProcess;
using test::TestClient;

constexpr std::chrono::milliseconds kStartLimit = 20s;

struct ReadyLine {
  std::string https_url;
  std::string http_url;
  std::uint16_t https_port = 0;
  std::uint16_t http_port = 0;
  fs::path ca;
  std::string backend;
};

// Parses "ready https=https://H:P http=http://H:P ca=PATH backend=NAME"; nullopt if it is not that.
std::optional<ReadyLine> parse_ready(const std::string& line) {
  std::istringstream words(line);
  std::string word;
  words >> word;
  if (word != "ready") return std::nullopt;
  ReadyLine ready;
  int fields = 0;
  const auto port_of = [](const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  };
  while (words >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = word.substr(0, eq);
    const std::string value = word.substr(eq + 1);
    if (key == "https" && value.starts_with("https://")) {
      ready.https_url = value;
      ready.https_port = port_of(value);
    } else if (key == "http" && value.starts_with("http://")) {
      ready.http_url = value;
      ready.http_port = port_of(value);
    } else if (key == "ca") {
      ready.ca = value;
    } else if (key == "backend") {
      ready.backend = value;
    } else {
      return std::nullopt;
    }
    ++fields;
  }
  if (fields != 4) return std::nullopt;
  return ready;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TemporaryDirectory::create("serve-process-test");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(*dir));
    data_dir_ = dir_->path() / "data";
    stderr_file_ = dir_->path() / "stderr.log";
  }

  // Runs batchai-emulator with `args`; with `program`, that program instead.
  std::unique_ptr<ChildProcess> spawn(std::vector<std::string> args,
                                      std::string program = EMU_SERVER_BINARY) {
    args.insert(args.begin(), std::move(program));
    return std::make_unique<ChildProcess>(args, dir_->path(), stderr_file_);
  }

  // Starts `serve` with free ports and waits for its ready line.
  std::optional<ReadyLine> start(ChildProcess*& out, std::vector<std::string> extra = {}) {
    // The process, not the choice of node backend, is under test here: sim unless a test says otherwise.
    std::vector<std::string> args{"serve", "--https-port", "0", "--http-port", "0"};
    if (std::find(extra.begin(), extra.end(), "--backend") == extra.end()) {
      args.insert(args.end(), {"--backend", "sim"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    child_ = spawn(args);
    out = child_.get();
    const auto line = child_->read_line(kStartLimit);
    if (!line) {
      ADD_FAILURE() << "no ready line; stderr:\n" << read_file(stderr_file_);
      return std::nullopt;
    }
    auto ready = parse_ready(*line);
    if (!ready) ADD_FAILURE() << "not a ready line: " << *line;
    return ready;
  }

  // Runs the binary to its end: exit code, stdout, stderr.
  struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  Outcome run(std::vector<std::string> args, std::string program = EMU_SERVER_BINARY) {
    auto child = spawn(std::move(args), std::move(program));
    const auto code = child->wait(10s);
    EXPECT_TRUE(code) << "did not exit";
    return {code.value_or(-1), child->rest_of_stdout(), read_file(stderr_file_)};
  }

  static void expect_health(TestClient& client, const std::string& backend) {
    const test::Response response = client.get("/emulator/v1/health");
    ASSERT_EQ(response.result_int(), 200) << response.body();
    const boost::json::value body = boost::json::parse(response.body());
    EXPECT_EQ(body.at("status").as_string(), "ok");
    EXPECT_EQ(body.at("backend").as_string(), backend);
    EXPECT_TRUE(core::parse_timestamp(std::string(body.at("now").as_string())).has_value())
        << response.body();
  }

  std::optional<TemporaryDirectory> dir_;
  fs::path data_dir_;
  fs::path stderr_file_;
  std::unique_ptr<ChildProcess> child_;
};

TEST_F(ServeProcessTest, ReadyLineThenHealthOverBothPortsThenSigtermExitsZero) {
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--data-dir", data_dir_.string(), "--backend", "auto"});
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->https_url, "https://127.0.0.1:" + std::to_string(ready->https_port));
  EXPECT_EQ(ready->http_url, "http://127.0.0.1:" + std::to_string(ready->http_port));
  EXPECT_EQ(ready->ca, data_dir_ / "tls" / "ca.pem");
  EXPECT_TRUE(fs::exists(ready->ca));
  // auto picks container-backed nodes where the host can make sandboxes, simulated ones elsewhere.
  EXPECT_TRUE(ready->backend == "sim" || ready->backend == "container") << ready->backend;

  TestClient plain(ready->http_port);
  expect_health(plain, ready->backend);
  for (const std::string name : {"127.0.0.1", "localhost"}) {
    TestClient tls(ready->https_port, ready->ca, name);
    expect_health(tls, ready->backend);
    expect_health(tls, ready->backend);  // keep-alive
  }
  EXPECT_EQ(plain.get("/no/such/route").result_int(), 404);

  const auto started = std::chrono::steady_clock::now();
  child->send_signal(SIGTERM);
  const auto code = child->wait(5s);
  ASSERT_TRUE(code) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0) << read_file(stderr_file_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(child->rest_of_stdout(), "") << "stdout carries the ready line only";
  EXPECT_NE(read_file(stderr_file_).find("backend auto"), std::string::npos) << "auto must say what it chose";
}

TEST_F(ServeProcessTest, SigintWithAnOpenConnectionAlsoExitsZero) {
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--data-dir", data_dir_.string(), "--backend", "sim"});
  ASSERT_TRUE(ready);
  TestClient idle(ready->http_port);
  expect_health(idle, "sim");
  child->send_signal(SIGINT);
  const auto code = child->wait(5s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(idle.closed_by_server());
}

TEST_F(ServeProcessTest, SecondStartReusesTheCa) {
  ChildProcess* child = nullptr;
  auto ready = start(child, {"--data-dir", data_dir_.string()});
  ASSERT_TRUE(ready);
  const std::string ca = read_file(ready->ca);
  child->send_signal(SIGTERM);
  ASSERT_EQ(child->wait(5s), 0);
  ready = start(child, {"--data-dir", data_dir_.string()});
  ASSERT_TRUE(ready);
  EXPECT_EQ(read_file(ready->ca), ca);
  TestClient tls(ready->https_port, ready->ca, "localhost");
  expect_health(tls, "sim");
}

TEST_F(ServeProcessTest, PythonRequestsVerifiesAgainstTheCa) {
  if (std::system("python3 -c 'import requests' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with requests is not installed";
  }
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--data-dir", data_dir_.string()});
  ASSERT_TRUE(ready);
  for (const std::string& url :
       std::vector<std::string>{ready->https_url, "https://localhost:" + std::to_string(ready->https_port)}) {
    const std::string script =
        "import requests, sys\n"
        "r = requests.get(sys.argv[1] + '/emulator/v1/health', verify=sys.argv[2], timeout=10)\n"
        "assert r.status_code == 200 and r.json()['status'] == 'ok', r.text\n"
        "s = requests.Session()\n"
        "for _ in range(3): assert s.get(sys.argv[1] + '/emulator/v1/health', verify=sys.argv[2]).ok\n"
        "print('python-ok')\n";
    const Outcome outcome = run({"python3", "-c", script, url, ready->ca.string()}, "/usr/bin/env");
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(outcome.out, "python-ok\n") << outcome.err;
  }
}

TEST_F(ServeProcessTest, InMemoryWithoutDataDirKeepsTlsInATemporaryFolderRemovedAtExit) {
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--in-memory"});
  ASSERT_TRUE(ready);
  EXPECT_TRUE(fs::exists(ready->ca));
  EXPECT_FALSE(fs::exists(dir_->path() / ".batchai-emulator")) << "--in-memory writes no data dir";
  TestClient tls(ready->https_port, ready->ca, "localhost");
  expect_health(tls, "sim");
  child->send_signal(SIGTERM);
  ASSERT_EQ(child->wait(5s), 0);
  EXPECT_FALSE(fs::exists(ready->ca));
  EXPECT_FALSE(fs::exists(ready->ca.parent_path()));
}

TEST_F(ServeProcessTest, InMemoryWithDataDirKeepsTheCaThere) {
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--in-memory", "--data-dir", data_dir_.string()});
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->ca, data_dir_ / "tls" / "ca.pem");
  child->send_signal(SIGTERM);
  ASSERT_EQ(child->wait(5s), 0);
  EXPECT_TRUE(fs::exists(data_dir_ / "tls" / "ca.pem"));
}

TEST_F(ServeProcessTest, GivenCertificateIsServedAndIsTheCa) {
  auto made = TlsMaterial::ensure(dir_->path() / "own-tls", "127.0.0.1");
  ASSERT_TRUE(made) << made.error().message;
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--data-dir", data_dir_.string(), "--cert", made->cert_file().string(),
                                   "--key", made->key_file().string()});
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->ca, made->cert_file());
  EXPECT_FALSE(fs::exists(data_dir_ / "tls")) << "no CA is made when --cert is given";
  TestClient tls(ready->https_port, made->ca_file(), "localhost");
  expect_health(tls, "sim");
}

TEST_F(ServeProcessTest, PortInUseFailsWithExitOneNamingThePort) {
  ChildProcess* child = nullptr;
  const auto ready = start(child, {"--data-dir", data_dir_.string()});
  ASSERT_TRUE(ready);
  const Outcome second = run({"serve", "--data-dir", (dir_->path() / "other").string(), "--https-port", "0",
                              "--http-port", std::to_string(ready->http_port)});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(second.out, "") << "no ready line on failure";
  EXPECT_NE(second.err.find(std::to_string(ready->http_port)), std::string::npos) << second.err;
}

TEST_F(ServeProcessTest, UnreadableCertificateFailsNamingTheFile) {
  const Outcome outcome = run({"serve", "--data-dir", data_dir_.string(), "--https-port", "0", "--http-port",
                               "0", "--cert", "missing-cert.pem", "--key", "missing-key.pem"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.err.find("missing-cert.pem"), std::string::npos) << outcome.err;
}

TEST_F(ServeProcessTest, UsageErrorsExitTwoWithOneLine) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"serve", "--bogus"},
                                             {"serve", "--https-port", "x"},
                                             {"frobnicate"},
                                             {"serve", "--cert", "c.pem"}}) {
    const Outcome outcome = run(args);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_EQ(outcome.out, "");
    EXPECT_TRUE(outcome.err.starts_with("batchai-emulator: ")) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_NE(outcome.err.find("--help"), std::string::npos) << outcome.err;
  }
}

TEST_F(ServeProcessTest, VersionAndHelp) {
  const Outcome version = run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with("batchai-emulator ")) << version.out;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"replay", "--help"}, {"help", "serve"}}) {
    const Outcome help = run(args);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_TRUE(help.out.starts_with("Usage: batchai-emulator")) << help.out;
  }
  EXPECT_NE(run({"serve", "--help"}).out.find("--https-port"), std::string::npos);
}

TEST_F(ServeProcessTest, ReplayOfAMissingScenarioNamesTheFile) {
  const Outcome replay = run({"replay", "no-such-scenario.yaml", "--seed", "3"});
  EXPECT_EQ(replay.exit_code, 2);
  EXPECT_NE(replay.err.find("no-such-scenario.yaml"), std::string::npos) << replay.err;
  EXPECT_EQ(run({"replay"}).exit_code, 2);
}

}  // namespace
}  // namespace emu::server
