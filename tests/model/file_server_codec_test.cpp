#include "emulator/model/file_server_codec.hpp"

#include <gtest/gtest.h>

#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

using testing::expect_error;
using testing::expect_ok;
using testing::json_of;

boost::json::value body(std::string_view data_disks, std::string_view extra = "") {
  return json_of(std::string(R"({"properties": {"vmSize": "STANDARD_D1",
      "sshConfiguration": {"userAccountSettings": {"adminUserName": "demo", "adminUserPassword": "fs-password"}},
      "dataDisks": )") +
                 std::string(data_disks) + std::string(extra) + "}}");
}

constexpr std::string_view kDisks =
    R"({"diskSizeInGB": 10, "diskCount": 2, "storageAccountType": "Standard_LRS"})";

TEST(FileServerCodecTest, DefaultsAndRoundTrip) {
  const FileServerBaseProperties& server = expect_ok(parse_file_server_create(body(kDisks)));
  EXPECT_EQ(server.vm_size, "STANDARD_D1");
  EXPECT_EQ(server.data_disks.disk_size_in_gb, 10);
  EXPECT_EQ(server.data_disks.disk_count, 2);
  EXPECT_EQ(server.data_disks.caching_type, CachingType::kNone);
  EXPECT_EQ(server.data_disks.storage_account_type, StorageAccountType::kStandardLrs);
  EXPECT_TRUE(server.ssh_configuration.public_ips_to_allow.empty());
  testing::expect_round_trip(server, parse_file_server_create);

  const FileServerBaseProperties& full = expect_ok(parse_file_server_create(body(
      R"({"diskSizeInGB": 1024, "diskCount": 4, "storageAccountType": "premium_lrs", "cachingType": "readwrite"})",
      R"(, "subnet": {"id": "/subnet"})")));
  EXPECT_EQ(full.data_disks.storage_account_type, StorageAccountType::kPremiumLrs);
  EXPECT_EQ(full.data_disks.caching_type, CachingType::kReadWrite);
  testing::expect_round_trip(full, parse_file_server_create);
  EXPECT_EQ(expect_ok(parse_file_server_properties(to_json(full, Visibility::kStored))), full);
  EXPECT_EQ(to_json(full, Visibility::kPublic).at("dataDisks").at("storageAccountType"), "Premium_LRS");
}

TEST(FileServerCodecTest, PublicIpsAndPassword) {
  auto with_ips = [](int count) {
    std::string ips;
    for (int i = 0; i < count; ++i)
      ips += (i ? ",\"10.0.0." : "\"10.0.0.") + std::to_string(i % 250) + "/32\"";
    return json_of(
        std::string(R"({"properties": {"vmSize": "A", "sshConfiguration": {"publicIPsToAllow": [)") + ips +
        R"(], "userAccountSettings": {"adminUserName": "u"}}, "dataDisks": )" + std::string(kDisks) + "}}");
  };
  const FileServerBaseProperties& server = expect_ok(parse_file_server_create(with_ips(400)));
  EXPECT_EQ(server.ssh_configuration.public_ips_to_allow.size(), 400u);
  testing::expect_round_trip(server, parse_file_server_create);
  expect_error(parse_file_server_create(with_ips(401)), "InvalidPropertyValue",
               "properties.sshConfiguration.publicIPsToAllow");

  const FileServerBaseProperties& with_password = expect_ok(parse_file_server_create(body(kDisks)));
  EXPECT_FALSE(testing::json_contains(to_json(with_password, Visibility::kPublic), "fs-password"));
  EXPECT_TRUE(testing::json_contains(to_json(with_password, Visibility::kStored), "fs-password"));
}

TEST(FileServerCodecTest, Errors) {
  expect_error(parse_file_server_create(
                   body(R"({"diskSizeInGB": 10, "diskCount": 0, "storageAccountType": "Standard_LRS"})")),
               "InvalidPropertyValue", "properties.dataDisks.diskCount");
  expect_error(parse_file_server_create(
                   body(R"({"diskSizeInGB": 0, "diskCount": 1, "storageAccountType": "Standard_LRS"})")),
               "InvalidPropertyValue", "properties.dataDisks.diskSizeInGB");
  expect_error(parse_file_server_create(body(R"({"diskSizeInGB": 10, "diskCount": 1})")),
               "MissingRequiredProperty", "properties.dataDisks.storageAccountType");
  expect_error(parse_file_server_create(
                   body(R"({"diskSizeInGB": 10, "diskCount": 1, "storageAccountType": "Ultra_LRS"})")),
               "InvalidPropertyValue", "properties.dataDisks.storageAccountType");
  expect_error(parse_file_server_create(
                   body(R"({"diskSizeInGB": 10, "diskCount": 1, "storageAccountType": "Standard_LRS",
      "cachingType": "writeback"})")),
               "InvalidPropertyValue", "properties.dataDisks.cachingType");
  expect_error(parse_file_server_create(json_of(R"({"properties": {"vmSize": "A", "dataDisks": {}}})")),
               "MissingRequiredProperty", "properties.sshConfiguration");
  expect_error(parse_file_server_create(json_of(R"({"properties": {"vmSize": "A",
      "sshConfiguration": {"userAccountSettings": {"adminUserName": "u"}}}})")),
               "MissingRequiredProperty", "properties.dataDisks");
}

TEST(FileServerCodecTest, MountSettings) {
  MountSettings settings{"/mnt/data", "13.90.141.66", "10.0.0.4"};
  boost::json::object json = to_json(settings);
  EXPECT_EQ(
      boost::json::serialize(json),
      R"({"mountPoint":"/mnt/data","fileServerPublicIP":"13.90.141.66","fileServerInternalIP":"10.0.0.4"})");
  EXPECT_EQ(expect_ok(parse_mount_settings(json)), settings);
  EXPECT_EQ(boost::json::serialize(to_json(MountSettings{})), "{}");
}

}  // namespace
}  // namespace emu::model
