#include "emulator/model/workspace_codec.hpp"

#include <utility>

#include <fmt/format.h>

#include "emulator/model/json_reader.hpp"

namespace emu::model {
namespace {

// ARM's limits on tags.
constexpr std::size_t kMaxTags = 50;
constexpr std::size_t kMaxTagNameLength = 512;
constexpr std::size_t kMaxTagValueLength = 256;

std::optional<std::map<std::string, std::string>> read_tags(JsonReader& reader) {
  auto tags = reader.optional_string_map("tags");
  if (!tags || !reader.ok()) return tags;
  if (tags->size() > kMaxTags) {
    reader.fail_value(
        "tags", fmt::format("The value of tags may hold at most {} tags; got {}", kMaxTags, tags->size()));
  }
  for (const auto& [name, value] : *tags) {
    const std::string target = reader.path_of("tags") + "." + name;
    if (name.empty() || name.size() > kMaxTagNameLength) {
      reader.fail(
          kInvalidPropertyValue,
          fmt::format("Tag names must be 1 to {} characters long; got \"{}\"", kMaxTagNameLength, name),
          target);
    } else if (value.size() > kMaxTagValueLength) {
      reader.fail(
          kInvalidPropertyValue,
          fmt::format("The value of tag {} must be at most {} characters long", name, kMaxTagValueLength),
          target);
    }
  }
  return tags;
}

boost::json::object tags_to_json(const std::map<std::string, std::string>& tags) {
  boost::json::object out;
  for (const auto& [name, value] : tags) out[name] = value;
  return out;
}

}  // namespace

core::Result<WorkspaceCreateParameters> parse_workspace_create(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  WorkspaceCreateParameters out;
  out.location = root->required_non_empty_string("location");
  out.tags = read_tags(*root).value_or(std::map<std::string, std::string>{});
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<WorkspaceUpdateParameters> parse_workspace_update(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  WorkspaceUpdateParameters out;
  out.tags = read_tags(*root);
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<void> parse_experiment_create(const boost::json::value& /*body*/) { return {}; }

boost::json::object to_json(const WorkspaceCreateParameters& value, Visibility /*visibility*/) {
  return boost::json::object{{"location", value.location}, {"tags", tags_to_json(value.tags)}};
}

boost::json::object to_json(const WorkspaceUpdateParameters& value, Visibility /*visibility*/) {
  boost::json::object out;
  if (value.tags) out["tags"] = tags_to_json(*value.tags);
  return out;
}

}  // namespace emu::model
