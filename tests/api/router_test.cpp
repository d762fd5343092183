// The ARM routes and the admin API as pure functions: requests in, responses out, no sockets.

#include "emulator/api/router.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "emulator/core/simulated_executor.hpp"
#include "harness/simulated_control.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

namespace emu::api {
namespace {

namespace json = boost::json;


constexpr const char* kRg = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.BatchAI";
constexpr const char* kV = "?api-version=2018-05-01";

class RouterTest : public ::testing::Test {
 protected:
  HttpResponse call(std::string method, std::string target, std::string body = {}) {
    HttpRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    req.scheme = "https";
    req.headers.emplace_back("Host", "localhost:7443");
    HttpResponse res = router_.handle(req);
    executor_.run_until(executor_.now());  // let work posted for "now" run, as the server loop would
    return res;
  }
  static json::value body_of(const HttpResponse& res) { return json::parse(res.body); }
  static std::string code_of(const HttpResponse& res) {
    return std::string(body_of(res).at("error").at("code").as_string());
  }
  std::string ws(std::string_view name = "ws1") { return std::string(kRg) + "/workspaces/" + std::string(name); }

  void create_workspace(std::string_view name = "ws1") {
    ASSERT_EQ(call("PUT", ws(name) + kV, R"({"location":"eastus"})").status, 200);
  }
  void create_cluster(std::string_view name = "c1", int nodes = 1) {
    auto res = call("PUT", ws() + "/clusters/" + std::string(name) + kV,
                    R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                       "adminUserPassword":"hunter2"},"scaleSettings":{"manual":{"targetNodeCount":)" +
                        std::to_string(nodes) + "}}}}");
    ASSERT_EQ(res.status, 202) << res.body;
  }
  std::string job_body(std::string_view cluster = "c1") {
    return R"({"properties":{"cluster":{"id":")" + ws() + "/clusters/" + std::string(cluster) +
           R"("},"nodeCount":1,"stdOutErrPathPrefix":"$AZ_BATCHAI_MOUNT_ROOT/out",
             "customToolkitSettings":{"commandLine":"echo hi"},
             "secrets":[{"name":"TOKEN","value":"s3cret"}]}})";
  }

  core::SimulatedExecutor executor_;
  store::MemoryDocumentStore store_;
  engine::EngineSettings settings_;
  fakes::SimNodeBackend backend_{executor_, settings_};
  core::Journal journal_;
  engine::Engine engine_{executor_, store_, backend_, journal_, engine::VmSizeCatalog::builtin(), settings_, 1};
  harness::SimulatedControl control_{executor_};
  Router router_{engine_, control_};
};

TEST_F(RouterTest, WorkspacePutIsSynchronousAndGetFindsItWhateverTheCasing) {
  auto put = call("PUT", ws() + kV, R"({"location":"eastus","tags":{"team":"vision"}})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto body = body_of(put);
  EXPECT_EQ(body.at("properties").at("provisioningState"), "succeeded");
  EXPECT_EQ(body.at("type"), "Microsoft.BatchAI/workspaces");
  EXPECT_EQ(body.at("tags").at("team"), "vision");
  auto get = call("GET", "/SUBSCRIPTIONS/sub1/resourcegroups/RG1/providers/microsoft.batchai/WORKSPACES/WS1" +
                             std::string(kV));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(body_of(get).at("name"), "ws1");
}

TEST_F(RouterTest, ApiVersionIsRequiredAndChecked) {
  auto missing = call("GET", ws());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(code_of(missing), "MissingApiVersionParameter");
  auto wrong = call("GET", ws() + "?api-version=2017-09-01-preview");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(code_of(wrong), "InvalidApiVersionParameter");
}

TEST_F(RouterTest, PercentEncodedBytesThatAreNotUtf8AreRefusedAndEveryAnswerIsJson) {
  // Decoded, they would have become a subscription, a name or an error message that JSON cannot hold.
  for (const std::string& target :
       {"/subscriptions/s%FF/resourceGroups/rg1/providers/Microsoft.BatchAI/workspaces/ws1" + std::string(kV),
        ws("w%C0%AF") + kV, ws() + "?api-version=%ED%A0%80", ws() + kV + "&%F4%90%80%80=1"}) {
    auto res = call("PUT", target, R"({"location":"eastus"})");
    EXPECT_EQ(res.status, 400) << target;
    EXPECT_EQ(code_of(res), "InvalidRequestUri") << res.body;
  }
  EXPECT_EQ(call("PUT", ws("w%C3%A9") + kV, R"({"location":"eastus"})").status, 400);  // UTF-8, bad name
  EXPECT_EQ(code_of(call("PUT", ws("w%C3%A9") + kV, R"({"location":"eastus"})")), "InvalidResourceName");
  auto raw = call("GET", ws() + "/\xA2\xFF" + kV);
  EXPECT_EQ(raw.status, 400);
  EXPECT_NE(body_of(raw).at("error").at("message").as_string().find("%A2%FF"), std::string::npos) << raw.body;
}

TEST_F(RouterTest, UnknownRoutesAndMethodsAreCloudErrors) {
  auto unknown = call("GET", std::string(kRg) + "/gizmos" + kV);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code_of(unknown), "NotFound");
  auto method = call("POST", ws() + kV, "{}");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(code_of(method), "MethodNotAllowed");
  EXPECT_FALSE(method.header("Allow").empty());
}

