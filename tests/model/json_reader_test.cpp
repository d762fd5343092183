#include "emulator/model/json_reader.hpp"

#include <gtest/gtest.h>

#include "emulator/model/enums.hpp"
#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

using testing::json_of;

// Runs `read` on the "properties" object of `text` and returns the reader's status.
template <typename Read>
core::Result<void> read_properties(std::string_view text, Read read) {
  boost::json::value body = json_of(text);
  auto root = JsonReader::root(body);
  if (!root) return root.error();
  JsonReader properties = root->required_object("properties");
  read(properties);
  return root->status();
}

TEST(JsonReaderTest, PathsJoinWithDotsAndIndexes) {
  boost::json::value body = json_of(R"({"properties": {"a": [{"b": {}}]}})");
  JsonReader root = *JsonReader::root(body);
  EXPECT_EQ(root.path_of("location"), "location");
  JsonReader properties = root.required_object("properties");
  EXPECT_EQ(properties.path(), "properties");
  auto items = properties.object_array("a");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path(), "properties.a[0]");
  EXPECT_EQ(items[0].required_object("b").path_of("c"), "properties.a[0].b.c");
}

TEST(JsonReaderTest, BodyMustBeAnObject) {
  for (const char* text : {"[]", "\"x\"", "3", "null"}) {
    auto root = JsonReader::root(json_of(text));
    ASSERT_FALSE(root.ok()) << text;
    EXPECT_EQ(root.error().code, "InvalidRequestContent");
  }
}

TEST(JsonReaderTest, MissingRequiredProperty) {
  auto status = read_properties(R"({"properties": {}})", [](JsonReader& r) { r.required_string("vmSize"); });
  testing::expect_error(status, "MissingRequiredProperty", "properties.vmSize");
  auto no_properties = read_properties(R"({"location": "x"})", [](JsonReader&) {});
  testing::expect_error(no_properties, "MissingRequiredProperty", "properties");
}

TEST(JsonReaderTest, NullCountsAsAbsent) {
  boost::json::value body = json_of(R"({"a": null, "b": null})");
  JsonReader root = *JsonReader::root(body);
  EXPECT_FALSE(root.has("a"));
  EXPECT_EQ(root.optional_string("a"), std::nullopt);
  EXPECT_EQ(root.int32_or("b", 7), 7);
  EXPECT_TRUE(root.ok());
  root.required_string("a");
  testing::expect_error(root.status(), "MissingRequiredProperty", "a");
}

TEST(JsonReaderTest, UnknownKeysAreIgnored) {
  auto status = read_properties(R"({"$schema": "x", "properties": {"vmSize": "A", "surprise": [1, 2]}})",
                                [](JsonReader& r) { EXPECT_EQ(r.required_string("vmSize"), "A"); });
  EXPECT_TRUE(status.ok());
}

TEST(JsonReaderTest, WrongTypesAreInvalidPropertyType) {
  auto as_string =
      read_properties(R"({"properties": {"vmSize": 5}})", [](JsonReader& r) { r.required_string("vmSize"); });
  std::string message = testing::expect_error(as_string, "InvalidPropertyType", "properties.vmSize");
  EXPECT_EQ(message, "The value of properties.vmSize must be a string; got 5");

  auto as_object = read_properties(R"({"properties": {"nodeSetup": "x"}})",
                                   [](JsonReader& r) { r.optional_object("nodeSetup"); });
  testing::expect_error(as_object, "InvalidPropertyType", "properties.nodeSetup");

  auto as_array =
      read_properties(R"({"properties": {"secrets": {}}})", [](JsonReader& r) { r.object_array("secrets"); });
  testing::expect_error(as_array, "InvalidPropertyType", "properties.secrets");

  auto element = read_properties(R"({"properties": {"secrets": [{}, 3]}})",
                                 [](JsonReader& r) { r.object_array("secrets"); });
  testing::expect_error(element, "InvalidPropertyType", "properties.secrets[1]");

  auto strings =
      read_properties(R"({"properties": {"ips": ["a", 1]}})", [](JsonReader& r) { r.string_array("ips"); });
  testing::expect_error(strings, "InvalidPropertyType", "properties.ips[1]");

  auto boolean =
      read_properties(R"({"properties": {"flag": "true"}})", [](JsonReader& r) { r.optional_bool("flag"); });
  testing::expect_error(boolean, "InvalidPropertyType", "properties.flag");
}

