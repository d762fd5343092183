#pragma once
// JsonReader walks one JSON object of a request body and reads typed members, remembering the JSON
// path (properties.nodeSetup.setupTask.commandLine) for error targets. Unknown keys are ignored, null
// counts as absent. The first problem is recorded and shared by every reader derived from the same
// root; later reads return empty values, so parsers read straight through and check status() once.
//   auto root = JsonReader::root(body);  if (!root) return root.error();
//   JsonReader props = root->required_object("properties");
//   props.required_int32("nodeCount", 1);  ...;  if (auto s = props.status(); !s) return s.error();

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::model {

// CloudError codes the parsers use.
inline constexpr std::string_view kMissingRequiredProperty = "MissingRequiredProperty";
inline constexpr std::string_view kInvalidPropertyType = "InvalidPropertyType";
inline constexpr std::string_view kInvalidPropertyValue = "InvalidPropertyValue";
inline constexpr std::string_view kInvalidRequestContent = "InvalidRequestContent";

class JsonReader {
 public:
  static constexpr std::int32_t kInt32Min = std::numeric_limits<std::int32_t>::min();
  static constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();

  // A reader over a whole request body; the body must be a JSON object (else InvalidRequestContent).
  static core::Result<JsonReader> root(const boost::json::value& body);
  // A reader over `object`, whose own path is `path` ("" for a body, "properties" for its properties).
  JsonReader(const boost::json::object& object, std::string path);

  const std::string& path() const { return path_; }
  // "properties" + "nodeCount" -> "properties.nodeCount"; "" + "location" -> "location".
  std::string path_of(std::string_view key) const;
  // True when the key is present with a non-null value.
  bool has(std::string_view key) const;

  std::string required_string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::string string_or(std::string_view key, std::string_view fallback);
  // A required string that must not be empty either.
  std::string required_non_empty_string(std::string_view key);

  // JSON numbers only (no strings), integral, within [min, max] (else InvalidPropertyValue).
  std::int32_t required_int32(std::string_view key, std::int32_t min = kInt32Min,
                              std::int32_t max = kInt32Max);
  std::optional<std::int32_t> optional_int32(std::string_view key, std::int32_t min = kInt32Min,
                                             std::int32_t max = kInt32Max);
  std::int32_t int32_or(std::string_view key, std::int32_t fallback, std::int32_t min = kInt32Min,
                        std::int32_t max = kInt32Max);
  std::optional<bool> optional_bool(std::string_view key);

  // ISO 8601 (P7D) or .NET (7.00:00:00) duration text, see core::parse_duration.
  std::optional<core::Duration> optional_duration(std::string_view key);

  // An enum given as a string, parsed by `parse` (one of the parse_* functions of enums.hpp);
  // `allowed` lists the wire values for the message, e.g. "dedicated, lowpriority".
  template <typename E>
  std::optional<E> optional_enum(std::string_view key, std::optional<E> (*parse)(std::string_view),
                                 std::string_view allowed) {
    std::optional<std::string> text = optional_string(key);
    if (!text) return std::nullopt;
    std::optional<E> parsed = parse(*text);
    if (!parsed) fail_enum(key, *text, allowed);
    return parsed;
  }
  template <typename E>
  E enum_or(std::string_view key, std::optional<E> (*parse)(std::string_view), std::string_view allowed,
            E fallback) {
    return optional_enum(key, parse, allowed).value_or(fallback);
  }
  template <typename E>
  E required_enum(std::string_view key, std::optional<E> (*parse)(std::string_view), std::string_view allowed,
                  E placeholder) {
    if (!has(key)) fail_missing(key);
    return optional_enum(key, parse, allowed).value_or(placeholder);
  }

  // Nested objects. A missing required object is reported and read as an empty object, so the caller
  // can go on reading (every read then returns empty values).
  std::optional<JsonReader> optional_object(std::string_view key);
  JsonReader required_object(std::string_view key);
  // Arrays: absent or null gives an empty vector. Element paths are key[i].
  std::vector<JsonReader> object_array(std::string_view key);
  std::vector<std::string> string_array(std::string_view key);
  // An object whose members are all strings (ARM tags).
  std::optional<std::map<std::string, std::string>> optional_string_map(std::string_view key);

  // Records a problem unless one is already recorded. `target` is a full JSON path.
  void fail(std::string_view code, std::string message, std::string target);
  // InvalidPropertyValue at path_of(key).
  void fail_value(std::string_view key, std::string message);
  void fail_missing(std::string_view key);
  void fail_enum(std::string_view key, std::string_view got, std::string_view allowed);

  bool ok() const { return !error_->has_value(); }
  // The first recorded problem, or success.
  core::Result<void> status() const;

 private:
  JsonReader(const boost::json::object* object, std::string path,
             std::shared_ptr<std::optional<core::Error>> error);
  // The member or nullptr when absent or null.
  const boost::json::value* find(std::string_view key) const;
  void fail_type(std::string_view key, std::string_view expected, const boost::json::value& got);
  std::optional<std::int32_t> read_int32(std::string_view key, std::int32_t min, std::int32_t max);

  const boost::json::object* object_;
  std::string path_;
  std::shared_ptr<std::optional<core::Error>> error_;
};

}  // namespace emu::model
