#include "emulator/model/resource_name.hpp"

#include <string>

#include <gtest/gtest.h>

namespace emu::model {
namespace {

TEST(ResourceNameTest, AcceptsLettersDigitsDashAndUnderscore) {
  EXPECT_TRUE(validate_resource_name("demo_cluster-1", "cluster").ok());
  EXPECT_TRUE(validate_resource_name("a", "job").ok());
  EXPECT_TRUE(validate_resource_name(std::string(64, 'x'), "workspace").ok());
}

TEST(ResourceNameTest, RejectsBadNamesWithACodeAndTheKindOfResource) {
  for (std::string bad : {std::string(), std::string(65, 'x'), std::string("has space"),
                          std::string("dot.ted"), std::string("slash/ed"), std::string("caf\xc3\xa9")}) {
    auto result = validate_resource_name(bad, "cluster");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, "InvalidResourceName");
    EXPECT_EQ(result.error().target, "clusterName");
    EXPECT_EQ(result.error().kind, core::ErrorKind::kBadRequest);
    EXPECT_NE(result.error().message.find("cluster"), std::string::npos) << result.error().message;
  }
}

TEST(ResourceNameTest, ResourceGroupsAlsoAllowDotsAndNinetyCharacters) {
  EXPECT_TRUE(validate_resource_group_name("clitest.rg000001").ok());
  EXPECT_TRUE(validate_resource_group_name(std::string(90, 'r')).ok());
  auto too_long = validate_resource_group_name(std::string(91, 'r'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, "InvalidResourceGroupName");
  EXPECT_EQ(too_long.error().target, "resourceGroupName");
  EXPECT_FALSE(validate_resource_group_name("").ok());
  EXPECT_FALSE(validate_resource_group_name("a b").ok());
}

TEST(ResourceNameTest, Locations) {
  EXPECT_TRUE(validate_location("eastus").ok());
  EXPECT_TRUE(validate_location("north_europe.2").ok());
  auto bad = validate_location("East US");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidLocation");
  EXPECT_EQ(bad.error().target, "location");
  EXPECT_EQ(normalize_location("East US"), "eastus");
  EXPECT_EQ(normalize_location("westeurope"), "westeurope");
}

}  // namespace
}  // namespace emu::model