TEST(JsonReaderTest, IntegersAreJsonNumbersWithinRange) {
  auto text = read_properties(R"({"properties": {"nodeCount": "two"}})",
                              [](JsonReader& r) { r.required_int32("nodeCount", 1, 100); });
  EXPECT_EQ(testing::expect_error(text, "InvalidPropertyType", "properties.nodeCount"),
            "The value of properties.nodeCount must be an integer between 1 and 100; got \"two\"");

  auto numeric_string = read_properties(R"({"properties": {"nodeCount": "2"}})",
                                        [](JsonReader& r) { r.required_int32("nodeCount", 1); });
  testing::expect_error(numeric_string, "InvalidPropertyType", "properties.nodeCount");

  auto below = read_properties(R"({"properties": {"nodeCount": 0}})",
                               [](JsonReader& r) { r.required_int32("nodeCount", 1); });
  EXPECT_EQ(testing::expect_error(below, "InvalidPropertyValue", "properties.nodeCount"),
            "The value of properties.nodeCount must be an integer of at least 1; got 0");

  for (const char* big : {"2147483648", "-2147483649", "18446744073709551615", "1e300"}) {
    auto overflow = read_properties(std::string(R"({"properties": {"n": )") + big + "}}",
                                    [](JsonReader& r) { r.optional_int32("n"); });
    testing::expect_error(overflow, "InvalidPropertyValue", "properties.n");
  }
  auto fraction =
      read_properties(R"({"properties": {"n": 2.5}})", [](JsonReader& r) { r.optional_int32("n"); });
  testing::expect_error(fraction, "InvalidPropertyValue", "properties.n");

  boost::json::value body = json_of(R"({"a": 2147483647, "b": -2147483648, "c": 3.0})");
  JsonReader root = *JsonReader::root(body);
  EXPECT_EQ(root.optional_int32("a"), 2147483647);
  EXPECT_EQ(root.optional_int32("b"), -2147483647 - 1);
  EXPECT_EQ(root.optional_int32("c"), 3);
  EXPECT_TRUE(root.ok());
}

TEST(JsonReaderTest, EnumsAndDurations) {
  auto bad_enum = read_properties(R"({"properties": {"vmPriority": "spot"}})", [](JsonReader& r) {
    EXPECT_EQ(r.enum_or("vmPriority", parse_vm_priority, "dedicated, lowpriority", VmPriority::kDedicated),
              VmPriority::kDedicated);
  });
  EXPECT_EQ(testing::expect_error(bad_enum, "InvalidPropertyValue", "properties.vmPriority"),
            "The value of properties.vmPriority must be one of dedicated, lowpriority; got \"spot\"");

  auto missing_enum = read_properties(R"({"properties": {}})", [](JsonReader& r) {
    r.required_enum("storageAccountType", parse_storage_account_type, "Standard_LRS, Premium_LRS",
                    StorageAccountType::kStandardLrs);
  });
  testing::expect_error(missing_enum, "MissingRequiredProperty", "properties.storageAccountType");

  boost::json::value body = json_of(R"({"iso": "P7D", "net": "1.02:00:00", "bad": "seven days"})");
  JsonReader root = *JsonReader::root(body);
  EXPECT_EQ(root.optional_duration("iso"), std::chrono::hours(24 * 7));
  EXPECT_EQ(root.optional_duration("net"), std::chrono::hours(26));
  EXPECT_TRUE(root.ok());
  EXPECT_EQ(root.optional_duration("bad"), std::nullopt);
  testing::expect_error(root.status(), "InvalidPropertyValue", "bad");
}

TEST(JsonReaderTest, FirstErrorWinsAcrossChildReaders) {
  auto status = read_properties(R"({"properties": {"a": {"b": 1}, "c": 2}})", [](JsonReader& r) {
    JsonReader a = r.required_object("a");
    a.required_string("b");  // first problem
    r.required_string("c");  // second one is dropped
    r.required_string("missing");
    EXPECT_FALSE(r.ok());
  });
  testing::expect_error(status, "InvalidPropertyType", "properties.a.b");
}

TEST(JsonReaderTest, EmptyRequiredStrings) {
  auto status = read_properties(R"({"properties": {"vmSize": ""}})",
                                [](JsonReader& r) { r.required_non_empty_string("vmSize"); });
  testing::expect_error(status, "InvalidPropertyValue", "properties.vmSize");
  auto allowed =
      read_properties(R"({"properties": {"value": ""}})", [](JsonReader& r) { r.required_string("value"); });
  EXPECT_TRUE(allowed.ok());
}

TEST(JsonReaderTest, StringMaps) {
  boost::json::value body = json_of(R"({"tags": {"a": "1", "b": 2}})");
  JsonReader root = *JsonReader::root(body);
  root.optional_string_map("tags");
  testing::expect_error(root.status(), "InvalidPropertyType", "tags.b");
}

}  // namespace
}  // namespace emu::model
