#include "emulator/model/job_codec.hpp"

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

// A job on 2 nodes with `extra` members appended to its properties.
boost::json::value job(std::string_view extra, int node_count = 2) {
  return json_of(
      std::string(R"({"properties": {"cluster": {"id": "/subscriptions/s/clusters/c"}, "nodeCount": )") +
      std::to_string(node_count) + R"(, "stdOutErrPathPrefix": "$AZ_BATCHAI_MOUNT_ROOT/logs")" +
      std::string(extra) + "}}");
}

TEST(JobCodecTest, MinimalJobGetsTheSpecDefaults) {
  const JobBaseProperties& parsed = expect_ok(parse_job_create(job("")));
  EXPECT_EQ(parsed.cluster.id, "/subscriptions/s/clusters/c");
  EXPECT_EQ(parsed.node_count, 2);
  EXPECT_EQ(parsed.scheduling_priority, JobPriority::kNormal);
  EXPECT_EQ(parsed.constraints.max_wall_clock_time, std::chrono::hours(24 * 7));
  EXPECT_EQ(parsed.tool_type(), ToolType::kCustom);
  boost::json::object shown = to_json(parsed, Visibility::kPublic);
  EXPECT_EQ(shown.at("toolType"), "custom");
  EXPECT_EQ(shown.at("schedulingPriority"), "normal");
  EXPECT_EQ(boost::json::serialize(shown.at("constraints")), R"({"maxWallClockTime":"P7D"})");
  EXPECT_FALSE(shown.contains("customToolkitSettings"));
  testing::expect_round_trip(parsed, parse_job_create);
}

TEST(JobCodecTest, EveryToolkitRoundTripsWithItsToolType) {
  struct Case {
    std::string settings;
    ToolType tool;
  };
  const std::vector<Case> cases = {
      {R"("cntkSettings": {"languageType": "BrainScript", "configFilePath": "c.cntk", "commandLineArgs": "a=1",
          "processCount": 2})",
       ToolType::kCntk},
      {R"("cntkSettings": {"languageType": "python", "pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py"})",
       ToolType::kCntk},
      {R"("cntkSettings": {"pythonScriptFilePath": "t.py"})", ToolType::kCntk},
      {R"("pyTorchSettings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py", "commandLineArgs": "-x",
          "processCount": 2, "communicationBackend": "gloo"})",
       ToolType::kPyTorch},
      {R"("tensorFlowSettings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py",
          "masterCommandLineArgs": "m", "workerCommandLineArgs": "w", "parameterServerCommandLineArgs": "p",
          "workerCount": 2, "parameterServerCount": 1})",
       ToolType::kTensorFlow},
      {R"("caffeSettings": {"configFilePath": "solver.prototxt", "commandLineArgs": "-gpu 0", "processCount": 1})",
       ToolType::kCaffe},
      {R"("caffeSettings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py"})",
       ToolType::kCaffe},
      {R"("caffe2Settings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py", "commandLineArgs": "a"})",
       ToolType::kCaffe2},
      {R"("chainerSettings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py", "commandLineArgs": "a",
          "processCount": 4})",
       ToolType::kChainer},
      {R"("customToolkitSettings": {"commandLine": "echo hi"})", ToolType::kCustom},
      {R"("customToolkitSettings": {})", ToolType::kCustom},
      {R"("customMpiSettings": {"commandLine": "mpirun hostname", "processCount": 2})", ToolType::kCustomMpi},
      {R"("horovodSettings": {"pythonScriptFilePath": "t.py", "pythonInterpreterPath": "/py", "commandLineArgs": "a",
          "processCount": 2})",
       ToolType::kHorovod},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.settings);
    const JobBaseProperties& parsed = expect_ok(parse_job_create(job(", " + c.settings)));
    EXPECT_EQ(parsed.tool_type(), c.tool);
    EXPECT_EQ(to_json(parsed, Visibility::kPublic).at("toolType").as_string(), to_string(c.tool));
    testing::expect_round_trip(parsed, parse_job_create);
  }
}

