#include "emulator/model/common_codec.hpp"

#include <gtest/gtest.h>

#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

using testing::expect_error;
using testing::json_of;

// Reads {"v": {...}} with `read` under the path "v" and returns the result.
template <typename Read>
auto read_v(std::string_view text, Read read) {
  boost::json::value body = json_of(text);
  JsonReader root = *JsonReader::root(body);
  auto value = read(root.required_object("v"));
  return std::make_pair(value, root.status());
}

constexpr std::string_view kVault =
    R"({"sourceVault": {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"},
        "secretUrl": "https://v.vault.azure.net/secrets/s"})";

TEST(CommonCodecTest, ResourceIdAndKeyVaultReference) {
  auto [id, ok] = read_v(R"({"v": {"id": "/x"}})", read_resource_id);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(id.id, "/x");
  EXPECT_EQ(boost::json::serialize(to_json(id)), R"({"id":"/x"})");
  expect_error(read_v(R"({"v": {}})", read_resource_id).second, "MissingRequiredProperty", "v.id");
  expect_error(read_v(R"({"v": {"id": ""}})", read_resource_id).second, "InvalidPropertyValue", "v.id");

  auto [reference, status] =
      read_v(std::string(R"({"v": )") + std::string(kVault) + "}", read_key_vault_secret_reference);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(reference.secret_url, "https://v.vault.azure.net/secrets/s");
  boost::json::value back = boost::json::object{{"v", to_json(reference)}};
  EXPECT_EQ(read_key_vault_secret_reference(JsonReader::root(back)->required_object("v")), reference);
  expect_error(read_v(R"({"v": {"secretUrl": "u"}})", read_key_vault_secret_reference).second,
               "MissingRequiredProperty", "v.sourceVault");
}

TEST(CommonCodecTest, CredentialsNeedExactlyOneOfKeyAndReference) {
  expect_error(read_v(R"({"v": {}})", read_azure_storage_credentials).second, "InvalidPropertyValue", "v");
  expect_error(read_v(std::string(R"({"v": {"accountKey": "k", "accountKeySecretReference": )") +
                          std::string(kVault) + "}}",
                      read_azure_storage_credentials)
                   .second,
               "InvalidPropertyValue", "v");
  auto [key, key_status] = read_v(R"({"v": {"accountKey": "k=="}})", read_azure_storage_credentials);
  ASSERT_TRUE(key_status.ok());
  EXPECT_EQ(key.account_key, "k==");
  // The service showed credentials as {}: the key never leaves.
  EXPECT_EQ(boost::json::serialize(to_json(key, Visibility::kPublic)), "{}");
  EXPECT_EQ(boost::json::serialize(to_json(key, Visibility::kStored)), R"({"accountKey":"k=="})");

  auto [reference, reference_status] =
      read_v(std::string(R"({"v": {"accountKeySecretReference": )") + std::string(kVault) + "}}",
             read_azure_storage_credentials);
  ASSERT_TRUE(reference_status.ok());
  EXPECT_TRUE(to_json(reference, Visibility::kPublic).contains("accountKeySecretReference"));
}

TEST(CommonCodecTest, UserAccountSettingsHidePasswordOnly) {
  auto [user, status] = read_v(
      R"({"v": {"adminUserName": "demo", "adminUserPassword": "Pa$$", "adminUserSshPublicKey": "ssh-rsa AAA"}})",
      read_user_account_settings);
  ASSERT_TRUE(status.ok());
  boost::json::object shown = to_json(user, Visibility::kPublic);
  EXPECT_FALSE(shown.contains("adminUserPassword"));
  EXPECT_EQ(shown.at("adminUserSshPublicKey"), "ssh-rsa AAA");
  EXPECT_EQ(to_json(user, Visibility::kStored).at("adminUserPassword"), "Pa$$");
  expect_error(read_v(R"({"v": {"adminUserPassword": "x"}})", read_user_account_settings).second,
               "MissingRequiredProperty", "v.adminUserName");
}

TEST(CommonCodecTest, EnvironmentVariablesAndSecrets) {
  auto read_both = [](std::string_view text) {
    boost::json::value body = json_of(text);
    JsonReader root = *JsonReader::root(body);
    auto variables = read_environment_variables(root, "environmentVariables");
    auto secrets = read_secrets(root, "secrets");
    check_distinct_variable_names(root, variables, secrets);
    return std::make_tuple(variables, secrets, root.status());
  };
  auto [variables, secrets, status] =
      read_both(std::string(R"({"environmentVariables": [{"name": "A", "value": ""}],
      "secrets": [{"name": "S1", "value": "hidden"}, {"name": "S2", "valueSecretReference": )") +
                std::string(kVault) + "}]}");
  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_EQ(variables.size(), 1u);
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0].value, "hidden");
  EXPECT_TRUE(secrets[1].value_secret_reference.has_value());
  boost::json::array shown = to_json(secrets, Visibility::kPublic);
  EXPECT_EQ(boost::json::serialize(shown[0]), R"({"name":"S1"})");
  EXPECT_FALSE(testing::json_contains(shown, "hidden"));
  EXPECT_TRUE(testing::json_contains(to_json(secrets, Visibility::kStored), "hidden"));

  expect_error(std::get<2>(read_both(R"({"environmentVariables": [{"name": "A"}]})")),
               "MissingRequiredProperty", "environmentVariables[0].value");
  expect_error(std::get<2>(read_both(R"({"environmentVariables": [{"name": "", "value": "x"}]})")),
               "InvalidPropertyValue", "environmentVariables[0].name");
  expect_error(std::get<2>(read_both(R"({"environmentVariables": [{"name": "A=B", "value": "x"}]})")),
               "InvalidPropertyValue", "environmentVariables[0].name");
  expect_error(
      std::get<2>(read_both(
          R"({"environmentVariables": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]})")),
      "InvalidPropertyValue", "environmentVariables[1].name");
  expect_error(std::get<2>(read_both(R"({"secrets": [{"name": "S"}]})")), "InvalidPropertyValue",
               "secrets[0]");
  expect_error(std::get<2>(read_both(
                   std::string(R"({"secrets": [{"name": "S", "value": "v", "valueSecretReference": )") +
                   std::string(kVault) + "}]}")),
               "InvalidPropertyValue", "secrets[0]");
  expect_error(
      std::get<2>(read_both(R"({"secrets": [{"name": "S", "value": "1"}, {"name": "S", "value": "2"}]})")),
      "InvalidPropertyValue", "secrets[1].name");
  expect_error(std::get<2>(read_both(R"({"environmentVariables": [{"name": "X", "value": "1"}],
                                         "secrets": [{"name": "X", "value": "2"}]})")),
               "InvalidPropertyValue", "secrets[0].name");
}