TEST_F(RouterTest, MalformedAndInvalidBodiesLeaveNothingBehind) {
  auto bad_json = call("PUT", ws() + kV, R"({"location": )");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(code_of(bad_json), "InvalidRequestContent");
  auto missing = call("PUT", ws() + kV, R"({"tags":{}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(code_of(missing), "MissingRequiredProperty");
  auto bad_name = call("PUT", ws("bad!name") + kV, R"({"location":"eastus"})");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_EQ(code_of(bad_name), "InvalidResourceName");
  EXPECT_EQ(call("GET", ws() + kV).status, 404);
}

TEST_F(RouterTest, MissingParentsAre404sWithTheLiveServiceWording) {
  auto res = call("GET", ws() + "/clusters/c1" + kV);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(code_of(res), "WorkspaceNotFound");
  EXPECT_EQ(res.reason, "The specified workspace ws1 is not found");
  create_workspace();
  auto job = call("GET", ws() + "/experiments/e1/jobs/j1" + kV);
  EXPECT_EQ(code_of(job), "ExperimentNotFound");
}

TEST_F(RouterTest, ClusterCreateIsALongRunningOperationThatClientsPoll) {
  create_workspace();
  auto put = call("PUT", ws() + "/clusters/c1" + kV,
                  R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                     "adminUserPassword":"pw"}}})");
  ASSERT_EQ(put.status, 202) << put.body;
  EXPECT_TRUE(put.body.empty());
  const std::string async = std::string(put.header("Azure-AsyncOperation"));
  const std::string location = std::string(put.header("Location"));
  ASSERT_NE(async.find("/providers/Microsoft.BatchAI/locations/eastus/operationresults/"), std::string::npos);
  ASSERT_NE(location.find("/operationstatuses/"), std::string::npos);
  EXPECT_EQ(async.substr(async.rfind('/')), location.substr(location.rfind('/')));
  EXPECT_EQ(put.header("Retry-After"), "1");

  const std::string poll_target = async.substr(async.find("/subscriptions/"));
  auto poll = call("GET", poll_target);
  ASSERT_EQ(poll.status, 200) << poll.body;
  auto status = body_of(poll);
  EXPECT_EQ(status.at("status"), "Succeeded");
  EXPECT_EQ(status.at("properties").at("resourceId"), "sub1$rg1$ws1$c1");
  EXPECT_EQ(std::string(status.at("id").as_string()).rfind("https://localhost:7443/subscriptions/", 0), 0u);

  auto get = call("GET", ws() + "/clusters/c1" + kV);
  auto props = body_of(get).at("properties");
  EXPECT_EQ(props.at("provisioningState"), "succeeded");
  EXPECT_EQ(props.at("scaleSettings").at("manual").at("targetNodeCount"), 0);
  EXPECT_EQ(get.body.find("pw"), std::string::npos) << "the admin password must never come back";
}

TEST_F(RouterTest, ClusterPatchChangesScaleSettingsSynchronously) {
  create_workspace();
  create_cluster();
  auto patch = call("PATCH", ws() + "/clusters/c1" + kV,
                    R"({"properties":{"scaleSettings":{"autoScale":{"minimumNodeCount":0,"maximumNodeCount":4}}}})");
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(body_of(patch).at("properties").at("scaleSettings").at("autoScale").at("maximumNodeCount"), 4);
}

TEST_F(RouterTest, UnknownVmSizeIsRejected) {
  create_workspace();
  auto put = call("PUT", ws() + "/clusters/c1" + kV,
                  R"({"properties":{"vmSize":"Standard_Z99","userAccountSettings":{"adminUserName":"u"}}})");
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(code_of(put), "InvalidVmSize");
  EXPECT_EQ(call("GET", ws() + "/clusters/c1" + kV).status, 404);
}