TEST(JobCodecTest, ToolkitDetails) {
  const JobBaseProperties& torch =
      expect_ok(parse_job_create(job(R"(, "pyTorchSettings": {"pythonScriptFilePath": "t.py",
      "communicationBackend": "gloo"})")));
  EXPECT_EQ(torch.py_torch_settings->communication_backend, PyTorchBackend::kGloo);
  EXPECT_EQ(to_json(torch, Visibility::kPublic).at("pyTorchSettings").at("communicationBackend"), "Gloo");

  const JobBaseProperties& cntk =
      expect_ok(parse_job_create(job(R"(, "cntkSettings": {"configFilePath": "c.cntk"})")));
  EXPECT_FALSE(cntk.cntk_settings->language_type.has_value());
  EXPECT_EQ(cntk.cntk_settings->effective_language_type(), CntkLanguageType::kBrainScript);
  const JobBaseProperties& python =
      expect_ok(parse_job_create(job(R"(, "cntkSettings": {"pythonScriptFilePath": "t.py"})")));
  EXPECT_EQ(python.cntk_settings->effective_language_type(), CntkLanguageType::kPython);
}

TEST(JobCodecTest, FullJobRoundTripsAndHidesSecrets) {
  const JobBaseProperties& parsed = expect_ok(parse_job_create(job(std::string(R"(,
      "schedulingPriority": "high",
      "mountVolumes": {"azureFileShares": [{"accountName": "a", "azureFileUrl": "https://a.file.core.windows.net/logs",
          "credentials": {"accountKey": "job-account-key"}, "relativeMountPath": "logs"}]},
      "containerSettings": {"shmSize": "16gb", "imageSourceRegistry": {"serverUrl": "demo.azurecr.io",
          "image": "demo.azurecr.io/img", "credentials": {"username": "demo", "password": "registry-password"}}},
      "horovodSettings": {"pythonScriptFilePath": "t.py"},
      "jobPreparation": {"commandLine": "pip install horovod"},
      "inputDirectories": [{"id": "DATASET", "path": "$AZ_BATCHAI_MOUNT_ROOT/data"}],
      "outputDirectories": [{"id": "MODEL", "pathPrefix": "$AZ_BATCHAI_MOUNT_ROOT/out", "pathSuffix": "Models"},
                            {"id": "LOGS_2", "pathPrefix": "p"}],
      "environmentVariables": [{"name": "EMULATOR_SIM_DURATION", "value": "PT10M"}],
      "secrets": [{"name": "TOKEN", "value": "job-secret-value"}, {"name": "REF", "valueSecretReference": )") +
                                                                   std::string(kVault) + R"(}],
      "constraints": {"maxWallClockTime": "1.12:30:00"},
      "toolType": "cntk", "jobOutputDirectoryPathSegment": "ignored", "experimentName": "ignored")")));
  EXPECT_EQ(parsed.scheduling_priority, JobPriority::kHigh);
  EXPECT_EQ(parsed.tool_type(), ToolType::kHorovod);  // the client's toolType is not taken
  EXPECT_EQ(parsed.constraints.max_wall_clock_time, std::chrono::hours(36) + std::chrono::minutes(30));
  EXPECT_EQ(parsed.container_settings->image_source_registry.credentials->password, "registry-password");
  testing::expect_round_trip(parsed, parse_job_create);
  EXPECT_EQ(expect_ok(parse_job_properties(to_json(parsed, Visibility::kStored))), parsed);

  boost::json::object shown = to_json(parsed, Visibility::kPublic);
  EXPECT_EQ(boost::json::serialize(shown.at("constraints")), R"({"maxWallClockTime":"P1DT12H30M"})");
  for (const char* secret : {"job-account-key", "registry-password", "job-secret-value"}) {
    EXPECT_FALSE(testing::json_contains(shown, secret)) << secret;
  }
  EXPECT_EQ(boost::json::serialize(shown.at("secrets").at(0)), R"({"name":"TOKEN"})");
  EXPECT_EQ(shown.at("containerSettings").at("imageSourceRegistry").at("credentials").at("username"), "demo");
}

TEST(JobCodecTest, RequiredFieldsAndCounts) {
  expect_error(parse_job_create(json_of(R"({"properties": {"nodeCount": 1, "stdOutErrPathPrefix": "p"}})")),
               "MissingRequiredProperty", "properties.cluster");
  expect_error(
      parse_job_create(json_of(R"({"properties": {"cluster": {"id": "/c"}, "stdOutErrPathPrefix": "p"}})")),
      "MissingRequiredProperty", "properties.nodeCount");
  expect_error(parse_job_create(json_of(R"({"properties": {"cluster": {"id": "/c"}, "nodeCount": 1}})")),
               "MissingRequiredProperty", "properties.stdOutErrPathPrefix");
  expect_error(parse_job_create(job("", 0)), "InvalidPropertyValue", "properties.nodeCount");
  expect_error(parse_job_create(job(R"(, "schedulingPriority": "urgent")")), "InvalidPropertyValue",
               "properties.schedulingPriority");
  expect_error(parse_job_create(job(R"(, "customMpiSettings": {"commandLine": "x", "processCount": 0})")),
               "InvalidPropertyValue", "properties.customMpiSettings.processCount");
  expect_error(parse_job_create(job(R"(, "customMpiSettings": {})")), "MissingRequiredProperty",
               "properties.customMpiSettings.commandLine");
  expect_error(parse_job_create(job(R"(, "horovodSettings": {"processCount": 2})")),
               "MissingRequiredProperty", "properties.horovodSettings.pythonScriptFilePath");
  expect_error(parse_job_create(job(R"(, "jobPreparation": {})")), "MissingRequiredProperty",
               "properties.jobPreparation.commandLine");
  expect_error(parse_job_create(job(R"(, "containerSettings": {"imageSourceRegistry": {}})")),
               "MissingRequiredProperty", "properties.containerSettings.imageSourceRegistry.image");
}

TEST(JobCodecTest, AtMostOneToolkit) {
  std::string message = expect_error(
      parse_job_create(job(
          R"(, "cntkSettings": {"configFilePath": "c"}, "tensorFlowSettings": {"pythonScriptFilePath": "t"})")),
      "InvalidPropertyValue", "properties.tensorFlowSettings");
  EXPECT_NE(message.find("properties.cntkSettings"), std::string::npos) << message;
  EXPECT_NE(message.find("properties.tensorFlowSettings"), std::string::npos) << message;
}

TEST(JobCodecTest, ToolkitRules) {
  // TensorFlow: parameter servers share the job's nodes; at least one worker.
  expect_error(parse_job_create(job(
                   R"(, "tensorFlowSettings": {"pythonScriptFilePath": "t", "parameterServerCount": 3})")),
               "InvalidPropertyValue", "properties.tensorFlowSettings.parameterServerCount");
  expect_error(
      parse_job_create(job(R"(, "tensorFlowSettings": {"pythonScriptFilePath": "t", "workerCount": 0})")),
      "InvalidPropertyValue", "properties.tensorFlowSettings.workerCount");
  EXPECT_TRUE(
      parse_job_create(job(R"(, "tensorFlowSettings": {"pythonScriptFilePath": "t", "parameterServerCount": 2,
      "workerCount": 8})"))
          .ok());
  // Caffe: exactly one of the two entry points; an interpreter only with a script.
  expect_error(parse_job_create(job(R"(, "caffeSettings": {})")), "InvalidPropertyValue",
               "properties.caffeSettings");
  expect_error(
      parse_job_create(job(R"(, "caffeSettings": {"configFilePath": "c", "pythonScriptFilePath": "t"})")),
      "InvalidPropertyValue", "properties.caffeSettings");
  expect_error(
      parse_job_create(job(R"(, "caffeSettings": {"configFilePath": "c", "pythonInterpreterPath": "/py"})")),
      "InvalidPropertyValue", "properties.caffeSettings.pythonInterpreterPath");
  // CNTK: the language decides which file is needed.
  expect_error(parse_job_create(job(R"(, "cntkSettings": {"languageType": "BrainScript"})")),
               "MissingRequiredProperty", "properties.cntkSettings.configFilePath");
  expect_error(
      parse_job_create(job(R"(, "cntkSettings": {"languageType": "Python", "configFilePath": "c"})")),
      "MissingRequiredProperty", "properties.cntkSettings.pythonScriptFilePath");
  expect_error(
      parse_job_create(job(R"(, "cntkSettings": {"languageType": "Python", "pythonScriptFilePath": "t",
      "configFilePath": "c"})")),
      "InvalidPropertyValue", "properties.cntkSettings.configFilePath");
  expect_error(
      parse_job_create(job(R"(, "cntkSettings": {"languageType": "BrainScript", "configFilePath": "c",
      "pythonScriptFilePath": "t"})")),
      "InvalidPropertyValue", "properties.cntkSettings.pythonScriptFilePath");
  expect_error(parse_job_create(job(R"(, "cntkSettings": {"languageType": "Lua"})")), "InvalidPropertyValue",
               "properties.cntkSettings.languageType");
  expect_error(parse_job_create(job(R"(, "cntkSettings": {})")), "InvalidPropertyValue",
               "properties.cntkSettings");
  // PyTorch backends are TCP, Gloo or MPI.
  expect_error(parse_job_create(job(
                   R"(, "pyTorchSettings": {"pythonScriptFilePath": "t", "communicationBackend": "nccl"})")),
               "InvalidPropertyValue", "properties.pyTorchSettings.communicationBackend");
  // Private registries: password or a Key Vault reference, not both, not neither.
  auto registry = [](std::string_view credentials) {
    return job(
        std::string(R"(, "containerSettings": {"imageSourceRegistry": {"image": "i", "credentials": )") +
        std::string(credentials) + "}}");
  };
  expect_error(parse_job_create(registry(R"({"username": "u"})")), "InvalidPropertyValue",
               "properties.containerSettings.imageSourceRegistry.credentials");
  expect_error(parse_job_create(
                   registry(std::string(R"({"username": "u", "password": "p", "passwordSecretReference": )") +
                            std::string(kVault) + "}")),
               "InvalidPropertyValue", "properties.containerSettings.imageSourceRegistry.credentials");
  EXPECT_TRUE(parse_job_create(registry(std::string(R"({"username": "u", "passwordSecretReference": )") +
                                        std::string(kVault) + "}"))
                  .ok());
}

TEST(JobCodecTest, DirectoriesAndVariables) {
  expect_error(parse_job_create(job(R"(, "inputDirectories": [{"id": "my-data", "path": "p"}])")),
               "InvalidPropertyValue", "properties.inputDirectories[0].id");
  expect_error(parse_job_create(job(R"(, "inputDirectories": [{"id": "", "path": "p"}])")),
               "InvalidPropertyValue", "properties.inputDirectories[0].id");
  expect_error(
      parse_job_create(job(R"(, "inputDirectories": [{"id": "A", "path": "p"}, {"id": "A", "path": "q"}])")),
      "InvalidPropertyValue", "properties.inputDirectories[1].id");
  expect_error(parse_job_create(job(R"(, "inputDirectories": [{"id": "A"}])")), "MissingRequiredProperty",
               "properties.inputDirectories[0].path");
  expect_error(parse_job_create(job(R"(, "outputDirectories": [{"id": "OUT"}])")), "MissingRequiredProperty",
               "properties.outputDirectories[0].pathPrefix");
  expect_error(parse_job_create(job(R"(, "outputDirectories": [{"id": "STDOUTERR", "pathPrefix": "p"}])")),
               "InvalidPropertyValue", "properties.outputDirectories[0].id");
  expect_error(
      parse_job_create(
          job(R"(, "outputDirectories": [{"id": "O", "pathPrefix": "p"}, {"id": "O", "pathPrefix": "q"}])")),
      "InvalidPropertyValue", "properties.outputDirectories[1].id");
  // The same id may name an input and an output: they are different variables.
  EXPECT_TRUE(parse_job_create(job(R"(, "inputDirectories": [{"id": "D", "path": "p"}],
      "outputDirectories": [{"id": "D", "pathPrefix": "p"}])"))
                  .ok());
  expect_error(
      parse_job_create(
          job(R"(, "environmentVariables": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}])")),
      "InvalidPropertyValue", "properties.environmentVariables[1].name");
  expect_error(parse_job_create(job(R"(, "secrets": [{"name": "S"}])")), "InvalidPropertyValue",
               "properties.secrets[0]");
}

TEST(JobCodecTest, MaxWallClockTime) {
  auto with_limit = [](std::string_view text) {
    return parse_job_create(
        job(std::string(R"(, "constraints": {"maxWallClockTime": ")") + std::string(text) + "\"}"));
  };
  EXPECT_EQ(expect_ok(with_limit("7.00:00:00")).constraints.max_wall_clock_time, std::chrono::hours(24 * 7));
  EXPECT_EQ(expect_ok(with_limit("PT10M")).constraints.max_wall_clock_time, std::chrono::minutes(10));
  EXPECT_EQ(boost::json::serialize(
                to_json(expect_ok(with_limit("01:30:00")), Visibility::kPublic).at("constraints")),
            R"({"maxWallClockTime":"PT1H30M"})");
  expect_error(with_limit("a week"), "InvalidPropertyValue", "properties.constraints.maxWallClockTime");
  expect_error(with_limit("PT0S"), "InvalidPropertyValue", "properties.constraints.maxWallClockTime");
  expect_error(parse_job_create(job(R"(, "constraints": {"maxWallClockTime": 3600})")), "InvalidPropertyType",
               "properties.constraints.maxWallClockTime");
  EXPECT_EQ(expect_ok(parse_job_create(job(R"(, "constraints": {})"))).constraints.max_wall_clock_time,
            kDefaultMaxWallClockTime);
}

}  // namespace
}  // namespace emu::model
