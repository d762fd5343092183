#include "emulator/server/response_head.hpp"
#include "emulator/server/request_id_generator.hpp"

#include <gtest/gtest.h>

namespace emu::server {
namespace {

std::string head_of(const api::HttpResponse& response, ResponseFraming framing = {}) {
  RequestIdGenerator ids;
  std::string out;
  append_response_head(out, response, framing, ids);
  return out;
}

ResponseFraming framing(int version, bool keep_alive, bool head_request = false) {
  ResponseFraming result;
  result.version = version;
  result.keep_alive = keep_alive;
  result.head_request = head_request;
  return result;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(ResponseHeadTest, StatusLineHeadersAndLength) {
  api::HttpResponse response;
  response.status = 202;
  response.set_header("Location", "https://localhost/op");
  response.body = "12345";
  const std::string head = head_of(response);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 202 Accepted\r\n")) << head;
  EXPECT_TRUE(contains(head, "\r\nLocation: https://localhost/op\r\n")) << head;
  EXPECT_TRUE(contains(head, "\r\nContent-Length: 5\r\n")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
  EXPECT_FALSE(contains(head, "Connection:")) << "HTTP/1.1 keep-alive is the default";
}

TEST(ResponseHeadTest, ReasonOverridesAndIsSanitised) {
  api::HttpResponse response;
  response.status = 404;
  response.reason = "The specified job j1 is not found";
  EXPECT_TRUE(head_of(response).starts_with("HTTP/1.1 404 The specified job j1 is not found\r\n"));
  response.reason = "two\r\nlines";
  EXPECT_TRUE(head_of(response).starts_with("HTTP/1.1 404 two  lines\r\n"));
}

TEST(ResponseHeadTest, InvalidStatusBecomes500) {
  api::HttpResponse response;
  response.status = 42;
  response.reason = "whatever";
  EXPECT_TRUE(head_of(response).starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  response.status = 101;
  EXPECT_TRUE(head_of(response).starts_with("HTTP/1.1 500 "));
}

TEST(ResponseHeadTest, RequestIdsAreFreshUuidsUnlessGiven) {
  api::HttpResponse response;
  const std::string a = head_of(response);
  const std::string b = head_of(response);
  const auto id_of = [](const std::string& head, std::string_view name) {
    const auto start = head.find(name);
    if (start == std::string::npos) return std::string();
    const auto value = start + name.size() + 2;
    return head.substr(value, head.find("\r\n", value) - value);
  };
  const std::string id = id_of(a, "x-ms-request-id");
  ASSERT_EQ(id.size(), 36u) << a;
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[14], '4') << "version 4";
  EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos) << "RFC 4122 variant";
  EXPECT_NE(id, id_of(b, "x-ms-request-id"));
  EXPECT_EQ(id_of(a, "x-ms-correlation-request-id").size(), 36u);
  EXPECT_FALSE(contains(a, "x-ms-client-request-id"));

  const std::string echoed = head_of(response, [] {
    ResponseFraming ids;
    ids.client_request_id = "client-id";
    ids.correlation_request_id = "corr-id";
    return ids;
  }());
  EXPECT_EQ(id_of(echoed, "x-ms-request-id"), "client-id");
  EXPECT_EQ(id_of(echoed, "x-ms-client-request-id"), "client-id");
  EXPECT_EQ(id_of(echoed, "x-ms-correlation-request-id"), "corr-id");

  response.set_header("X-MS-Request-Id", "mine");
  const std::string own = head_of(response);
  EXPECT_TRUE(contains(own, "X-MS-Request-Id: mine\r\n"));
  EXPECT_FALSE(contains(own, "x-ms-request-id"));
}

TEST(ResponseHeadTest, ServerOwnsFramingHeaders) {
  api::HttpResponse response;
  response.body = "abc";
  response.set_header("Content-Length", "99");
  response.set_header("Transfer-Encoding", "chunked");
  response.set_header("Connection", "upgrade");
  response.set_header("Bad Name", "x");
  response.set_header("X-Value", "a\nb\x7f");
  const std::string head = head_of(response, framing(11, false));
  EXPECT_FALSE(contains(head, "Content-Length: 99"));
  EXPECT_FALSE(contains(head, "chunked"));
  EXPECT_FALSE(contains(head, "upgrade"));
  EXPECT_FALSE(contains(head, "Bad Name"));
  EXPECT_TRUE(contains(head, "X-Value: a b \r\n")) << head;
  EXPECT_TRUE(contains(head, "Content-Length: 3\r\n"));
  EXPECT_TRUE(contains(head, "Connection: close\r\n"));
}

TEST(ResponseHeadTest, BodilessResponses) {
  api::HttpResponse response;
  response.body = "abc";
  RequestIdGenerator ids;
  std::string out;
  EXPECT_TRUE(append_response_head(out, response, {}, ids));
  out.clear();
  EXPECT_FALSE(append_response_head(out, response, framing(11, true, true), ids));
  EXPECT_TRUE(contains(out, "Content-Length: 3\r\n")) << "HEAD gets the GET length";
  response.status = 204;
  out.clear();
  EXPECT_FALSE(append_response_head(out, response, {}, ids));
  EXPECT_FALSE(contains(out, "Content-Length"));
}

TEST(ResponseHeadTest, Http10) {
  api::HttpResponse response;
  EXPECT_TRUE(head_of(response, framing(10, true)).starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_TRUE(contains(head_of(response, framing(10, true)), "Connection: keep-alive\r\n"));
  EXPECT_TRUE(contains(head_of(response, framing(10, false)), "Connection: close\r\n"));
}

}  // namespace
}  // namespace emu::server
