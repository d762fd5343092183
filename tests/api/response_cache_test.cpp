// The router's cache of ARM GET answers: a cached answer is byte for byte what rendering anew gives,
// and any change of state (an API call, a timer: a job running to its end) is seen at once.

#include "emulator/api/response_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "emulator/api/router.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"
#include "harness/simulated_control.hpp"

namespace emu::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kWs =
    "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.BatchAI/workspaces/ws1";
constexpr const char* kV = "?api-version=2018-05-01";

HttpRequest request(std::string method, std::string target, std::string host = "localhost:7443",
                    std::string body = {}) {
  HttpRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  req.scheme = "https";
  req.headers.emplace_back("Host", std::move(host));
  return req;
}

HttpResponse ok_response(std::string body) {
  HttpResponse response;
  response.set_header("Content-Type", "application/json; charset=utf-8");
  response.body = std::move(body);
  return response;
}

class RouterCacheTest : public ::testing::Test {
 protected:
  HttpResponse call(HttpRequest req) {
    HttpResponse res = router_.handle(req);
    executor_.run_until(executor_.now());
    return res;
  }
  HttpResponse call(std::string method, std::string target, std::string body = {}) {
    return call(request(std::move(method), std::move(target), "localhost:7443", std::move(body)));
  }
  // The same GET under a Host never used before: never in the cache, so rendered anew. (A job's or a
  // workspace's body does not contain the host.)
  HttpResponse fresh_get(const std::string& target) {
    return call(request("GET", target, "fresh-" + std::to_string(++fresh_hosts_) + ":7443"));
  }
  static void expect_same(const HttpResponse& a, const HttpResponse& b) {
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.body, b.body);
  }

  void create_everything() {
    ASSERT_EQ(call("PUT", std::string(kWs) + kV, R"({"location":"eastus","tags":{"v":"1"}})").status, 200);
    ASSERT_EQ(call("PUT", std::string(kWs) + "/clusters/c1" + kV,
                   R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                      "adminUserPassword":"pw"},"scaleSettings":{"manual":{"targetNodeCount":1}}}})")
                  .status,
              202);
    ASSERT_EQ(call("PUT", std::string(kWs) + "/experiments/e1" + kV).status, 200);
    ASSERT_EQ(call("PUT", job(),
                   std::string(R"({"properties":{"cluster":{"id":")") + kWs +
                       R"(/clusters/c1"},"nodeCount":1,"customToolkitSettings":{"commandLine":"x"},
                                     "stdOutErrPathPrefix":"$AZ_BATCHAI_MOUNT_ROOT/out"}})")
                  .status,
              202);
  }
  static std::string job() { return std::string(kWs) + "/experiments/e1/jobs/j1" + kV; }
  static std::string execution_state(const HttpResponse& res) {
    return std::string(json::parse(res.body).at("properties").at("executionState").as_string());
  }

  core::SimulatedExecutor executor_;
  store::MemoryDocumentStore store_;
  engine::EngineSettings settings_;
  fakes::SimNodeBackend backend_{executor_, settings_};
  core::Journal journal_;
  engine::Engine engine_{executor_, store_, backend_, journal_, engine::VmSizeCatalog::builtin(),
                         settings_, 1};
  harness::SimulatedControl control_{executor_};
  Router router_{engine_, control_};
  int fresh_hosts_ = 0;
};

TEST_F(RouterCacheTest, CachedAnswerIsWhatRenderingAnewGivesWhileTheJobRuns) {
  create_everything();
  std::string seen_states;
  for (int step = 0; step < 40 && seen_states.find("succeeded") == std::string::npos; ++step) {
    const HttpResponse first = call("GET", job());
    const HttpResponse cached = call("GET", job());
    const HttpResponse fresh = fresh_get(job());
    ASSERT_EQ(first.status, 200) << first.body;
    expect_same(first, cached);
    expect_same(cached, fresh);
    const std::string state = execution_state(cached);
    if (seen_states.find(state) == std::string::npos) seen_states += state + " ";
    executor_.run_until(executor_.now() + 30s);  // timers move the job on; nobody calls the API
  }
  EXPECT_EQ(seen_states, "queued running succeeded ") << "the cache hid a state change made by a timer";
}

