#include "emulator/model/cluster_codec.hpp"

#include <gtest/gtest.h>

#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

using testing::expect_error;
using testing::expect_ok;
using testing::json_of;

constexpr std::string_view kVault =
    R"({"sourceVault": {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"},
        "secretUrl": "https://v.vault.azure.net/secrets/s"})";

// A cluster that uses every member of every nested type.
std::string full_cluster_body() {
  return std::string(R"({"location": "eastus", "$schema": "ignored", "properties": {
    "vmSize": "STANDARD_NC6",
    "vmPriority": "lowpriority",
    "scaleSettings": {"autoScale": {"minimumNodeCount": 1, "maximumNodeCount": 3, "initialNodeCount": 2}},
    "virtualMachineConfiguration": {"imageReference": {"publisher": "Canonical", "offer": "UbuntuServer",
        "sku": "16.04-LTS", "version": "latest", "virtualMachineImageId": "/subscriptions/s/images/i"}},
    "nodeSetup": {
      "setupTask": {"commandLine": "apt install unzip -y", "stdOutErrPathPrefix": "$AZ_BATCHAI_MOUNT_ROOT/afs",
        "stdOutErrPathSuffix": "suffix",
        "environmentVariables": [{"name": "V1", "value": "1"}],
        "secrets": [{"name": "S1", "value": "setup-secret-value"}, {"name": "S2", "valueSecretReference": )") +
         std::string(kVault) + R"(}]},
      "mountVolumes": {
        "azureFileShares": [{"accountName": "acc", "azureFileUrl": "https://acc.file.core.windows.net/share",
          "credentials": {"accountKey": "file-account-key=="}, "relativeMountPath": "afs", "fileMode": "0755",
          "directoryMode": "0700"}],
        "azureBlobFileSystems": [{"accountName": "acc", "containerName": "data",
          "credentials": {"accountKeySecretReference": )" +
         std::string(kVault) + R"(}, "relativeMountPath": "bfs", "mountOptions": "-o ro"}],
        "fileServers": [{"fileServer": {"id": "/fs"}, "relativeMountPath": "nfs", "sourceDirectory": "/data",
          "mountOptions": "rw"}],
        "unmanagedFileSystems": [{"mountCommand": "mount -t glusterfs 10.0.0.4:/gv0", "relativeMountPath": "gfs"}]},
      "performanceCountersSettings": {"appInsightsReference": {"component": {"id": "/ai"},
        "instrumentationKey": "instrumentation-key-value"}}},
    "userAccountSettings": {"adminUserName": "demo", "adminUserPassword": "admin-password-value",
      "adminUserSshPublicKey": "ssh-rsa AAAA"},
    "subnet": {"id": "/subscriptions/s/subnets/default"}}})";
}

TEST(ClusterCodecTest, MinimalBodyGetsTheSpecDefaults) {
  auto parsed = parse_cluster_create(
      json_of(R"({"properties": {"vmSize": "STANDARD_D1", "userAccountSettings": {"adminUserName": "u"}}})"));
  const ClusterBaseProperties& cluster = expect_ok(parsed);
  EXPECT_EQ(cluster.vm_size, "STANDARD_D1");
  EXPECT_EQ(cluster.vm_priority, VmPriority::kDedicated);
  ASSERT_TRUE(cluster.scale_settings.manual.has_value());
  EXPECT_FALSE(cluster.scale_settings.auto_scale.has_value());
  EXPECT_EQ(cluster.scale_settings.manual->target_node_count, 0);
  EXPECT_EQ(cluster.scale_settings.manual->node_deallocation_option, DeallocationOption::kRequeue);
  EXPECT_FALSE(cluster.node_setup.has_value());
  EXPECT_FALSE(cluster.subnet.has_value());

  boost::json::object shown = to_json(cluster, Visibility::kPublic);
  EXPECT_EQ(shown.at("vmPriority"), "dedicated");
  EXPECT_EQ(boost::json::serialize(shown.at("scaleSettings")),
            R"({"manual":{"targetNodeCount":0,"nodeDeallocationOption":"requeue"}})");
  EXPECT_FALSE(shown.contains("nodeSetup"));
}

TEST(ClusterCodecTest, AutoScaleInitialCountDefaultsToZero) {
  auto parsed = parse_cluster_create(
      json_of(R"({"properties": {"vmSize": "A", "userAccountSettings": {"adminUserName": "u"},
      "scaleSettings": {"autoScale": {"minimumNodeCount": 1, "maximumNodeCount": 2}}}})"));
  const ClusterBaseProperties& cluster = expect_ok(parsed);
  ASSERT_TRUE(cluster.scale_settings.auto_scale.has_value());
  EXPECT_EQ(cluster.scale_settings.auto_scale->initial_node_count, 0);
  testing::expect_round_trip(cluster, parse_cluster_create);
}

TEST(ClusterCodecTest, FullClusterRoundTrips) {
  const ClusterBaseProperties& cluster = expect_ok(parse_cluster_create(json_of(full_cluster_body())));
  EXPECT_EQ(cluster.vm_priority, VmPriority::kLowPriority);
  ASSERT_TRUE(cluster.node_setup && cluster.node_setup->setup_task && cluster.node_setup->mount_volumes);
  EXPECT_EQ(cluster.node_setup->setup_task->secrets.size(), 2u);
  EXPECT_EQ(cluster.node_setup->mount_volumes->azure_file_shares[0].file_mode, "0755");
  EXPECT_EQ(cluster.node_setup->performance_counters_settings->app_insights_reference.instrumentation_key,
            "instrumentation-key-value");
  EXPECT_EQ(cluster.virtual_machine_configuration->image_reference->virtual_machine_image_id,
            "/subscriptions/s/images/i");
  testing::expect_round_trip(cluster, parse_cluster_create);

  // The store keeps the bare properties object.
  auto stored = parse_cluster_properties(to_json(cluster, Visibility::kStored));
  EXPECT_EQ(expect_ok(stored), cluster);
}

TEST(ClusterCodecTest, PublicViewHasNoSecrets) {
  const ClusterBaseProperties& cluster = expect_ok(parse_cluster_create(json_of(full_cluster_body())));
  boost::json::value shown = to_json(cluster, Visibility::kPublic);
  for (const char* secret : {"setup-secret-value", "file-account-key==", "instrumentation-key-value",
                             "admin-password-value", "adminUserPassword", "accountKey\""}) {
    EXPECT_FALSE(testing::json_contains(shown, secret)) << secret;
  }
  // References to Key Vault are not secrets and stay visible, and so does the SSH public key.
  EXPECT_TRUE(testing::json_contains(shown, "valueSecretReference"));
  EXPECT_TRUE(testing::json_contains(shown, "accountKeySecretReference"));
  EXPECT_TRUE(testing::json_contains(shown, "ssh-rsa AAAA"));
  EXPECT_TRUE(testing::json_contains(shown, R"("credentials":{})"));
}

TEST(ClusterCodecTest, RequiredFields) {
  expect_error(
      parse_cluster_create(json_of(R"({"properties": {"userAccountSettings": {"adminUserName": "u"}}})")),
      "MissingRequiredProperty", "properties.vmSize");
  expect_error(parse_cluster_create(json_of(R"({"properties": {"vmSize": "A"}})")), "MissingRequiredProperty",
               "properties.userAccountSettings");
  expect_error(parse_cluster_create(json_of(R"({"location": "eastus"})")), "MissingRequiredProperty",
               "properties");
  expect_error(parse_cluster_create(
                   json_of(R"({"properties": {"vmSize": "A", "userAccountSettings": {"adminUserName": "u"},
      "virtualMachineConfiguration": {"imageReference": {"publisher": "p", "offer": "o"}}}})")),
               "MissingRequiredProperty", "properties.virtualMachineConfiguration.imageReference.sku");
  expect_error(parse_cluster_create(
                   json_of(R"({"properties": {"vmSize": "A", "userAccountSettings": {"adminUserName": "u"},
      "nodeSetup": {"setupTask": {"commandLine": "x"}}}})")),
               "MissingRequiredProperty", "properties.nodeSetup.setupTask.stdOutErrPathPrefix");
  expect_error(parse_cluster_create(json_of("[1]")), "InvalidRequestContent", "");
}

