#include "emulator/server/http_server.hpp"
#include "emulator/server/temporary_directory.hpp"
#include "emulator/server/tls_material.hpp"
#include "tests/server/test_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace emu::server {
namespace {

using namespace std::chrono_literals;
using test::Response;
using test::TestClient;
namespace http = boost::beast::http;

class TestHandler final : public api::RequestHandler {
 public:
  api::HttpResponse handle(const api::HttpRequest& request) override {
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    api::HttpResponse response;
    const std::string_view target = request.target;
    if (target == "/echo" || target.starts_with("/echo?")) {
      response.body = request.method + " " + request.target + "\n" + request.body;
      response.set_header("X-Scheme", request.scheme);
      response.set_header("X-Remote", request.remote);
    } else if (target == "/reason") {
      response.status = 404;
      response.reason = "The specified job j1 is not found";
      response.body = "{}";
    } else if (target == "/big") {
      response.body.assign(200'000, 'x');
    } else if (target == "/throw") {
      throw std::runtime_error("handler bug");
    } else if (target == "/own-id") {
      response.set_header("x-ms-request-id", "handler-id");
    } else if (target == "/evil-header") {
      response.set_header("X-Evil", "a\r\nInjected: yes");
      response.reason = "Bad\r\nReason";
    } else if (target == "/no-content") {
      response.status = 204;
      response.body = "dropped";
    } else if (target == "/framing") {
      response.set_header("Content-Length", "999");
      response.set_header("Connection", "close");
      response.body = "four";
    } else {
      response.body = "ok";
    }
    return response;
  }

  std::vector<api::HttpRequest> requests() {
    const std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::vector<api::HttpRequest> requests_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = TemporaryDirectory::create("http-server-test");
    ASSERT_TRUE(dir) << dir.error().message;
    tls_dir_ = new TemporaryDirectory(std::move(*dir));
    auto tls = TlsMaterial::ensure(tls_dir_->path(), "127.0.0.1");
    ASSERT_TRUE(tls) << tls.error().message;
    tls_ = new TlsMaterial(*tls);
  }
  static void TearDownTestSuite() {
    delete tls_;
    delete tls_dir_;
  }

  static HttpServerSettings default_settings() {
    HttpServerSettings settings;
    settings.https_port = 0;
    settings.http_port = 0;
    settings.cert_file = tls_->cert_file();
    settings.key_file = tls_->key_file();
    return settings;
  }

  void start(HttpServerSettings settings = default_settings()) {
    server_ = std::make_unique<HttpServer>(io_, handler_, std::move(settings));
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { io_.run(); });
  }

  // Runs `work` on the server thread and waits for it.
  template <typename Work>
  auto on_server(Work work) {
    std::packaged_task<decltype(work())()> task(std::move(work));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
    return result.get();
  }

  // stop() and wait for its callback; false if it did not come within `limit`.
  bool stop_server(std::chrono::milliseconds limit = 5000ms) {
    auto promise = std::make_shared<std::promise<void>>();
    auto stopped = promise->get_future();
    boost::asio::post(io_, [this, promise] { server_->stop([promise] { promise->set_value(); }); });
    return stopped.wait_for(limit) == std::future_status::ready;
  }

