// Record and replay: a session driven through RecordingHandler replays, from the file alone, to the
// same journal digest and the same answers.

#include "harness/recording_handler.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "emulator/api/router.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nfs/sim_storage_model.hpp"
#include "fakes/nodes/sim_node_backend.hpp"
#include "harness/recording_loader.hpp"
#include "harness/replay.hpp"
#include "harness/replay_control.hpp"

namespace emu::harness {
namespace {

namespace fs = std::filesystem;

constexpr const char* kWs =
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/w";
constexpr const char* kV = "?api-version=2018-05-01";

struct Session {
  core::SimulatedExecutor executor;
  store::MemoryDocumentStore store;
  engine::EngineSettings settings = *engine::EngineSettings::profile_named("fast");
  fakes::SimNodeBackend backend{executor, settings};
  core::Journal journal;
  engine::Engine engine{executor, store, backend, journal, engine::VmSizeCatalog::builtin(), settings, 42};
  fakes::SimStorageModel storage{executor};
  ReplayControl control{executor, storage};
  api::Router router{engine, control};
};

api::HttpRequest request(std::string method, std::string target, std::string body = {}) {
  api::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.emplace_back("Authorization", "Bearer secret-token");
  return r;
}

TEST(Recording, ReplayOfARecordedSessionGivesTheSameJournal) {
  const fs::path file = fs::temp_directory_path() / ("emu-recording-" + std::to_string(::getpid()) + ".jsonl");
  Session live;
  std::string live_digest;
  {
    RecordingHandler recorder(live.router, live.executor, file, {.seed = 42, .profile = "fast"});
    ASSERT_TRUE(recorder.ok().ok());
    auto at = [&](int seconds, api::HttpRequest r) {
      live.executor.run_until(core::kDefaultEpoch + std::chrono::seconds(seconds));
      auto res = recorder.handle(r);
      live.executor.run_until(live.executor.now());
      return res.status;
    };
    const std::string ws = kWs;
    EXPECT_EQ(at(0, request("PUT", ws + kV, R"({"location":"eastus"})")), 200);
    EXPECT_EQ(at(0, request("PUT", ws + "/experiments/e" + kV, "{}")), 200);
    EXPECT_EQ(at(1, request("PUT", ws + "/clusters/c" + kV,
                            R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                               "adminUserPassword":"p-Assw0rd"},"scaleSettings":{"manual":{"targetNodeCount":2}}}})")),
              202);
    const std::string job = std::string(R"({"properties":{"cluster":{"id":")") + ws +
                            R"(/clusters/c"},"nodeCount":1,"stdOutErrPathPrefix":"/tmp",
        "customToolkitSettings":{"commandLine":"x"},"environmentVariables":[{"name":"EMULATOR_SIM_DURATION","value":"40"}]}})";
    EXPECT_EQ(at(10, request("PUT", ws + "/experiments/e/jobs/a" + kV, job)), 202);
    EXPECT_EQ(at(12, request("PUT", ws + "/experiments/e/jobs/b" + kV, job)), 202);
    EXPECT_EQ(at(13, request("PUT", ws + "/experiments/e/jobs/c" + kV, job)), 202);
    EXPECT_EQ(at(20, request("POST", ws + "/experiments/e/jobs/b/terminate" + kV)), 202);
    EXPECT_EQ(at(30, request("GET", ws + "/experiments/e/jobs/zzz" + kV)), 404);
    EXPECT_EQ(at(45, request("PATCH", ws + "/clusters/c" + kV,
                             R"({"properties":{"scaleSettings":{"manual":{"targetNodeCount":1,
                                "nodeDeallocationOption":"requeue"}}}})")),
              200);
    EXPECT_EQ(at(200, request("GET", ws + "/clusters/c" + kV)), 200);
    EXPECT_EQ(recorder.requests_recorded(), 10U);
    live_digest = live.journal.digest_hex();
  }
  {
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("secret-token"), std::string::npos) << "credentials must not be recorded";
  }
  ASSERT_TRUE(is_recording(file));
  auto scenario = load_recording(file);
  ASSERT_TRUE(scenario.ok()) << scenario.error().message;
  EXPECT_EQ(scenario->seed, 42U);
  Replay replay(*scenario);
  const ReplayOutcome out = replay.run();
  for (const auto& f : out.failures) ADD_FAILURE() << f;
  EXPECT_EQ(out.digest, live_digest);
  EXPECT_EQ(replay.journal().since(0), live.journal.since(0));
  fs::remove(file);
}

TEST(Recording, AFileThatIsNoRecordingIsRejected) {
  const fs::path file = fs::temp_directory_path() / ("emu-not-recording-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(file) << "{\"hello\":1}\n";
  EXPECT_FALSE(is_recording(file));
  auto s = load_recording(file);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(":1: no recording header"), std::string::npos) << s.error().message;
  fs::remove(file);
}

}  // namespace
}  // namespace emu::harness
