#pragma once
// RequestTarget: the path segments (percent-decoded) and query parameters of a request target,
// parsed once (as Boost.URL does) so that routing and handlers never re-parse strings.
//   auto t = RequestTarget::parse("/subscriptions/s/providers/Microsoft.BatchAI/operations?api-version=x");
//   t->segments[0] == "subscriptions";  t->query("api-version") == "x";

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"

namespace emu::api {

struct RequestTarget {
  std::string path;  // as sent, without the query
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> params;

  // Targets of plain characters (as ARM's are) are split directly; any other goes through Boost.URL.
  // Both give the same result for the same target.
  static core::Result<RequestTarget> parse(std::string_view target);
  // Always through Boost.URL: what parse() must agree with.
  static core::Result<RequestTarget> parse_with_url_library(std::string_view target);
  // First value of a query parameter; names compare case-insensitively, as ARM does.
  std::optional<std::string_view> query(std::string_view name) const;
};

// Percent-encodes a query parameter value.
std::string encode_query_value(std::string_view value);

}  // namespace emu::api
