// Group commit at the transport: with a commit barrier, a response is written only after the commit
// that makes the staged changes durable; a failed commit becomes a 500 for every response held
// behind it; a stop lets held responses finish. The sync here runs only when the test says so.

#include "emulator/server/http_server.hpp"
#include "emulator/store/group_commit_store.hpp"
#include "tests/server/test_client.hpp"
#include "tests/store/counting_document_store.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace emu::server {
namespace {

using namespace std::chrono_literals;
using test::Response;
using test::TestClient;
namespace http = boost::beast::http;

// PUT /stage/<key> stages a change (as the engine does through its store); anything else only reads.
class StagingHandler final : public api::RequestHandler {
 public:
  explicit StagingHandler(store::GroupCommitStore& commits) : commits_(commits) {}
  api::HttpResponse handle(const api::HttpRequest& request) override {
    api::HttpResponse response;
    if (request.target.starts_with("/stage/")) {
      engine::WriteBatch batch;
      batch.put("jobs", request.target.substr(7), request.body);
      if (auto staged = commits_.commit(batch); !staged) {
        response.status = 500;
        return response;
      }
      response.status = 201;
      response.body = "staged";
    } else {
      response.body = "read";
    }
    return response;
  }

 private:
  store::GroupCommitStore& commits_;
};

class HttpServerCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    commits_.set_sync_scheduler([this] { ++syncs_asked_; });  // the test runs sync() itself
    HttpServerSettings settings;
    settings.http_port = 0;
    settings.linger_timeout = 50ms;  // after a "Connection: close" response
    server_ = std::make_unique<HttpServer>(io_, handler_, settings);
    server_->set_commit_barrier(&commits_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { io_.run(); });
  }

  template <typename Work>
  auto on_server(Work work) {
    std::packaged_task<decltype(work())()> task(std::move(work));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
    return result.get();
  }

  void TearDown() override {
    if (thread_.joinable()) {
      (void)on_server([this] { return commits_.sync().ok(); });
      stop_server();
      work_.reset();
      io_.stop();
      thread_.join();
    }
    server_.reset();
  }

  bool stop_server() {
    auto promise = std::make_shared<std::promise<void>>();
    auto stopped = promise->get_future();
    boost::asio::post(io_, [this, promise] { server_->stop([promise] { promise->set_value(); }); });
    return stopped.wait_for(5s) == std::future_status::ready;
  }

  bool sync() {
    return on_server([this] { return commits_.sync().ok(); });
  }
  bool has_staged() {
    return on_server([this] { return commits_.has_staged(); });
  }
  std::size_t durable_jobs() {
    return on_server([this] { return durable_.contents("jobs").size(); });
  }

  template <typename Condition>
  static bool eventually(Condition condition, std::chrono::milliseconds limit = 3000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  // A client that gives up on a read after a short while: how a test sees "no response yet".
  TestClient short_wait_client() { return TestClient(server_->http_port(), "127.0.0.1", 300ms); }

  static bool no_response_yet(TestClient& client) {
    try {
      (void)client.read_response();
      return false;
    } catch (const boost::system::system_error& timeout) {
      return timeout.code() == boost::asio::error::timed_out;
    }
  }

  static std::string put_request(const std::string& key) {
    return "PUT /stage/" + key + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
  }

  store::testing::CountingDocumentStore durable_;
  store::GroupCommitStore commits_{durable_};
  StagingHandler handler_{commits_};
  int syncs_asked_ = 0;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerCommitTest, ResponseToAChangeIsWrittenOnlyAfterItsCommit) {
  TestClient client = short_wait_client();
  client.send_raw(put_request("j1"));
  EXPECT_TRUE(no_response_yet(client)) << "the response went out before the change was committed";
  EXPECT_TRUE(has_staged());
  EXPECT_EQ(durable_jobs(), 0u);
  EXPECT_EQ(on_server([this] { return syncs_asked_; }), 1);

  ASSERT_TRUE(sync());
  const Response response = client.read_response();
  EXPECT_EQ(response.result_int(), 201);
  EXPECT_EQ(response.body(), "staged");
  EXPECT_TRUE(response.keep_alive());
  EXPECT_EQ(durable_jobs(), 1u);
}