TEST_F(RouterTest, JobsQueueAndNeverShowTheirSecrets) {
  create_workspace();
  create_cluster();
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1" + kV).status, 200);
  auto put = call("PUT", ws() + "/experiments/e1/jobs/j1" + kV, job_body());
  ASSERT_EQ(put.status, 202) << put.body;
  auto get = call("GET", ws() + "/experiments/e1/jobs/j1" + kV);
  ASSERT_EQ(get.status, 200);
  auto props = body_of(get).at("properties");
  EXPECT_EQ(props.at("executionState"), "queued");
  EXPECT_EQ(props.at("toolType"), "custom");
  EXPECT_EQ(props.at("experimentName"), "e1");
  EXPECT_EQ(get.body.find("s3cret"), std::string::npos);
  const std::string segment(props.at("jobOutputDirectoryPathSegment").as_string());
  EXPECT_EQ(segment.rfind("sub1/rg1/workspaces/ws1/experiments/e1/jobs/j1/", 0), 0u) << segment;
}

TEST_F(RouterTest, AJobNamingAMissingClusterIsA400) {
  create_workspace();
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1" + kV).status, 200);
  auto put = call("PUT", ws() + "/experiments/e1/jobs/j1" + kV, job_body("nope"));
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(code_of(put), "ClusterNotFound");
  EXPECT_EQ(call("GET", ws() + "/experiments/e1/jobs/j1" + kV).status, 404);
}

TEST_F(RouterTest, TerminateFailsAQueuedJobAndIsANoOpOnAFinishedOne) {
  create_workspace();
  create_cluster();
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1" + kV).status, 200);
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1/jobs/j1" + kV, job_body()).status, 202);
  auto terminate = call("POST", ws() + "/experiments/e1/jobs/j1/terminate" + kV);
  EXPECT_EQ(terminate.status, 202);
  auto props = body_of(call("GET", ws() + "/experiments/e1/jobs/j1" + kV)).at("properties");
  EXPECT_EQ(props.at("executionState"), "failed");
  EXPECT_EQ(props.at("executionInfo").at("errors").at(0).at("code"), "JobTerminated");
  auto again = call("POST", ws() + "/experiments/e1/jobs/j1/terminate" + kV);
  EXPECT_EQ(again.status, 200);
}

TEST_F(RouterTest, ListsPageWithMaxresultsAndNextLink) {
  create_workspace();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(call("PUT", ws() + "/experiments/e" + std::to_string(i) + kV).status, 200);
  std::vector<std::string> seen;
  std::string target = ws() + "/experiments" + kV + "&maxresults=2";
  int pages = 0;
  while (!target.empty()) {
    auto res = call("GET", target);
    ASSERT_EQ(res.status, 200) << res.body;
    auto body = body_of(res).as_object();
    for (const auto& item : body.at("value").as_array()) seen.emplace_back(item.at("name").as_string());
    target.clear();
    if (auto* next = body.if_contains("nextLink")) {
      std::string link(next->as_string());
      target = link.substr(link.find("/subscriptions/"));
    }
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"e0", "e1", "e2", "e3", "e4"}));
  auto bad = call("GET", ws() + "/experiments" + kV + "&maxresults=0");
  EXPECT_EQ(code_of(bad), "InvalidQueryParameterValue");
}

TEST_F(RouterTest, DeletingAWorkspaceRemovesEverythingUnderIt) {
  create_workspace();
  create_cluster();
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1" + kV).status, 200);
  ASSERT_EQ(call("PUT", ws() + "/experiments/e1/jobs/j1" + kV, job_body()).status, 202);
  auto del = call("DELETE", ws() + kV);
  ASSERT_EQ(del.status, 202);
  EXPECT_EQ(call("GET", ws() + kV).status, 404);
  create_workspace();
  EXPECT_EQ(call("GET", ws() + "/clusters/c1" + kV).status, 404);
  EXPECT_EQ(call("GET", ws() + "/experiments/e1" + kV).status, 404);
}

TEST_F(RouterTest, OperationsAndUsagesAnswer) {
  auto ops = call("GET", std::string("/providers/Microsoft.BatchAI/operations") + kV);
  ASSERT_EQ(ops.status, 200);
  EXPECT_EQ(body_of(ops).at("value").as_array().size(), 26u);
  create_workspace();
  create_cluster();
  auto usages = call("GET", std::string("/subscriptions/sub1/providers/Microsoft.BatchAI/locations/eastus/usages") + kV);
  ASSERT_EQ(usages.status, 200);
  auto first = body_of(usages).at("value").at(0);
  EXPECT_EQ(first.at("name").at("value"), "Clusters");
  EXPECT_EQ(first.at("currentValue"), 1);
}

