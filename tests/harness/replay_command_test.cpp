// The replay and sweep commands: exit status, digest line, determinism check, --out files, seed sweeps.

#include "harness/replay_command.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace emu::harness {
namespace {

namespace fs = std::filesystem;

const fs::path kLibrary = fs::path(EMU_SCENARIOS_DIR) / "library";

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("emu-harness-" + std::to_string(::getpid()) + "-" + name);
}

TEST(RunReplay, PrintsDigestAndSummaryAndChecksDeterminism) {
  std::ostringstream out, err;
  const int rc = run_replay({.scenario = kLibrary / "basic_single_job.yaml", .check_determinism = true, .progress = false},
                            out, err);
  EXPECT_EQ(rc, 0) << out.str() << err.str();
  EXPECT_NE(out.str().find("digest: "), std::string::npos);
  EXPECT_NE(out.str().find("determinism: both runs gave digest"), std::string::npos);
  EXPECT_NE(out.str().find("jobs: 1 (succeeded 1"), std::string::npos) << out.str();
}

TEST(RunReplay, ExitsOneWhenAnExpectationFails) {
  const fs::path file = temp_path("failing.yaml");
  std::ofstream(file) << "resources:\n  - cluster: c\n    nodes: 1\ntimeline:\n  - {at: 1s, submit: j, cluster: c, "
                         "duration: 10s}\nexpectations:\n  - job: j\n    state: failed\n";
  std::ostringstream out, err;
  EXPECT_EQ(run_replay({.scenario = file, .progress = false}, out, err), 1);
  EXPECT_NE(out.str().find("job j is succeeded, expected failed"), std::string::npos) << out.str();
  fs::remove(file);
}

TEST(RunReplay, ExitsTwoOnAMalformedScenario) {
  std::ostringstream out, err;
  EXPECT_EQ(run_replay({.scenario = fs::path(EMU_SCENARIOS_DIR) / "malformed" / "bad_fault.yaml", .progress = false},
                       out, err),
            2);
  EXPECT_NE(err.str().find("is not a fault"), std::string::npos) << err.str();
}

TEST(RunReplay, OutWritesJournalSummaryAndReport) {
  const fs::path dir = temp_path("out");
  std::ostringstream out, err;
  ASSERT_EQ(run_replay({.scenario = kLibrary / "autoscale_grow_shrink.yaml", .out_dir = dir, .progress = false}, out,
                       err),
            0)
      << out.str() << err.str();
  std::ifstream summary(dir / "summary.json");
  std::stringstream text;
  text << summary.rdbuf();
  const auto json = boost::json::parse(text.str());
  EXPECT_EQ(json.at("ok").as_bool(), true);
  EXPECT_EQ(json.at("jobs").at("succeeded").as_int64(), 4);
  const std::string digest(json.at("digest").as_string());
  EXPECT_NE(out.str().find("digest: " + digest), std::string::npos);

  std::ifstream journal(dir / "journal.jsonl");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(journal, line)) {
    ASSERT_TRUE(line.starts_with("{\"seq\":" + std::to_string(lines + 1) + ",")) << line;
    ++lines;
  }
  EXPECT_EQ(static_cast<std::int64_t>(lines), json.at("journalRecords").as_int64());

  std::ifstream report(dir / "report.html");
  std::stringstream html;
  html << report.rdbuf();
  EXPECT_NE(html.str().find("<svg"), std::string::npos);
  EXPECT_NE(html.str().find("Nodes by state"), std::string::npos);
  EXPECT_NE(html.str().find("Jobs: waiting"), std::string::npos);
  EXPECT_EQ(html.str().find("http://"), html.str().find("http://www.w3.org"));  // nothing fetched
  fs::remove_all(dir);
}

TEST(Sweep, ParsesSeedsAndJobs) {
  std::vector<std::string_view> args{"s.yaml", "--seeds", "3-7", "--jobs=3"};
  auto o = parse_sweep_options(args);
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->first_seed, 3U);
  EXPECT_EQ(o->last_seed, 7U);
  EXPECT_EQ(o->jobs, 3);
  std::vector<std::string_view> bad{"s.yaml", "--seeds", "7-3"};
  EXPECT_FALSE(parse_sweep_options(bad).ok());
}

TEST(Sweep, PassingScenarioOverSeeds) {
  std::ostringstream out, err;
  const int rc = run_sweep({.scenario = kLibrary / "random_preemptions.yaml", .first_seed = 1, .last_seed = 6, .jobs = 2},
                           out, err);
  EXPECT_EQ(rc, 0) << out.str() << err.str();
  EXPECT_NE(out.str().find("sweep: 6 seeds, 6 passed, 0 failed"), std::string::npos) << out.str();
}

TEST(Sweep, ListsFailingSeedsWithTheirCommand) {
  const fs::path file = temp_path("sweep-fail.yaml");
  std::ofstream(file) << "resources:\n  - {cluster: c, nodes: 1}\nexpectations:\n  - queueLength: 1\n";
  std::ostringstream out, err;
  EXPECT_EQ(run_sweep({.scenario = file, .first_seed = 4, .last_seed = 6, .jobs = 2}, out, err), 1);
  EXPECT_NE(out.str().find("seed 5 FAILED"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("re-run: batchai-emulator replay " + file.string() + " --seed 6"), std::string::npos);
  EXPECT_NE(out.str().find("sweep: 3 seeds, 0 passed, 3 failed"), std::string::npos) << out.str();
  fs::remove(file);
}

}  // namespace
}  // namespace emu::harness