// A body with the given scaleSettings JSON.
boost::json::value with_scale(std::string_view scale) {
  return json_of(std::string(R"({"properties": {"vmSize": "A", "userAccountSettings": {"adminUserName": "u"},
      "scaleSettings": )") +
                 std::string(scale) + "}}");
}

TEST(ClusterCodecTest, ScaleSettingsRules) {
  std::string message = expect_error(parse_cluster_create(with_scale("{}")), "InvalidPropertyValue",
                                     "properties.scaleSettings");
  EXPECT_NE(message.find("exactly one of manual or autoScale"), std::string::npos) << message;
  expect_error(parse_cluster_create(with_scale(R"({"manual": {"targetNodeCount": 1},
      "autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 1}})")),
               "InvalidPropertyValue", "properties.scaleSettings");
  expect_error(parse_cluster_create(with_scale(R"({"manual": {"targetNodeCount": -1}})")),
               "InvalidPropertyValue", "properties.scaleSettings.manual.targetNodeCount");
  expect_error(parse_cluster_create(
                   with_scale(R"({"manual": {"targetNodeCount": 1, "nodeDeallocationOption": "drain"}})")),
               "InvalidPropertyValue", "properties.scaleSettings.manual.nodeDeallocationOption");
  expect_error(
      parse_cluster_create(with_scale(R"({"autoScale": {"minimumNodeCount": 3, "maximumNodeCount": 2}})")),
      "InvalidPropertyValue", "properties.scaleSettings.autoScale.minimumNodeCount");
  expect_error(
      parse_cluster_create(with_scale(R"({"autoScale": {"minimumNodeCount": -1, "maximumNodeCount": 2}})")),
      "InvalidPropertyValue", "properties.scaleSettings.autoScale.minimumNodeCount");
  expect_error(parse_cluster_create(with_scale(R"({"autoScale": {"minimumNodeCount": 0, "maximumNodeCount": 2,
      "initialNodeCount": 3}})")),
               "InvalidPropertyValue", "properties.scaleSettings.autoScale.initialNodeCount");
  expect_error(parse_cluster_create(with_scale(R"({"autoScale": {"minimumNodeCount": 0}})")),
               "MissingRequiredProperty", "properties.scaleSettings.autoScale.maximumNodeCount");
  expect_error(parse_cluster_create(with_scale(R"({"manual": {"targetNodeCount": "1"}})")),
               "InvalidPropertyType", "properties.scaleSettings.manual.targetNodeCount");
  auto manual = parse_cluster_create(with_scale(R"({"manual": {"targetNodeCount": 2,
      "nodeDeallocationOption": "WaitForJobCompletion"}})"));
  EXPECT_EQ(expect_ok(manual).scale_settings.manual->node_deallocation_option,
            DeallocationOption::kWaitForJobCompletion);
}