  void TearDown() override {
    if (server_ && thread_.joinable()) {
      const bool stopped = stop_server();
      EXPECT_TRUE(stopped) << "stop() did not finish";
      work_.reset();
      io_.stop();
    }
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  std::size_t connection_count() {
    return on_server([this] { return server_->connection_count(); });
  }

  // Polls until `condition` holds or `limit` passes.
  template <typename Condition>
  static bool eventually(Condition condition, std::chrono::milliseconds limit = 3000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  static inline TemporaryDirectory* tls_dir_ = nullptr;
  static inline TlsMaterial* tls_ = nullptr;
  boost::asio::io_context io_{1};
  // Like the engine's timers in `serve`, keeps run() going after the server has stopped.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  TestHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, BindsFreePortsWhenAskedForPortZero) {
  start();
  EXPECT_NE(server_->https_port(), 0);
  EXPECT_NE(server_->http_port(), 0);
  EXPECT_NE(server_->https_port(), server_->http_port());
}

TEST_F(HttpServerTest, PlainGetReachesHandlerWithSchemeRemoteAndRequestIds) {
  start();
  TestClient client(server_->http_port());
  const Response response = client.get("/echo?api-version=2018-05-01");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "GET /echo?api-version=2018-05-01\n");
  EXPECT_EQ(response["X-Scheme"], "http");
  EXPECT_TRUE(response["X-Remote"].starts_with("127.0.0.1:"));
  EXPECT_EQ(response[http::field::content_length], "33");
  EXPECT_EQ(response["x-ms-request-id"].size(), 36u);
  EXPECT_EQ(response["x-ms-correlation-request-id"].size(), 36u);
  EXPECT_NE(response["x-ms-request-id"], response["x-ms-correlation-request-id"]);
  EXPECT_TRUE(response.keep_alive());
}

TEST_F(HttpServerTest, HttpsVerifiesAgainstGeneratedCaForLocalhostAndLoopbackAddress) {
  start();
  for (const std::string name : {"localhost", "127.0.0.1"}) {
    TestClient client(server_->https_port(), tls_->ca_file(), name);
    const Response response = client.get("/echo");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response["X-Scheme"], "https");
    const Response again = client.request(http::verb::post, "/echo", "over tls");
    EXPECT_EQ(again.body(), "POST /echo\nover tls");
  }
}

TEST_F(HttpServerTest, HttpsFailsVerificationForANameNotInTheCertificate) {
  start();
  EXPECT_THROW(TestClient(server_->https_port(), tls_->ca_file(), "example.com"),
               boost::system::system_error);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  TestClient client(server_->http_port());
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    const Response response = client.request(http::verb::put, "/echo", "body " + std::to_string(i));
    ASSERT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "PUT /echo\nbody " + std::to_string(i));
    if (i == 0) remote = std::string(response["X-Remote"]);
    EXPECT_EQ(response["X-Remote"], remote) << "a new connection was used";
  }
  EXPECT_EQ(connection_count(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  TestClient client(server_->http_port());
  client.send_raw(
      "GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo?2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /echo?3 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_response().body(), "GET /echo?1\n");
  EXPECT_EQ(client.read_response().body(), "POST /echo?2\nabc");
  EXPECT_EQ(client.read_response().body(), "GET /echo?3\n");
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsDecoded) {
  start();
  TestClient client(server_->http_port());
  client.send_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(client.read_response().body(), "POST /echo\nabcde");
}

TEST_F(HttpServerTest, BodyOverLimitGets413ThenServerKeepsServing) {
  HttpServerSettings settings = default_settings();
  settings.max_body_bytes = 1024;
  start(settings);
  {
    TestClient client(server_->http_port());
    const Response response = client.request(http::verb::put, "/echo", std::string(4096, 'b'));
    EXPECT_EQ(response.result_int(), 413);
    EXPECT_NE(response.body().find("\"code\":\"RequestEntityTooLarge\""), std::string::npos)
        << response.body();
    EXPECT_NE(response.body().find("1024"), std::string::npos) << response.body();
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
  }
  {  // chunked bodies have no Content-Length to check up front; the limit still holds
    TestClient client(server_->http_port());
    client.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                    std::string(0x800, 'c') + "\r\n0\r\n\r\n");
    EXPECT_EQ(client.read_response().result_int(), 413);
  }
  TestClient client(server_->http_port());
  EXPECT_EQ(client.request(http::verb::put, "/echo", std::string(1024, 'b')).result_int(), 200);
  EXPECT_EQ(handler_.requests().size(), 1u) << "oversized requests must not reach the handler";
}

TEST_F(HttpServerTest, HttpsBodyOverLimitGets413) {
  HttpServerSettings settings = default_settings();
  settings.max_body_bytes = 1024;
  start(settings);
  TestClient client(server_->https_port(), tls_->ca_file(), "localhost");
  EXPECT_EQ(client.request(http::verb::put, "/echo", std::string(100'000, 'b')).result_int(), 413);
}

TEST_F(HttpServerTest, MalformedRequestLineGets400AndClose) {
  start();
  for (const std::string request : {"GARBAGE\r\n\r\n", "GET /x HTTP/9.x\r\nHost: x\r\n\r\n", "GET\r\n\r\n",
                                    "GET /x HTTP/1.1\r\nBad Header Name: v\r\n\r\n"}) {
    TestClient client(server_->http_port());
    client.send_raw(request);
    const Response response = client.read_response();
    EXPECT_EQ(response.result_int(), 400) << request;
    EXPECT_NE(response.body().find("\"code\":\"InvalidHttpRequest\""), std::string::npos) << response.body();
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
  }
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpServerTest, HeadersOverLimitGet400RequestHeaderFieldsTooLarge) {
  HttpServerSettings settings = default_settings();
  settings.max_header_bytes = 2048;
  start(settings);
  TestClient client(server_->http_port());
  client.send_raw("GET /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(4096, 't') +
                  "\r\n\r\n");
  const Response response = client.read_response();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_NE(response.body().find("\"code\":\"RequestHeaderFieldsTooLarge\""), std::string::npos)
      << response.body();
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  HttpServerSettings settings = default_settings();
  settings.idle_timeout = 200ms;
  start(settings);
  TestClient client(server_->http_port());
  EXPECT_EQ(client.get("/echo").result_int(), 200);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_GE(std::chrono::steady_clock::now() - before, 150ms);
  EXPECT_TRUE(eventually([&] { return connection_count() == 0; }));

  TestClient silent(server_->http_port());  // never sends a byte
  EXPECT_TRUE(silent.closed_by_server());
}

TEST_F(HttpServerTest, HalfSentRequestIsClosedAfterRequestTimeout) {
  HttpServerSettings settings = default_settings();
  settings.request_timeout = 200ms;
  start(settings);
  TestClient client(server_->http_port());
  client.send_raw("GET /echo HTTP/1.1\r\nHost: x\r\n");  // the blank line never comes
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpServerTest, CustomReasonPhraseReachesTheClient) {
  start();
  TestClient client(server_->http_port());
  const Response response = client.get("/reason");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(response.reason(), "The specified job j1 is not found");
  EXPECT_EQ(client.get("/echo").reason(), "OK");
}

TEST_F(HttpServerTest, HeadGetsTheGetHeadersWithoutBody) {
  start();
  TestClient client(server_->http_port());
  const Response response = client.request(http::verb::head, "/big");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[http::field::content_length], "200000");
  EXPECT_TRUE(response.body().empty());
  ASSERT_EQ(handler_.requests().size(), 1u);
  EXPECT_EQ(handler_.requests()[0].method, "GET");
  // The connection is still in step: no stray body bytes arrive before the next response.
  EXPECT_EQ(client.get("/echo").body(), "GET /echo\n");
}

TEST_F(HttpServerTest, LargeResponseBodyArrivesWhole) {
  start();
  TestClient plain(server_->http_port());
  EXPECT_EQ(plain.get("/big").body(), std::string(200'000, 'x'));
  TestClient tls(server_->https_port(), tls_->ca_file(), "localhost");
  EXPECT_EQ(tls.get("/big").body(), std::string(200'000, 'x'));
  EXPECT_EQ(tls.get("/echo").result_int(), 200);
}

TEST_F(HttpServerTest, ClientRequestIdsAreEchoedAndHandlerIdsKept) {
  start();
  TestClient client(server_->http_port());
  const Response response = client.request(
      http::verb::get, "/echo", {},
      {{"x-ms-client-request-id", "client-1"}, {"X-MS-Correlation-Request-Id", "correlation-1"}});
  EXPECT_EQ(response["x-ms-request-id"], "client-1");
  EXPECT_EQ(response["x-ms-client-request-id"], "client-1");
  EXPECT_EQ(response["x-ms-correlation-request-id"], "correlation-1");
  const Response own = client.get("/own-id");
  EXPECT_EQ(own["x-ms-request-id"], "handler-id");
  EXPECT_EQ(own.count("x-ms-request-id"), 1u);
}

TEST_F(HttpServerTest, ResponseHeadersCannotBeInjectedAndFramingIsTheServers) {
  start();
  TestClient client(server_->http_port());
  const Response evil = client.get("/evil-header");
  EXPECT_EQ(evil.count("Injected"), 0u);
  EXPECT_EQ(evil["X-Evil"], "a  Injected: yes");
  EXPECT_EQ(evil.reason(), "Bad  Reason");
  const Response framing = client.get("/framing");
  EXPECT_EQ(framing.body(), "four");
  EXPECT_TRUE(framing.keep_alive());
  const Response no_content = client.get("/no-content");
  EXPECT_EQ(no_content.result_int(), 204);
  EXPECT_TRUE(no_content.body().empty());
  EXPECT_EQ(client.get("/echo").body(), "GET /echo\n");
}

TEST_F(HttpServerTest, HandlerExceptionGets500AndServerKeepsServing) {
  start();
  TestClient client(server_->http_port());
  const Response response = client.get("/throw");
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_NE(response.body().find("InternalServerError"), std::string::npos);
  EXPECT_EQ(client.get("/echo").result_int(), 200);
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
  start();
  TestClient client(server_->http_port());
  client.send_raw("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const Response interim = client.read_response();
  EXPECT_EQ(interim.result_int(), 100);
  client.send_raw("hello");
  EXPECT_EQ(client.read_response().body(), "PUT /echo\nhello");
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  start();
  {
    TestClient client(server_->http_port());
    client.send_raw("GET /echo HTTP/1.0\r\n\r\n");
    const Response response = client.read_response();
    EXPECT_EQ(response.version(), 10);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
  }
  TestClient client(server_->http_port());
  client.send_raw("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_TRUE(client.read_response().keep_alive());
  client.send_raw("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(client.read_response().result_int(), 200);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitGet503AndClose) {
  HttpServerSettings settings = default_settings();
  settings.max_connections = 2;
  start(settings);
  auto first = std::make_unique<TestClient>(server_->http_port());
  TestClient second(server_->http_port());
  EXPECT_EQ(first->get("/echo").result_int(), 200);
  EXPECT_EQ(second.get("/echo").result_int(), 200);
  {
    TestClient third(server_->http_port());
    const Response response = third.get("/echo");
    EXPECT_EQ(response.result_int(), 503);
    EXPECT_NE(response.body().find("\"code\":\"ServerBusy\""), std::string::npos) << response.body();
    EXPECT_EQ(response["Retry-After"], "1");
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(third.closed_by_server());
  }
  first.reset();
  ASSERT_TRUE(eventually([&] { return connection_count() == 1; }));
  TestClient fourth(server_->http_port());
  EXPECT_EQ(fourth.get("/echo").result_int(), 200);
  EXPECT_EQ(second.get("/echo").result_int(), 200);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndStopsAccepting) {
  start();
  TestClient idle(server_->http_port());
  EXPECT_EQ(idle.get("/echo").result_int(), 200);
  const auto port = server_->http_port();
  ASSERT_TRUE(stop_server());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_THROW(TestClient{port}, boost::system::system_error);
}

TEST_F(HttpServerTest, StopLetsARequestInProgressFinishWithConnectionClose) {
  HttpServerSettings settings = default_settings();
  settings.linger_timeout = 200ms;  // the client keeps its end open; don't wait long for it
  start(settings);
  TestClient client(server_->http_port());
  client.send_raw("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
  ASSERT_TRUE(eventually([&] { return connection_count() == 1; }));
  auto promise = std::make_shared<std::promise<void>>();
  auto stopped = promise->get_future();
  boost::asio::post(io_, [this, promise] { server_->stop([promise] { promise->set_value(); }); });
  EXPECT_EQ(stopped.wait_for(100ms), std::future_status::timeout)
      << "stop() must wait for the request in progress";
  client.send_raw("cd");
  const Response response = client.read_response();
  EXPECT_EQ(response.body(), "PUT /echo\nabcd");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
}

TEST_F(HttpServerTest, StopCutsStalledConnectionsAtTheDeadline) {
  HttpServerSettings settings = default_settings();
  settings.stop_deadline = 200ms;
  start(settings);
  TestClient client(server_->http_port());
  client.send_raw("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
  ASSERT_TRUE(eventually([&] { return connection_count() == 1; }));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(stop_server(3000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - before, 150ms);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ListensOnIpv6Loopback) {
  {
    boost::system::error_code ec;
    boost::asio::ip::tcp::acceptor probe(io_);
    probe.open(boost::asio::ip::tcp::v6(), ec);
    if (!ec) probe.bind({boost::asio::ip::make_address("::1"), 0}, ec);
    if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  }
  HttpServerSettings settings = default_settings();
  settings.host = "::1";
  start(settings);
  TestClient client(server_->http_port(), "::1");
  const Response response = client.get("/echo");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_TRUE(response["X-Remote"].starts_with("[::1]:")) << response["X-Remote"];
}

TEST_F(HttpServerTest, HostNameIsResolved) {
  HttpServerSettings settings = default_settings();
  settings.host = "localhost";
  start(settings);
  TestClient client(server_->http_port());
  EXPECT_EQ(client.get("/echo").result_int(), 200);
}

TEST_F(HttpServerTest, UnknownHostIsAClearError) {
  HttpServerSettings settings = default_settings();
  settings.host = "no-such-host.invalid";
  HttpServer server(io_, handler_, settings);
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "HostNotFound");
  EXPECT_NE(started.error().message.find("no-such-host.invalid"), std::string::npos)
      << started.error().message;
}

TEST_F(HttpServerTest, StartFailsWithAClearErrorWhenThePortIsTaken) {
  start();
  HttpServerSettings settings = default_settings();
  settings.https_port.reset();
  settings.http_port = server_->http_port();
  boost::asio::io_context other_io;
  HttpServer other(other_io, handler_, settings);
  auto started = other.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "ListenFailed");
  EXPECT_NE(started.error().message.find(std::to_string(server_->http_port())), std::string::npos);
  EXPECT_NE(started.error().message.find("--http-port"), std::string::npos) << started.error().message;
}

TEST_F(HttpServerTest, StartFailsNamingAnUnreadableCertificate) {
  HttpServerSettings settings = default_settings();
  settings.cert_file = tls_dir_->path() / "missing.pem";
  boost::asio::io_context other_io;
  HttpServer other(other_io, handler_, settings);
  auto started = other.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "TlsMaterialError");
  EXPECT_NE(started.error().message.find("missing.pem"), std::string::npos) << started.error().message;
}

}  // namespace
}  // namespace emu::server