TEST_F(RouterCacheTest, AChangeThroughTheApiIsSeenAtOnce) {
  create_everything();
  const std::string workspace = std::string(kWs) + kV;
  EXPECT_NE(call("GET", workspace).body.find(R"("v":"1")"), std::string::npos);
  ASSERT_EQ(call("PATCH", workspace, R"({"tags":{"v":"2"}})").status, 200);
  const HttpResponse after = call("GET", workspace);
  EXPECT_NE(after.body.find(R"("v":"2")"), std::string::npos) << after.body;
  ASSERT_EQ(call("DELETE", std::string(kWs) + "/experiments/e1/jobs/j1" + kV).status, 202);
  executor_.run_until(executor_.now() + 1h);
  EXPECT_EQ(call("GET", job()).status, 404);
}

TEST_F(RouterCacheTest, TheHostIsPartOfTheAnswer) {
  create_everything();
  // Operation results carry absolute ids built from the Host: each host gets its own.
  const HttpResponse put =
      call("PUT", std::string(kWs) + "/clusters/c2" + kV,
           R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                                   "adminUserPassword":"pw"}}})");
  const std::string async(put.header("Azure-AsyncOperation"));
  const std::string target = async.substr(async.find("/subscriptions/"));
  const HttpResponse a = call(request("GET", target, "a.example:1"));
  const HttpResponse b = call(request("GET", target, "b.example:2"));
  EXPECT_NE(a.body.find("https://a.example:1/"), std::string::npos) << a.body;
  EXPECT_NE(b.body.find("https://b.example:2/"), std::string::npos) << b.body;
}

TEST(ResponseCache, OnlyArmGetsWithoutAClockInTheAnswerAreCacheable) {
  EXPECT_TRUE(ResponseCache::cacheable(request("GET", std::string(kWs) + kV)));
  EXPECT_TRUE(
      ResponseCache::cacheable(request("GET", "/providers/Microsoft.BatchAI/operations?api-version=x")));
  EXPECT_FALSE(ResponseCache::cacheable(request("PUT", std::string(kWs) + kV)));
  EXPECT_FALSE(
      ResponseCache::cacheable(request("POST", std::string(kWs) + "/experiments/e/jobs/j/terminate")));
  EXPECT_FALSE(ResponseCache::cacheable(request("GET", "/emulator/v1/clock")));
  EXPECT_FALSE(ResponseCache::cacheable(request("GET", "/metrics")));
  EXPECT_FALSE(ResponseCache::cacheable(request(
      "GET", std::string(kWs) + "/experiments/e/jobs/j/LISTOUTPUTFILES" + kV + "&outputdirectoryid=x")));
  EXPECT_FALSE(
      ResponseCache::cacheable(request("GET", std::string(kWs) + "/experiments/e/jobs/j/listOutputFiles//")));
  EXPECT_FALSE(
      ResponseCache::cacheable(request("GET", std::string(kWs) + "/experiments/e/jobs/j/%6CistOutputFiles")));
}

TEST(ResponseCache, AnswersOnlyAtTheRevisionItWasStoredAt) {
  ResponseCache cache;
  const HttpRequest get = request("GET", std::string(kWs) + kV);
  EXPECT_EQ(cache.find(get, 1), nullptr);
  cache.store(get, 1, ok_response("one"));
  ASSERT_NE(cache.find(get, 1), nullptr);
  EXPECT_EQ(cache.find(get, 1)->body, "one");
  EXPECT_EQ(cache.find(request("GET", std::string(kWs) + kV, "other-host"), 1), nullptr);
  EXPECT_EQ(cache.find(get, 2), nullptr);
  EXPECT_EQ(cache.size(), 0u) << "a new revision drops everything";
  EXPECT_EQ(cache.find(get, 1), nullptr) << "and never goes back";
}

TEST(ResponseCache, KeepsOnlySuccessAndStaysBounded) {
  ResponseCache cache;
  HttpResponse not_found = ok_response("{}");
  not_found.status = 404;
  cache.store(request("GET", "/subscriptions/s/missing"), 1, not_found);
  EXPECT_EQ(cache.size(), 0u);
  for (std::size_t i = 0; i < ResponseCache::kMaxEntries + 10; ++i) {
    cache.store(request("GET", "/subscriptions/s/r" + std::to_string(i)), 1, ok_response("x"));
    ASSERT_LE(cache.size(), ResponseCache::kMaxEntries);
  }
  cache.store(request("GET", "/subscriptions/s/big"), 1,
              ok_response(std::string(ResponseCache::kMaxBodyBytes + 1, 'b')));
  EXPECT_EQ(cache.find(request("GET", "/subscriptions/s/big"), 1), nullptr);
}

}  // namespace
}  // namespace emu::api