TEST_F(HttpServerCommitTest, ReadWithNothingStagedIsAnsweredAtOnce) {
  TestClient client = short_wait_client();
  EXPECT_EQ(client.get("/read").body(), "read");
  EXPECT_EQ(on_server([this] { return syncs_asked_; }), 0);
}

TEST_F(HttpServerCommitTest, ReadWhileAnotherChangeIsStagedWaitsForThatCommit) {
  TestClient writer = short_wait_client();
  writer.send_raw(put_request("j1"));
  EXPECT_TRUE(no_response_yet(writer));
  // The read may show the staged change, so it must not go out before the change is durable.
  TestClient reader = short_wait_client();
  reader.send_raw("GET /read HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(no_response_yet(reader));

  ASSERT_TRUE(sync());
  EXPECT_EQ(reader.read_response().body(), "read");
  EXPECT_EQ(writer.read_response().result_int(), 201);
  EXPECT_EQ(on_server([this] { return durable_.commits(); }), 1);
}

TEST_F(HttpServerCommitTest, ChangesOfSeveralConnectionsShareOneCommit) {
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<TestClient>(server_->http_port(), "127.0.0.1", 300ms));
    clients.back()->send_raw(put_request(std::string("j").append(std::to_string(i))));
  }
  ASSERT_TRUE(eventually([this] { return on_server([this] { return commits_.batches_staged(); }) == 5u; }));
  ASSERT_TRUE(sync());
  for (auto& client : clients) EXPECT_EQ(client->read_response().result_int(), 201);
  EXPECT_EQ(on_server([this] { return durable_.commits(); }), 1);
  EXPECT_EQ(durable_jobs(), 5u);
}

TEST_F(HttpServerCommitTest, FailedCommitAnswers500ToEveryHeldResponse) {
  TestClient first = short_wait_client();
  TestClient second = short_wait_client();
  first.send_raw(put_request("j1"));
  second.send_raw(put_request("j2"));
  ASSERT_TRUE(eventually([this] { return on_server([this] { return commits_.batches_staged(); }) == 2u; }));
  on_server([this] { durable_.fail_next(); });
  EXPECT_FALSE(sync());
  for (TestClient* client : {&first, &second}) {
    const Response response = client->read_response();
    EXPECT_EQ(response.result_int(), 500);
    EXPECT_NE(response.body().find("could not save the change"), std::string::npos) << response.body();
    EXPECT_NE(response.body().find("disk full"), std::string::npos) << response.body();
    EXPECT_TRUE(response.keep_alive()) << "a failed commit is not the connection's fault";
  }
  EXPECT_EQ(durable_jobs(), 0u);
  // The connection and the store carry on.
  first.send_raw(put_request("j3"));
  EXPECT_TRUE(no_response_yet(first));
  ASSERT_TRUE(sync());
  EXPECT_EQ(first.read_response().result_int(), 201);
  EXPECT_EQ(durable_jobs(), 1u);
}

TEST_F(HttpServerCommitTest, StopLetsAHeldResponseFinishAfterTheCommit) {
  TestClient client = short_wait_client();
  client.send_raw(put_request("j1"));
  EXPECT_TRUE(no_response_yet(client));
  auto promise = std::make_shared<std::promise<void>>();
  auto stopped = promise->get_future();
  boost::asio::post(io_, [this, promise] { server_->stop([promise] { promise->set_value(); }); });
  EXPECT_EQ(stopped.wait_for(100ms), std::future_status::timeout) << "stop() cut a held response";

  ASSERT_TRUE(sync());
  const Response response = client.read_response();
  EXPECT_EQ(response.result_int(), 201);
  EXPECT_FALSE(response.keep_alive()) << "the server is stopping: the response says so";
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(durable_jobs(), 1u);
}

}  // namespace
}  // namespace emu::server
