// Every real Batch AI input under recipes/ parses with the parser its kind calls for. The files are
// CLI config files, so first the test does what the CLI did before sending them: substitute the
// storage placeholders and fill in what command-line flags supplied (cluster, vm size, admin user,
// storage account name and key for mounts that name only a URL).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/system/error_code.hpp>

#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

namespace fs = std::filesystem;

const fs::path kRecipes = fs::path(EMU_SHARED_DIR) / "recipes";
constexpr std::string_view kStorageAccount = "emulatorstorage";
constexpr std::string_view kStorageKey = "ZW11bGF0b3Itc3RvcmFnZS1rZXk=";

enum class Kind {
  kJob,
  kCluster,
  kFileServer,
  kMountVolumesFragment,
  kJobFragment,
  kNotABody,
  kInvalidOnPurpose
};

// Which parser a file is for, from its name (recipes/README.md says which is which).
std::optional<Kind> classify(const fs::path& relative) {
  const std::string name = relative.filename().string();
  if (*relative.begin() == "_schemas") return Kind::kNotABody;  // JSON schemas, not inputs
  if (name.rfind("output-", 0) == 0) return Kind::kNotABody;    // what the CLI printed
  if (name == "job-fragment-private-registry-keyvault.json")
    return Kind::kInvalidOnPurpose;  // elided with ...
  if (name.rfind("job-fragment-", 0) == 0) return Kind::kJobFragment;
  if (name.rfind("fragment-", 0) == 0) return Kind::kMountVolumesFragment;
  if (name.find("file_server") != std::string::npos) return Kind::kFileServer;
  if (name.find("cluster") != std::string::npos) return Kind::kCluster;
  if (name.find("job") != std::string::npos || name == "jj.json" || name == "config.json") return Kind::kJob;
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

boost::json::object& member_object(boost::json::object& parent, std::string_view key) {
  if (!parent.contains(key) || !parent[key].is_object()) parent[key] = boost::json::object{};
  return parent[key].as_object();
}

// The CLI completes mounts from --storage-account-name/--storage-account-key (or its config).
void fill_in_mount_volumes(boost::json::object& volumes) {
  for (std::string_view list : {"azureFileShares", "azureBlobFileSystems"}) {
    if (!volumes.contains(list) || !volumes[list].is_array()) continue;
    for (auto& item : volumes[list].as_array()) {
      if (!item.is_object()) continue;
      boost::json::object& mount = item.as_object();
      if (!mount.contains("accountName")) mount["accountName"] = kStorageAccount;
      if (!mount.contains("credentials"))
        mount["credentials"] = boost::json::object{{"accountKey", kStorageKey}};
    }
  }
}

void fill_in_cluster(boost::json::object& properties) {
  if (!properties.contains("vmSize")) properties["vmSize"] = "STANDARD_NC6";  // -s
  if (!properties.contains("userAccountSettings")) {                          // -u / -p
    properties["userAccountSettings"] =
        boost::json::object{{"adminUserName", "demoUser"}, {"adminUserPassword", "x"}};
  }
  if (properties.contains("nodeSetup") && properties["nodeSetup"].as_object().contains("mountVolumes")) {
    fill_in_mount_volumes(properties["nodeSetup"].as_object()["mountVolumes"].as_object());
  }
}

void fill_in_job(boost::json::object& properties) {
  if (!properties.contains("cluster")) {  // --cluster
    properties["cluster"] = boost::json::object{
        {"id",
         "/subscriptions/s/resourceGroups/batchai.recipes/providers/Microsoft.BatchAI/workspaces/"
         "recipe_workspace/clusters/nc6"}};
  }
  if (!properties.contains("nodeCount")) properties["nodeCount"] = 1;
  if (!properties.contains("stdOutErrPathPrefix"))
    properties["stdOutErrPathPrefix"] = "$AZ_BATCHAI_MOUNT_ROOT/afs";
  if (properties.contains("mountVolumes")) fill_in_mount_volumes(member_object(properties, "mountVolumes"));
}

ToolType expected_tool_type(const boost::json::object& properties) {
  static const std::map<std::string_view, ToolType> kByKey = {{"cntkSettings", ToolType::kCntk},
                                                              {"pyTorchSettings", ToolType::kPyTorch},
                                                              {"tensorFlowSettings", ToolType::kTensorFlow},
                                                              {"caffeSettings", ToolType::kCaffe},
                                                              {"caffe2Settings", ToolType::kCaffe2},
                                                              {"chainerSettings", ToolType::kChainer},
                                                              {"customToolkitSettings", ToolType::kCustom},
                                                              {"customMpiSettings", ToolType::kCustomMpi},
                                                              {"horovodSettings", ToolType::kHorovod}};
  for (const auto& [key, tool] : kByKey) {
    if (properties.contains(key)) return tool;
  }
  return ToolType::kCustom;
}

TEST(RecipesTest, EveryRecipeParsesWithTheParserOfItsKind) {
  if (!fs::is_directory(kRecipes)) GTEST_SKIP() << "no recipes folder at " << kRecipes;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kRecipes)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  std::map<Kind, int> parsed;
  for (const fs::path& path : files) {
    const fs::path relative = fs::relative(path, kRecipes);
    SCOPED_TRACE(relative.string());
    std::optional<Kind> kind = classify(relative);
    ASSERT_TRUE(kind.has_value()) << "no rule says which parser reads " << relative;
    if (*kind == Kind::kNotABody) continue;

    std::string text = read_text(path);
    replace_all(text, "<AZURE_BATCHAI_STORAGE_ACCOUNT>", kStorageAccount);
    replace_all(text, "<AZURE_BATCHAI_STORAGE_KEY>", kStorageKey);
    boost::system::error_code ec;
    boost::json::value json = boost::json::parse(text, ec);
    if (*kind == Kind::kInvalidOnPurpose) {
      EXPECT_TRUE(ec.failed()) << "the elided fragment must not be accepted as JSON";
      ++parsed[*kind];
      continue;
    }
    ASSERT_FALSE(ec.failed()) << ec.message();
    ASSERT_TRUE(json.is_object());

    switch (*kind) {
      case Kind::kJob:
      case Kind::kJobFragment: {
        boost::json::object& properties = member_object(json.as_object(), "properties");
        fill_in_job(properties);
        const ToolType tool = expected_tool_type(properties);
        auto job = parse_job_create(json);
        const JobBaseProperties& value = testing::expect_ok(job);
        if (!job.ok()) break;
        EXPECT_EQ(value.tool_type(), tool);
        testing::expect_round_trip(value, parse_job_create);
        break;
      }
      case Kind::kCluster: {
        fill_in_cluster(member_object(json.as_object(), "properties"));
        auto cluster = parse_cluster_create(json);
        if (cluster.ok())
          testing::expect_round_trip(*cluster, parse_cluster_create);
        else
          testing::expect_ok(cluster);
        break;
      }
      case Kind::kMountVolumesFragment: {
        // A piece of nodeSetup.mountVolumes: place it in a cluster the way the doc means.
        boost::json::object fragment = json.as_object();
        boost::json::object cluster_json{
            {"properties",
             boost::json::object{{"nodeSetup", boost::json::object{{"mountVolumes", fragment}}}}}};
        fill_in_cluster(cluster_json["properties"].as_object());
        auto cluster = parse_cluster_create(cluster_json);
        testing::expect_ok(cluster);
        break;
      }
      case Kind::kFileServer: {
        auto server = parse_file_server_create(json);
        if (server.ok())
          testing::expect_round_trip(*server, parse_file_server_create);
        else
          testing::expect_ok(server);
        break;
      }
      default:
        break;
    }
    ++parsed[*kind];
  }
  EXPECT_GE(parsed[Kind::kJob], 40);
  EXPECT_GE(parsed[Kind::kCluster], 8);
  EXPECT_EQ(parsed[Kind::kFileServer], 1);
  EXPECT_EQ(parsed[Kind::kInvalidOnPurpose], 1);
}

