#include "emulator/dashboard/dashboard_assets.hpp"

#include <string>

#include <gtest/gtest.h>

#include "emulator/dashboard/dashboard_handler.hpp"

namespace emu::dashboard {
namespace {

api::HttpRequest request(std::string method, std::string target) {
  api::HttpRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  return req;
}

api::HttpRequest get(std::string target) { return request("GET", std::move(target)); }

TEST(DashboardAssets, RootServesThePage) {
  DashboardAssets assets;
  auto response = assets.serve(get("/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response->header("Cache-Control"), "no-cache");
  EXPECT_FALSE(response->header("ETag").empty());
  EXPECT_NE(response->header("Content-Security-Policy").find("default-src 'self'"), std::string_view::npos);
  EXPECT_NE(response->body.find("<script src=\"/dashboard/dashboard.js\""), std::string::npos);
}

TEST(DashboardAssets, DashboardPathsServeThePageAndItsFiles) {
  DashboardAssets assets;
  for (const char* target :
       {"/dashboard", "/dashboard/", "/dashboard/index.html", "/dashboard/?subscription=x"}) {
    auto response = assets.serve(get(target));
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 200) << target;
    EXPECT_EQ(response->header("Content-Type"), "text/html; charset=utf-8") << target;
  }
  auto js = assets.serve(get("/dashboard/dashboard.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js->body.find("api-version"), std::string::npos);
  auto css = assets.serve(get("/dashboard/dashboard.css?v=2"));
  ASSERT_TRUE(css);
  EXPECT_EQ(css->header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(css->header("X-Content-Type-Options"), "nosniff");
}

TEST(DashboardAssets, EveryFileIsEmbeddedWhole) {
  DashboardAssets assets;
  const auto names = assets.file_names();
  ASSERT_EQ(names.size(), 3u);
  for (const auto& name : names) {
    auto response = assets.serve(get("/dashboard/" + name));
    ASSERT_TRUE(response) << name;
    EXPECT_GT(response->body.size(), 500u) << name;
    EXPECT_EQ(response->body.find('\0'), std::string::npos) << name;
  }
  EXPECT_NE(assets.serve(get("/"))->body.find("</html>"), std::string::npos);
}

TEST(DashboardAssets, MatchingETagGives304WithoutBody) {
  DashboardAssets assets;
  auto first = assets.serve(get("/dashboard/dashboard.js"));
  ASSERT_TRUE(first);
  auto again = get("/dashboard/dashboard.js");
  again.headers.emplace_back("if-none-match", std::string(first->header("ETag")));
  auto second = assets.serve(again);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  EXPECT_EQ(second->header("ETag"), first->header("ETag"));

  auto stale = get("/dashboard/dashboard.js");
  stale.headers.emplace_back("If-None-Match", "\"0000\"");
  EXPECT_EQ(assets.serve(stale)->status, 200);
}

TEST(DashboardAssets, UnknownFilesAndWrongMethodsUnderDashboardAreErrors) {
  DashboardAssets assets;
  auto missing = assets.serve(get("/dashboard/nope.js"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("nope.js"), std::string::npos);
  EXPECT_EQ(missing->header("Content-Type"), "application/json; charset=utf-8");

  auto traversal = assets.serve(get("/dashboard/../etc/passwd"));
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 404);

  auto post = assets.serve(request("POST", "/dashboard/dashboard.js"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->header("Allow"), "GET, HEAD");
}

TEST(DashboardAssets, OtherPathsAreLeftToTheRouter) {
  DashboardAssets assets;
  EXPECT_FALSE(assets.serve(get("/emulator/v1/health")));
  EXPECT_FALSE(assets.serve(get("/subscriptions/s/providers/Microsoft.BatchAI/workspaces")));
  EXPECT_FALSE(assets.serve(get("/dashboards")));
  EXPECT_FALSE(assets.serve(get("/metrics")));
  EXPECT_FALSE(assets.serve(request("PUT", "/")));
}

class EchoHandler final : public api::RequestHandler {
 public:
  api::HttpResponse handle(const api::HttpRequest& request) override {
    api::HttpResponse response;
    response.status = 299;
    response.body = request.target;
    return response;
  }
};

TEST(DashboardHandler, ServesTheDashboardAndPassesTheRestOn) {
  EchoHandler next;
  DashboardHandler handler(next);
  EXPECT_EQ(handler.handle(get("/")).status, 200);
  auto passed = handler.handle(get("/emulator/v1/clock"));
  EXPECT_EQ(passed.status, 299);
  EXPECT_EQ(passed.body, "/emulator/v1/clock");
}

}  // namespace
}  // namespace emu::dashboard