TEST(CommonCodecTest, MountVolumesDefaultsAndChecks) {
  auto [volumes, status] = read_v(R"({"v": {
      "azureFileShares": [{"accountName": "a", "azureFileUrl": "https://a.file.core.windows.net/s",
                           "credentials": {"accountKey": "k"}, "relativeMountPath": "afs"}],
      "azureBlobFileSystems": [{"accountName": "a", "containerName": "c", "credentials": {"accountKey": "k"},
                                "relativeMountPath": "bfs", "mountOptions": "-o x"}],
      "fileServers": [{"fileServer": {"id": "/fs"}, "relativeMountPath": "nfs", "sourceDirectory": "d",
                       "mountOptions": "rw"}],
      "unmanagedFileSystems": [{"mountCommand": "mount -t glusterfs 10.0.0.4:/gv0", "relativeMountPath": "g"}]}})",
                                  read_mount_volumes);
  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_EQ(volumes.azure_file_shares.size(), 1u);
  EXPECT_EQ(volumes.azure_file_shares[0].file_mode, "0777");
  EXPECT_EQ(volumes.azure_file_shares[0].directory_mode, "0777");
  EXPECT_EQ(volumes.azure_blob_file_systems[0].mount_options, "-o x");
  EXPECT_EQ(volumes.file_servers[0].source_directory, "d");
  EXPECT_EQ(volumes.unmanaged_file_systems[0].relative_mount_path, "g");

  boost::json::value stored = boost::json::object{{"v", to_json(volumes, Visibility::kStored)}};
  JsonReader root = *JsonReader::root(stored);
  EXPECT_EQ(read_mount_volumes(root.required_object("v")), volumes);
  EXPECT_TRUE(root.ok());
  EXPECT_FALSE(testing::json_contains(to_json(volumes, Visibility::kPublic), "accountKey"));

  auto share = [](std::string_view extra) {
    return std::string(R"({"v": {"azureFileShares": [{"accountName": "a", "azureFileUrl": "u",
        "credentials": {"accountKey": "k"}, "relativeMountPath": "afs")") +
           std::string(extra) + "}]}}";
  };
  expect_error(read_v(share(R"(, "fileMode": "rwx")"), read_mount_volumes).second, "InvalidPropertyValue",
               "v.azureFileShares[0].fileMode");
  expect_error(read_v(share(R"(, "directoryMode": "0999")"), read_mount_volumes).second,
               "InvalidPropertyValue", "v.azureFileShares[0].directoryMode");
  expect_error(
      read_v(
          R"({"v": {"azureFileShares": [{"accountName": "a", "azureFileUrl": "u", "relativeMountPath": "x"}]}})",
          read_mount_volumes)
          .second,
      "MissingRequiredProperty", "v.azureFileShares[0].credentials");
  expect_error(
      read_v(
          R"({"v": {"unmanagedFileSystems": [{"mountCommand": "m", "relativeMountPath": "a/../../etc"}]}})",
          read_mount_volumes)
          .second,
      "InvalidPropertyValue", "v.unmanagedFileSystems[0].relativeMountPath");
  expect_error(read_v(R"({"v": {"unmanagedFileSystems": [{"mountCommand": "m", "relativeMountPath": "x"}],
                               "fileServers": [{"fileServer": {"id": "/f"}, "relativeMountPath": "x"}]}})",
                      read_mount_volumes)
                   .second,
               "InvalidPropertyValue", "v.unmanagedFileSystems[0].relativeMountPath");
}

TEST(CommonCodecTest, ReadOnlyOutputTypesRoundTrip) {
  BatchAIError error{"JobFailed", "Job failed with non-zero exit code", {{"exitCode", "1"}}};
  boost::json::object json = to_json(error);
  EXPECT_EQ(
      boost::json::serialize(json),
      R"({"code":"JobFailed","message":"Job failed with non-zero exit code","details":[{"name":"exitCode","value":"1"}]})");
  EXPECT_EQ(testing::expect_ok(parse_batch_ai_error(json)), error);
  EXPECT_FALSE(to_json(BatchAIError{"JobTerminated", "m", {}}).contains("details"));

  NodeStateCounts counts{1, 2, 3, 4, 5};
  boost::json::object counts_json = to_json(counts);
  EXPECT_EQ(counts_json.at("idleNodeCount"), 1);
  EXPECT_EQ(counts_json.at("leavingNodeCount"), 5);
  EXPECT_EQ(testing::expect_ok(parse_node_state_counts(counts_json)), counts);
  EXPECT_FALSE(parse_node_state_counts(json_of(R"({"idleNodeCount": -1})")).ok());
}

}  // namespace
}  // namespace emu::model