TEST(ClusterCodecTest, OtherValueRules) {
  auto body = [](std::string_view extra) {
    return json_of(
        std::string(R"({"properties": {"vmSize": "A", "userAccountSettings": {"adminUserName": "u"})") +
        std::string(extra) + "}}");
  };
  expect_error(parse_cluster_create(body(R"(, "vmPriority": "spot")")), "InvalidPropertyValue",
               "properties.vmPriority");
  expect_error(
      parse_cluster_create(body(R"(, "nodeSetup": {"performanceCountersSettings": {"appInsightsReference":
      {"component": {"id": "/ai"}}}})")),
      "InvalidPropertyValue", "properties.nodeSetup.performanceCountersSettings.appInsightsReference");
  expect_error(
      parse_cluster_create(body(R"(, "nodeSetup": {"mountVolumes": {"azureFileShares": [{"accountName": "a",
      "azureFileUrl": "u", "relativeMountPath": "afs", "credentials": {}}]}})")),
      "InvalidPropertyValue", "properties.nodeSetup.mountVolumes.azureFileShares[0].credentials");
  expect_error(parse_cluster_create(
                   body(R"(, "nodeSetup": {"setupTask": {"commandLine": "x", "stdOutErrPathPrefix": "p",
      "secrets": [{"name": "S"}]}})")),
               "InvalidPropertyValue", "properties.nodeSetup.setupTask.secrets[0]");
  expect_error(parse_cluster_create(body(R"(, "subnet": {})")), "MissingRequiredProperty",
               "properties.subnet.id");
}

TEST(ClusterCodecTest, Update) {
  auto update = parse_cluster_update(
      json_of(R"({"properties": {"scaleSettings": {"manual": {"targetNodeCount": 0}}}})"));
  const ClusterUpdateProperties& patch = expect_ok(update);
  ASSERT_TRUE(patch.scale_settings && patch.scale_settings->manual);
  EXPECT_EQ(patch.scale_settings->manual->target_node_count, 0);
  testing::expect_round_trip(patch, parse_cluster_update);

  EXPECT_FALSE(expect_ok(parse_cluster_update(json_of("{}"))).scale_settings.has_value());
  expect_error(parse_cluster_update(json_of(R"({"properties": {"scaleSettings": {}}})")),
               "InvalidPropertyValue", "properties.scaleSettings");
  expect_error(parse_cluster_update(json_of(R"({"properties": {"scaleSettings": {"autoScale":
      {"minimumNodeCount": 2, "maximumNodeCount": 1}}}})")),
               "InvalidPropertyValue", "properties.scaleSettings.autoScale.minimumNodeCount");
}

}  // namespace
}  // namespace emu::model
