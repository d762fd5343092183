#pragma once
// EmulatorServer: a `batchai-emulator serve` child process for the CLI's end-to-end tests (free
// ports, in memory, sim backend, clock moved only by the admin API), with the URLs and CA from its
// ready line. Killed at destruction.
//   EmulatorServer server(EMU_BINARY, temp_dir);  if (!server.ready()) GTEST_SKIP() << server.failure();

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace emu::cli::test {

class EmulatorServer {
 public:
  // `backend` "sim" stops the clock (--time-scale 0); another backend runs it at wall-clock pace.
  EmulatorServer(const std::string& binary, const std::filesystem::path& data_dir, const std::string& backend = "sim") {
    if (!std::filesystem::exists(binary)) {
      failure_ = "no emulator binary at " + binary;
      return;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      failure_ = "pipe failed";
      return;
    }
    const std::vector<std::string> argv{binary,         "serve",          "--in-memory", "--backend",
                                        backend,        "--https-port",   "0",           "--http-port",
                                        "0",            "--time-scale",   backend == "sim" ? "0" : "1",
                                        "--data-dir",   data_dir.string(), "--host",     "127.0.0.1"};
    const std::string log = (data_dir / "serve.log").string();
    std::filesystem::create_directories(data_dir);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
    const auto line = read_line(std::chrono::seconds(30));
    // ready https=https://HOST:PORT http=http://HOST:PORT ca=PATH backend=NAME
    https_ = word(line, "https=");
    http_ = word(line, "http=");
    ca_ = word(line, "ca=");
    if (https_.empty() || http_.empty())
      failure_ = "serve gave no ready line (got '" + line + "'); see " + log;
  }

  ~EmulatorServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  EmulatorServer(const EmulatorServer&) = delete;
  EmulatorServer& operator=(const EmulatorServer&) = delete;

  bool ready() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  const std::string& https() const { return https_; }
  const std::string& http() const { return http_; }
  const std::string& ca() const { return ca_; }

 private:
  static std::string word(const std::string& line, const std::string& key) {
    auto at = line.find(" " + key);
    if (at == std::string::npos) return {};
    at += key.size() + 1;
    return line.substr(at, line.find(' ', at) - at);
  }

  std::string read_line(std::chrono::seconds limit) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{out_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      char c = 0;
      if (::read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string failure_;
  std::string https_;
  std::string http_;
  std::string ca_;
};

}  // namespace emu::cli::test
