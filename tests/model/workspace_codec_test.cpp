#include "emulator/model/workspace_codec.hpp"

#include <gtest/gtest.h>

#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

using testing::expect_error;
using testing::expect_ok;
using testing::json_of;

TEST(WorkspaceCodecTest, Create) {
  const WorkspaceCreateParameters& ws = expect_ok(
      parse_workspace_create(json_of(R"({"location": "eastus", "tags": {"team": "vision", "empty": ""}})")));
  EXPECT_EQ(ws.location, "eastus");
  EXPECT_EQ(ws.tags.size(), 2u);
  EXPECT_EQ(ws.tags.at("team"), "vision");
  EXPECT_EQ(boost::json::serialize(to_json(ws, Visibility::kPublic)),
            R"({"location":"eastus","tags":{"empty":"","team":"vision"}})");
  // Workspace bodies are not wrapped in properties: parse the stored JSON directly.
  EXPECT_EQ(expect_ok(parse_workspace_create(to_json(ws, Visibility::kStored))), ws);

  const WorkspaceCreateParameters& bare =
      expect_ok(parse_workspace_create(json_of(R"({"location": "East US"})")));
  EXPECT_TRUE(bare.tags.empty());
  EXPECT_EQ(bare.location, "East US");
  EXPECT_EQ(expect_ok(parse_workspace_create(to_json(bare, Visibility::kStored))), bare);
}

TEST(WorkspaceCodecTest, CreateErrors) {
  expect_error(parse_workspace_create(json_of(R"({"tags": {}})")), "MissingRequiredProperty", "location");
  expect_error(parse_workspace_create(json_of(R"({"location": ""})")), "InvalidPropertyValue", "location");
  expect_error(parse_workspace_create(json_of(R"({"location": 1})")), "InvalidPropertyType", "location");
  expect_error(parse_workspace_create(json_of(R"({"location": "eastus", "tags": {"a": 1}})")),
               "InvalidPropertyType", "tags.a");
  expect_error(parse_workspace_create(json_of(R"({"location": "eastus", "tags": []})")),
               "InvalidPropertyType", "tags");
  std::string many = R"({"location": "eastus", "tags": {)";
  for (int i = 0; i < 51; ++i) many += (i ? ",\"t" : "\"t") + std::to_string(i) + "\": \"v\"";
  expect_error(parse_workspace_create(json_of(many + "}}")), "InvalidPropertyValue", "tags");
  expect_error(parse_workspace_create(
                   json_of(R"({"location": "eastus", "tags": {"k": ")" + std::string(257, 'v') + "\"}}")),
               "InvalidPropertyValue", "tags.k");
}

TEST(WorkspaceCodecTest, Update) {
  const WorkspaceUpdateParameters& patch =
      expect_ok(parse_workspace_update(json_of(R"({"tags": {"a": "b"}})")));
  ASSERT_TRUE(patch.tags.has_value());
  EXPECT_EQ(patch.tags->at("a"), "b");
  EXPECT_EQ(expect_ok(parse_workspace_update(to_json(patch, Visibility::kStored))), patch);
  EXPECT_FALSE(expect_ok(parse_workspace_update(json_of("{}"))).tags.has_value());
  const WorkspaceUpdateParameters& cleared = expect_ok(parse_workspace_update(json_of(R"({"tags": {}})")));
  ASSERT_TRUE(cleared.tags.has_value());
  EXPECT_TRUE(cleared.tags->empty());
  expect_error(parse_workspace_update(json_of(R"({"tags": "x"})")), "InvalidPropertyType", "tags");
}

TEST(WorkspaceCodecTest, ExperimentAcceptsAnyBody) {
  EXPECT_TRUE(parse_experiment_create(boost::json::value()).ok());
  EXPECT_TRUE(parse_experiment_create(json_of(R"({"properties": {}})")).ok());
  EXPECT_TRUE(parse_experiment_create(json_of("[1, 2]")).ok());
}

}  // namespace
}  // namespace emu::model
