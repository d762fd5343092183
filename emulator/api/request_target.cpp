#include "emulator/api/request_target.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "emulator/api/http_message.hpp"

namespace emu::api {

core::Result<RequestTarget> RequestTarget::parse(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    return core::Error::bad_request("InvalidRequestUri", "The request target is not a valid URI path: " +
                                                             std::string(target.substr(0, 200)));
  }
  RequestTarget out;
  out.path = std::string(url->encoded_path());
  for (auto segment : url->segments()) {
    if (!segment.empty()) out.segments.emplace_back(segment);
  }
  for (auto param : url->params()) out.params.emplace_back(param.key, param.has_value ? param.value : "");
  return out;
}

std::optional<std::string_view> RequestTarget::query(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string encode_query_value(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace emu::api
