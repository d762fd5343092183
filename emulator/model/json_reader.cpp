#include "emulator/model/json_reader.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

namespace emu::model {
namespace {

// What the client sent, for messages; long values are cut so errors stay readable.
std::string describe(const boost::json::value& value) {
  constexpr std::size_t kMaxShown = 80;
  std::string text = boost::json::serialize(value);
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text;
}

std::string describe_int_range(std::int32_t min, std::int32_t max) {
  const bool has_min = min != JsonReader::kInt32Min;
  const bool has_max = max != JsonReader::kInt32Max;
  if (has_min && has_max) return fmt::format("an integer between {} and {}", min, max);
  if (has_min) return fmt::format("an integer of at least {}", min);
  if (has_max) return fmt::format("an integer of at most {}", max);
  return "a 32-bit integer";
}

const boost::json::object& empty_object() {
  static const boost::json::object kEmpty;
  return kEmpty;
}

}  // namespace

core::Result<JsonReader> JsonReader::root(const boost::json::value& body) {
  if (!body.is_object()) {
    return core::Error::bad_request(
        std::string(kInvalidRequestContent),
        fmt::format("The request body must be a JSON object; got {}", describe(body)));
  }
  return JsonReader(body.get_object(), "");
}

JsonReader::JsonReader(const boost::json::object& object, std::string path)
    : JsonReader(&object, std::move(path), std::make_shared<std::optional<core::Error>>()) {}

JsonReader::JsonReader(const boost::json::object* object, std::string path,
                       std::shared_ptr<std::optional<core::Error>> error)
    : object_(object), path_(std::move(path)), error_(std::move(error)) {}

std::string JsonReader::path_of(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return fmt::format("{}.{}", path_, key);
}

const boost::json::value* JsonReader::find(std::string_view key) const {
  const boost::json::value* found = object_->if_contains(key);
  if (found == nullptr || found->is_null()) return nullptr;
  return found;
}

bool JsonReader::has(std::string_view key) const { return find(key) != nullptr; }

void JsonReader::fail(std::string_view code, std::string message, std::string target) {
  if (error_->has_value()) return;
  *error_ = core::Error::bad_request(std::string(code), std::move(message), std::move(target));
}

void JsonReader::fail_value(std::string_view key, std::string message) {
  fail(kInvalidPropertyValue, std::move(message), path_of(key));
}

void JsonReader::fail_missing(std::string_view key) {
  const std::string target = path_of(key);
  fail(kMissingRequiredProperty, fmt::format("The required property {} is missing", target), target);
}

void JsonReader::fail_enum(std::string_view key, std::string_view got, std::string_view allowed) {
  const std::string target = path_of(key);
  fail(kInvalidPropertyValue,
       fmt::format("The value of {} must be one of {}; got \"{}\"", target, allowed, got), target);
}

void JsonReader::fail_type(std::string_view key, std::string_view expected, const boost::json::value& got) {
  const std::string target = path_of(key);
  fail(kInvalidPropertyType,
       fmt::format("The value of {} must be {}; got {}", target, expected, describe(got)), target);
}

core::Result<void> JsonReader::status() const {
  if (error_->has_value()) return **error_;
  return {};
}

std::optional<std::string> JsonReader::optional_string(std::string_view key) {
  const boost::json::value* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    fail_type(key, "a string", *value);
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::string JsonReader::required_string(std::string_view key) {
  if (!has(key)) {
    fail_missing(key);
    return {};
  }
  return optional_string(key).value_or(std::string());
}

std::string JsonReader::required_non_empty_string(std::string_view key) {
  if (!has(key)) {
    fail_missing(key);
    return {};
  }
  std::optional<std::string> text = optional_string(key);
  if (text && text->empty()) fail_value(key, fmt::format("The value of {} must not be empty", path_of(key)));
  return text.value_or(std::string());
}

std::string JsonReader::string_or(std::string_view key, std::string_view fallback) {
  std::optional<std::string> text = optional_string(key);
  return text ? std::move(*text) : std::string(fallback);
}

std::optional<std::int32_t> JsonReader::read_int32(std::string_view key, std::int32_t min, std::int32_t max) {
  const boost::json::value* value = find(key);
  if (value == nullptr) return std::nullopt;
  const std::string expected = describe_int_range(min, max);
  auto out_of_range = [&] {
    fail_value(key,
               fmt::format("The value of {} must be {}; got {}", path_of(key), expected, describe(*value)));
    return std::nullopt;
  };
  std::int64_t number = 0;
  if (value->is_int64()) {
    number = value->get_int64();
  } else if (value->is_uint64()) {
    return out_of_range();  // above INT64_MAX, so above any int32 too
  } else if (value->is_double()) {
    // 2.0 is the integer 2 in JSON's number model; 2.5 is not an integer.
    const double d = value->get_double();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.0e15) return out_of_range();
    number = static_cast<std::int64_t>(d);
  } else {
    fail_type(key, expected, *value);
    return std::nullopt;
  }
  if (number < min || number > max) return out_of_range();
  return static_cast<std::int32_t>(number);
}

std::int32_t JsonReader::required_int32(std::string_view key, std::int32_t min, std::int32_t max) {
  if (!has(key)) {
    fail_missing(key);
    return min > 0 ? min : 0;
  }
  return read_int32(key, min, max).value_or(min > 0 ? min : 0);
}

std::optional<std::int32_t> JsonReader::optional_int32(std::string_view key, std::int32_t min,
                                                       std::int32_t max) {
  return read_int32(key, min, max);
}

std::int32_t JsonReader::int32_or(std::string_view key, std::int32_t fallback, std::int32_t min,
                                  std::int32_t max) {
  return read_int32(key, min, max).value_or(fallback);
}

std::optional<bool> JsonReader::optional_bool(std::string_view key) {
  const boost::json::value* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    fail_type(key, "a boolean", *value);
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<core::Duration> JsonReader::optional_duration(std::string_view key) {
  std::optional<std::string> text = optional_string(key);
  if (!text) return std::nullopt;
  std::optional<core::Duration> duration = core::parse_duration(*text);
  if (!duration) {
    fail_value(key,
               fmt::format("The value of {} must be a duration such as P7D, PT10M or 7.00:00:00; got \"{}\"",
                           path_of(key), *text));
  }
  return duration;
}

std::optional<JsonReader> JsonReader::optional_object(std::string_view key) {
  const boost::json::value* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    fail_type(key, "an object", *value);
    return std::nullopt;
  }
  return JsonReader(&value->get_object(), path_of(key), error_);
}

JsonReader JsonReader::required_object(std::string_view key) {
  if (!has(key)) fail_missing(key);
  std::optional<JsonReader> child = optional_object(key);
  if (child) return *child;
  return JsonReader(&empty_object(), path_of(key), error_);
}

std::vector<JsonReader> JsonReader::object_array(std::string_view key) {
  std::vector<JsonReader> out;
  const boost::json::value* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    fail_type(key, "an array", *value);
    return out;
  }
  const boost::json::array& items = value->get_array();
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = fmt::format("{}[{}]", path_of(key), i);
    if (!items[i].is_object()) {
      fail(kInvalidPropertyType,
           fmt::format("The value of {} must be an object; got {}", item_path, describe(items[i])),
           item_path);
      continue;
    }
    out.push_back(JsonReader(&items[i].get_object(), item_path, error_));
  }
  return out;
}

std::vector<std::string> JsonReader::string_array(std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* value = find(key);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    fail_type(key, "an array of strings", *value);
    return out;
  }
  const boost::json::array& items = value->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      const std::string item_path = fmt::format("{}[{}]", path_of(key), i);
      fail(kInvalidPropertyType,
           fmt::format("The value of {} must be a string; got {}", item_path, describe(items[i])), item_path);
      continue;
    }
    out.emplace_back(items[i].get_string());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> JsonReader::optional_string_map(std::string_view key) {
  const boost::json::value* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    fail_type(key, "an object of strings", *value);
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& member : value->get_object()) {
    const std::string member_path = fmt::format("{}.{}", path_of(key), std::string_view(member.key()));
    if (!member.value().is_string()) {
      fail(kInvalidPropertyType,
           fmt::format("The value of {} must be a string; got {}", member_path, describe(member.value())),
           member_path);
      continue;
    }
    out.emplace(std::string(member.key()), std::string(member.value().get_string()));
  }
  return out;
}

}  // namespace emu::model
