#include "emulator/model/resource_name.hpp"

#include <fmt/format.h>

namespace emu::model {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// ^[-\w<extra>]+$ over ASCII with a length limit. The spec's \w is .NET's, which also admits non-ASCII
// letters; names travel in URLs and file paths here, so ASCII is the safer subset.
bool matches(std::string_view text, std::string_view extra, std::size_t max_length) {
  if (text.empty() || text.size() > max_length) return false;
  for (char c : text) {
    if (!is_word_char(c) && c != '-' && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

core::Result<void> validate_resource_name(std::string_view name, std::string_view what) {
  if (matches(name, "", kMaxResourceNameLength)) return {};
  return core::Error::bad_request(
      "InvalidResourceName",
      fmt::format("The {} name '{}' is invalid: it must be 1 to {} characters long and contain only letters, "
                  "digits, '-' and '_'",
                  what, name, kMaxResourceNameLength),
      fmt::format("{}Name", what));
}

core::Result<void> validate_resource_group_name(std::string_view name) {
  if (matches(name, "._", kMaxResourceGroupNameLength)) return {};
  return core::Error::bad_request(
      "InvalidResourceGroupName",
      fmt::format("The resource group name '{}' is invalid: it must be 1 to {} characters long and contain "
                  "only letters, digits, '-', '_' and '.'",
                  name, kMaxResourceGroupNameLength),
      "resourceGroupName");
}

core::Result<void> validate_location(std::string_view location) {
  if (matches(location, "._", kMaxResourceGroupNameLength)) return {};
  return core::Error::bad_request(
      "InvalidLocation",
      fmt::format(
          "The location '{}' is invalid: it must be 1 to {} characters long and contain only letters, "
          "digits, '-', '_' and '.'",
          location, kMaxResourceGroupNameLength),
      "location");
}

std::string normalize_location(std::string_view location) {
  std::string out;
  out.reserve(location.size());
  for (char c : location) {
    if (c == ' ') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

}  // namespace emu::model