// Spot checks that the recipes mean what the README says they do.
TEST(RecipesTest, SelectedRecipesKeepTheirSettings) {
  if (!fs::is_directory(kRecipes)) GTEST_SKIP() << "no recipes folder at " << kRecipes;
  auto load_job = [](const char* relative) {
    boost::json::value json = boost::json::parse(read_text(kRecipes / relative));
    fill_in_job(member_object(json.as_object(), "properties"));
    return parse_job_create(json);
  };
  auto tf = load_job("TensorFlow-GPU-Distributed/job.json");
  ASSERT_TRUE(tf.ok()) << tf.error().message;
  EXPECT_EQ(tf->node_count, 2);
  EXPECT_EQ(tf->tensor_flow_settings->worker_count, 2);
  EXPECT_EQ(tf->tensor_flow_settings->parameter_server_count, 1);
  EXPECT_EQ(tf->output_directories.size(), 2u);

  auto torch = load_job("PyTorch-GPU-Distributed-Gloo/job.json");
  ASSERT_TRUE(torch.ok()) << torch.error().message;
  EXPECT_EQ(torch->tool_type(), ToolType::kPyTorch);
  EXPECT_EQ(torch->py_torch_settings->communication_backend, PyTorchBackend::kGloo);

  auto brainscript = load_job("CNTK-GPU-BrainScript/job.json");
  ASSERT_TRUE(brainscript.ok()) << brainscript.error().message;
  EXPECT_EQ(brainscript->cntk_settings->effective_language_type(), CntkLanguageType::kBrainScript);

  // The 2017 key credentialsInfo is ignored; the CLI then supplies credentials itself.
  boost::json::value cluster =
      boost::json::parse(read_text(kRecipes / "azure-cli-batchai-tests/cluster_with_azure_files.json"));
  auto without_fill_in = parse_cluster_create(cluster);
  testing::expect_error(without_fill_in, "MissingRequiredProperty",
                        "properties.nodeSetup.mountVolumes.azureFileShares[0].credentials");

  boost::json::value sample =
      boost::json::parse(read_text(kRecipes / "azure-cli-samples-create-cluster/cluster.json"));
  fill_in_cluster(member_object(sample.as_object(), "properties"));
  auto autoscale = parse_cluster_create(sample);
  ASSERT_TRUE(autoscale.ok()) << autoscale.error().message;
  EXPECT_EQ(autoscale->vm_priority, VmPriority::kLowPriority);
  ASSERT_TRUE(autoscale->scale_settings.auto_scale.has_value());
  EXPECT_EQ(autoscale->scale_settings.auto_scale->initial_node_count, 1);
  EXPECT_EQ(autoscale->scale_settings.auto_scale->maximum_node_count, 3);
}

}  // namespace
}  // namespace emu::model
