#include "emulator/server/request_parser.hpp"

#include <gtest/gtest.h>
#include <boost/beast/http/error.hpp>

namespace emu::server {
namespace {

namespace http = boost::beast::http;

// Feeds `text` in one piece; returns the error (need_more when incomplete).
boost::beast::error_code parse(RequestParser& parser, std::string_view text) {
  boost::beast::error_code ec;
  parser.put(boost::asio::const_buffer(text.data(), text.size()), ec);
  return ec;
}

TEST(RequestParserTest, FillsTheRequest) {
  api::HttpRequest request;
  RequestParser parser(request, 8192, 1024);
  EXPECT_FALSE(
      parse(parser,
            "PUT /subscriptions/s?api-version=2018-05-01 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
            "x-ms-client-request-id: cid\r\nX-MS-Correlation-Request-Id: corr\r\n\r\nbody"));
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.target, "/subscriptions/s?api-version=2018-05-01");
  EXPECT_EQ(request.body, "body");
  ASSERT_EQ(request.headers.size(), 4u);
  EXPECT_EQ(request.header("content-length"), "4");
  EXPECT_EQ(parser.client_request_id(), "cid");
  EXPECT_EQ(parser.correlation_request_id(), "corr");
  EXPECT_EQ(parser.version(), 11);
  EXPECT_TRUE(parser.keep_alive());
}

TEST(RequestParserTest, ReusedRequestLosesTheOldMessage) {
  api::HttpRequest request;
  {
    RequestParser first(request, 8192, 1024);
    EXPECT_FALSE(parse(first, "POST /a HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 1\r\n\r\nx"));
  }
  RequestParser second(request, 8192, 1024);
  EXPECT_FALSE(parse(second, "GET /b HTTP/1.1\r\nD: 4\r\n\r\n"));
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/b");
  EXPECT_TRUE(request.body.empty());
  ASSERT_EQ(request.headers.size(), 1u);
  EXPECT_EQ(request.headers[0].first, "D");
  EXPECT_EQ(request.headers[0].second, "4");
  EXPECT_TRUE(second.client_request_id().empty());
}

TEST(RequestParserTest, HeadBecomesGet) {
  api::HttpRequest request;
  RequestParser parser(request, 8192, 1024);
  EXPECT_FALSE(parse(parser, "HEAD /x HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(request.method, "GET");
  EXPECT_TRUE(parser.is_head());
}

TEST(RequestParserTest, AbsoluteFormBecomesOriginForm) {
  for (const auto& [target, expected] : std::vector<std::pair<std::string, std::string>>{
           {"http://localhost:7080/emulator/v1/health?x=1", "/emulator/v1/health?x=1"},
           {"https://h/", "/"},
           {"http://h", "/"},
           {"http://h?q", "?q"}}) {
    api::HttpRequest request;
    RequestParser parser(request, 8192, 1024);
    EXPECT_FALSE(parse(parser, "GET " + target + " HTTP/1.1\r\n\r\n"));
    EXPECT_EQ(request.target, expected) << target;
  }
}

TEST(RequestParserTest, Limits) {
  api::HttpRequest request;
  RequestParser body(request, 8192, 3);
  EXPECT_EQ(parse(body, "PUT /x HTTP/1.1\r\nContent-Length: 4\r\n\r\n"), http::error::body_limit);
  RequestParser header(request, 64, 1024);
  EXPECT_EQ(parse(header, "GET /x HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n"),
            http::error::header_limit);
}

TEST(RequestParserTest, ExpectContinue) {
  api::HttpRequest request;
  RequestParser parser(request, 8192, 1024);
  EXPECT_EQ(parse(parser, "PUT /x HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n"),
            boost::beast::error_code());
  EXPECT_TRUE(parser.is_header_done());
  EXPECT_FALSE(parser.is_done());
  EXPECT_TRUE(parser.expects_continue());
}

}  // namespace
}  // namespace emu::server
