// RequestTarget::parse splits plain targets itself; it must give exactly what Boost.URL gives
// (parse_with_url_library) for every target, plain or not.

#include "emulator/api/request_target.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace emu::api {
namespace {

void expect_same_as_url_library(const std::string& target) {
  SCOPED_TRACE("target: " + target);
  const auto fast = RequestTarget::parse(target);
  const auto reference = RequestTarget::parse_with_url_library(target);
  ASSERT_EQ(fast.ok(), reference.ok());
  if (!fast) {
    EXPECT_EQ(fast.error().code, reference.error().code);
    EXPECT_EQ(fast.error().message, reference.error().message);
    return;
  }
  EXPECT_EQ(fast->path, reference->path);
  EXPECT_EQ(fast->segments, reference->segments);
  EXPECT_EQ(fast->params, reference->params);
}

TEST(RequestTarget, ArmTargetsSplitIntoSegmentsAndParameters) {
  auto target = RequestTarget::parse(
      "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws?api-version=2018-05-01&"
      "maxresults=5&$skiptoken=a");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->segments,
            (std::vector<std::string>{"subscriptions", "s1", "resourceGroups", "rg", "providers",
                                      "Microsoft.BatchAI", "workspaces", "ws"}));
  EXPECT_EQ(target->query("API-VERSION"), "2018-05-01");
  EXPECT_EQ(target->query("maxresults"), "5");
  EXPECT_EQ(target->query("$skiptoken"), "a");
  EXPECT_FALSE(target->query("missing"));
}

TEST(RequestTarget, EdgeCasesAgreeWithTheUrlLibrary) {
  for (const char* target : {"/",
                             "//",
                             "/a//b/",
                             "/a/b/?",
                             "/?",
                             "/?&",
                             "/?&&",
                             "/?a",
                             "/?a=",
                             "/?=b",
                             "/?a=b=c",
                             "/a?b?c=d/e",
                             "/a?x=1&x=2",
                             "/a/./b/../c",
                             "/a:b@c!$'()*,;=",
                             "/a?b:@/?",
                             "/%41b?c%20d=e%3Df",
                             "/a?b+c=d+e",
                             "/a b",
                             "/a?b c",
                             "a/b",
                             "",
                             "/a#frag",
                             "/a?b#c",
                             "/a%zz",
                             "/a%",
                             "/\xc3\xa9",
                             "/a\r\nb",
                             "*",
                             "http://x/y"}) {
    expect_same_as_url_library(target);
  }
}

TEST(RequestTarget, RandomTargetsAgreeWithTheUrlLibrary) {
  // Mostly plain characters with many separators, and now and then one that is not plain.
  const std::string plain = "abAZ09-._~!$&'()*,;=:@/?";
  const std::string other = "%+ #\"<>[]\\^`{|}\x7f\x01\xc3";
  std::mt19937_64 rng(20180501);
  for (int i = 0; i < 20000; ++i) {
    std::string target = (rng() % 16 == 0) ? "" : "/";
    const std::size_t length = rng() % 24;
    for (std::size_t k = 0; k < length; ++k) {
      if (rng() % 40 == 0) {
        target += other[rng() % other.size()];
      } else {
        target += plain[rng() % plain.size()];
      }
    }
    expect_same_as_url_library(target);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace emu::api
