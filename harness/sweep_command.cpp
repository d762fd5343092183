// The `sweep` command: one scenario over a range of seeds, on forked worker processes.

#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <map>
#include <vector>

#include "harness/replay.hpp"
#include "harness/replay_command.hpp"

namespace emu::harness {
namespace {

core::Error usage_error(std::string message, std::string target) {
  return core::Error::bad_request("InvalidArguments", std::move(message) + "; run 'batchai-emulator sweep --help'",
                                  std::move(target));
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One worker: runs the seeds `first + index, first + index + jobs, ...` and writes
// "<seed> <ok 0|1> <digest> <first failure>\n" per seed to `fd`.
[[noreturn]] void work(const Scenario& scenario, const SweepOptions& o, int index, int fd) {
  const std::uint64_t seeds = o.last_seed - o.first_seed + 1;
  for (std::uint64_t k = static_cast<std::uint64_t>(index); k < seeds; k += static_cast<std::uint64_t>(o.jobs)) {
    const std::uint64_t seed = o.first_seed + k;
    Replay replay(scenario, seed);
    const ReplayOutcome r = replay.run();
    std::string why = r.ok() ? "" : r.failures.front();
    for (char& c : why) {
      if (c == '\n') c = ' ';
    }
    const std::string line = fmt::format("{} {} {} {}\n", seed, r.ok() ? 1 : 0, r.digest, why);
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
      if (n <= 0) ::_exit(3);
      done += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  ::_exit(0);
}

}  // namespace

core::Result<SweepOptions> parse_sweep_options(std::span<const std::string_view> args) {
  SweepOptions o;
  bool have_scenario = false, have_seeds = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view word = args[i];
    std::string_view value;
    const bool is_flag = word.starts_with("-");
    if (is_flag) {
      if (auto eq = word.find('='); eq != std::string_view::npos) {
        value = word.substr(eq + 1);
        word = word.substr(0, eq);
      } else if ((word == "--seeds" || word == "--jobs") && i + 1 < args.size()) {
        value = args[++i];
      }
    }
    if (!is_flag) {
      if (have_scenario) return usage_error(fmt::format("unexpected argument '{}'", word), std::string(word));
      o.scenario = std::filesystem::path(word);
      have_scenario = true;
    } else if (word == "--help" || word == "-h") {
      o.show_help = true;
    } else if (word == "--seeds") {
      const auto dash = value.find('-');
      auto a = to_u64(value.substr(0, dash));
      auto b = dash == std::string_view::npos ? a : to_u64(value.substr(dash + 1));
      if (!a || !b || *b < *a) {
        return usage_error(fmt::format("--seeds '{}' is not a range like 1-100", value), "--seeds");
      }
      o.first_seed = *a;
      o.last_seed = *b;
      have_seeds = true;
    } else if (word == "--jobs") {
      auto n = to_u64(value);
      if (!n || *n < 1 || *n > 64) return usage_error(fmt::format("--jobs '{}' is not 1..64", value), "--jobs");
      o.jobs = static_cast<int>(*n);
    } else {
      return usage_error(fmt::format("unknown option '{}'", word), std::string(word));
    }
  }
  if (!o.show_help && !have_scenario) return usage_error("sweep needs a SCENARIO file", "SCENARIO");
  if (!o.show_help && !have_seeds) return usage_error("sweep needs --seeds A-B, e.g. --seeds 1-100", "--seeds");
  return o;
}

std::string sweep_usage() {
  return R"(Usage: batchai-emulator sweep SCENARIO --seeds A-B [--jobs N]

Replays SCENARIO once per seed from A to B on N worker processes (default 2), lists every seed whose
expectations failed with the command that replays it alone, and exits 0 only if all passed.
)";
}

int run_sweep(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  auto scenario = load_replay_input(o.scenario);
  if (!scenario) {
    err << "batchai-emulator sweep: " << scenario.error().message << "\n";
    return 2;
  }
  const std::uint64_t seeds = o.last_seed - o.first_seed + 1;
  const int jobs = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(o.jobs), seeds));
  std::vector<pid_t> pids;
  std::vector<pollfd> fds;
  std::cout.flush();
  for (int w = 0; w < jobs; ++w) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
      err << "batchai-emulator sweep: cannot create a pipe for a worker\n";
      return 2;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      err << "batchai-emulator sweep: cannot start a worker process\n";
      return 2;
    }
    if (pid == 0) {
      ::close(pipe_fds[0]);
      for (const auto& f : fds) ::close(f.fd);
      work(*scenario, o, w, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    pids.push_back(pid);
    fds.push_back({pipe_fds[0], POLLIN, 0});
  }
  std::map<std::uint64_t, std::string> lines;  // by seed, so the listing is in seed order
  std::vector<std::string> partial(fds.size());
  std::size_t open = fds.size();
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      partial[i].append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = partial[i].find('\n')) != std::string::npos) {
        const std::string line = partial[i].substr(0, nl);
        partial[i].erase(0, nl + 1);
        const auto sp = line.find(' ');
        lines[std::stoull(line.substr(0, sp))] = line.substr(sp + 1);
      }
    }
  }
  bool workers_ok = true;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) workers_ok = false;
  }
  std::uint64_t failed = 0;
  for (const auto& [seed, rest] : lines) {
    if (rest.starts_with("1 ")) continue;
    ++failed;
    const std::string digest = rest.substr(2, 64);
    const std::string why = rest.size() > 67 ? rest.substr(67) : "";
    out << fmt::format("seed {} FAILED (digest {}): {}\n  re-run: batchai-emulator replay {} --seed {}\n", seed, digest,
                       why, o.scenario.string(), seed);
  }
  const std::uint64_t missing = seeds - lines.size();
  out << fmt::format("sweep: {} seeds, {} passed, {} failed{}\n", seeds, lines.size() - failed, failed,
                     missing > 0 ? fmt::format(", {} not run (a worker died)", missing) : "");
  return failed == 0 && missing == 0 && workers_ok ? 0 : 1;
}

int run_sweep(const SweepOptions& options) { return run_sweep(options, std::cout, std::cerr); }

}  // namespace emu::harness
