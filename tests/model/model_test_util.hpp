#pragma once
// Helpers shared by the model tests: JSON from text, the {"properties": ...} wrapper, and checks of
// errors and round trips that print the JSON involved when they fail.
//   auto body = json_of(R"({"properties": {"vmSize": "STANDARD_D1"}})");
//   expect_error(parse_cluster_create(body), "MissingRequiredProperty", "properties.userAccountSettings");

#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/visibility.hpp"

namespace emu::model::testing {

inline boost::json::value json_of(std::string_view text) { return boost::json::parse(text); }

inline boost::json::value wrap(boost::json::object properties) {
  return boost::json::object{{"properties", std::move(properties)}};
}

// Checks that `result` failed with `code` at `target`; returns the message for further checks.
template <typename T>
std::string expect_error(const core::Result<T>& result, std::string_view code, std::string_view target) {
  if (result.ok()) {
    ADD_FAILURE() << "expected " << code << " at " << target << " but parsing succeeded";
    return {};
  }
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_EQ(result.error().target, target) << result.error().message;
  EXPECT_EQ(result.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_FALSE(result.error().message.empty());
  return result.error().message;
}

// The value (a copy, so that results of temporaries can be kept), or T{} after reporting the error.
template <typename T>
T expect_ok(const core::Result<T>& result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.error().code << " at " << result.error().target << ": " << result.error().message;
    return T{};
  }
  return *result;
}

// parse(wrap(to_json(value, kStored))) == value, and the stored JSON is stable across the trip.
template <typename T, typename Parse>
void expect_round_trip(const T& value, Parse parse) {
  boost::json::object stored = to_json(value, Visibility::kStored);
  auto back = parse(wrap(stored));
  ASSERT_TRUE(back.ok()) << back.error().code << " at " << back.error().target << ": " << back.error().message
                         << "\n"
                         << boost::json::serialize(stored);
  EXPECT_TRUE(*back == value) << boost::json::serialize(stored) << "\nparsed back as\n"
                              << boost::json::serialize(to_json(*back, Visibility::kStored));
  EXPECT_EQ(boost::json::serialize(to_json(*back, Visibility::kStored)), boost::json::serialize(stored));
}

// True when `needle` occurs anywhere in the serialized JSON.
inline bool json_contains(const boost::json::value& json, std::string_view needle) {
  return boost::json::serialize(json).find(needle) != std::string::npos;
}

}  // namespace emu::model::testing
