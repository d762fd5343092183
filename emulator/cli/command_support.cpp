#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>

#include "emulator/cli/command_context.hpp"

namespace emu::cli {

namespace json = boost::json;

json::object& object_at(json::object& parent, std::string_view key) {
  json::value& slot = parent[key];
  if (!slot.is_object()) slot = json::object{};
  return slot.get_object();
}

json::array& array_at(json::object& parent, std::string_view key) {
  json::value& slot = parent[key];
  if (!slot.is_array()) slot = json::array{};
  return slot.get_array();
}

core::Error usage_error(std::string message, std::string_view flag) {
  return core::Error::bad_request("InvalidArgument", std::move(message), std::string(flag));
}

core::Result<json::object> load_properties(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return usage_error("cannot read the config file '" + file + "'", "--config-file");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::parse_options options;
  options.allow_comments = true;
  options.allow_trailing_commas = true;
  auto value = json::parse(text.str(), ec, {}, options);
  if (ec)
    return usage_error("the config file '" + file + "' is not valid JSON: " + ec.message(), "--config-file");
  if (!value.is_object()) {
    return usage_error("the config file '" + file + "' must hold an object like {\"properties\": {...}}",
                       "--config-file");
  }
  auto& object = value.get_object();
  if (auto* properties = object.if_contains("properties")) {
    if (!properties->is_object()) {
      return usage_error("\"properties\" in the config file '" + file + "' must be an object",
                         "--config-file");
    }
    return properties->get_object();
  }
  return object;
}

}  // namespace emu::cli