TEST_F(RouterTest, AdminClockAdvances) {
  auto before = body_of(call("GET", "/emulator/v1/clock"));
  auto advanced = call("POST", "/emulator/v1/clock/advance", R"({"seconds": 90})");
  ASSERT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(body_of(advanced).at("nowNanoseconds").as_int64() - before.at("nowNanoseconds").as_int64(),
            90'000'000'000);
  auto events = body_of(call("GET", "/emulator/v1/events?since=0"));
  EXPECT_EQ(events.at("digest").as_string().size(), 64u);
  auto health = body_of(call("GET", "/emulator/v1/health"));
  EXPECT_EQ(health.at("status"), "ok");
  EXPECT_EQ(call("POST", "/emulator/v1/clock/advance", R"({"seconds": -1})").status, 400);
}

TEST_F(RouterTest, EventsSayWhereTheHistoryStartsWhenMemoryKeepsOnlyTheNewest) {
  journal_.set_retention(3);  // an in-memory store: what leaves memory is gone
  create_workspace();
  create_cluster("c1", 1);
  call("POST", "/emulator/v1/clock/advance", R"({"seconds": 10})");
  ASSERT_GT(journal_.last_sequence(), 3u);
  auto events = body_of(call("GET", "/emulator/v1/events?since=0"));
  const auto& value = events.at("value").as_array();
  ASSERT_EQ(value.size(), 3u);
  EXPECT_EQ(events.at("oldestSequence").to_number<std::uint64_t>(), journal_.first_kept_sequence());
  EXPECT_EQ(value.front().at("seq").to_number<std::uint64_t>(), journal_.first_kept_sequence());
  EXPECT_EQ(events.at("lastSequence").to_number<std::uint64_t>(), journal_.last_sequence());
  auto page = body_of(call("GET", "/emulator/v1/events?since=0&limit=2"));
  EXPECT_EQ(page.at("value").as_array().size(), 2u);
}

TEST_F(RouterTest, StorageUsageOfAFileServer) {
  create_workspace();
  auto put = call("PUT", ws() + "/fileServers/nfs" + kV,
                  R"({"properties":{"vmSize":"STANDARD_D1","sshConfiguration":{"userAccountSettings":
                     {"adminUserName":"u"}},"dataDisks":{"diskSizeInGB":10,"diskCount":2,
                     "storageAccountType":"Standard_LRS"}}})");
  ASSERT_EQ(put.status, 202) << put.body;
  const std::string id = std::string(kRg) + "/workspaces/ws1/fileservers/nfs";
  auto usage = call("GET", "/emulator/v1/storage?fileServerId=" + id);
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(body_of(usage).at("capacityBytes").to_number<std::int64_t>(), 20LL << 30);
  EXPECT_EQ(body_of(usage).at("usedBytes").to_number<std::int64_t>(), 0);
  EXPECT_EQ(call("GET", "/emulator/v1/storage?fileServerId=" + id + "x").status, 404);
  EXPECT_EQ(call("GET", "/emulator/v1/storage?fileServerId=nope").status, 400);
}

TEST_F(RouterTest, FaultsHitNodesAndJournalThem) {
  create_workspace();
  create_cluster("c1", 2);
  call("POST", "/emulator/v1/clock/advance", R"({"seconds": 10})");
  auto fault = call("POST", "/emulator/v1/faults", R"({"kind": "node-failure", "count": 1})");
  ASSERT_EQ(fault.status, 200) << fault.body;
  EXPECT_EQ(body_of(fault).at("nodes").as_array().size(), 1u);
  auto props = body_of(call("GET", ws() + "/clusters/c1" + kV)).at("properties");
  EXPECT_EQ(props.at("nodeStateCounts").at("unusableNodeCount"), 1);
  EXPECT_EQ(props.at("nodeStateCounts").at("idleNodeCount"), 1);
  auto unknown = call("POST", "/emulator/v1/faults", R"({"kind": "meteor"})");
  EXPECT_EQ(unknown.status, 400);
  auto events = body_of(call("GET", "/emulator/v1/events?since=0"));
  bool seen = false;
  for (const auto& e : events.at("value").as_array()) seen = seen || e.at("kind") == "fault";
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace emu::api
