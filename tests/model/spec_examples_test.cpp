// The request bodies of the spec's examples parse with the parser of their operation, and what
// clients would be shown of them carries none of the secrets the request held.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "emulator/model/workspace_codec.hpp"
#include "tests/model/model_test_util.hpp"

namespace emu::model {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(EMU_SHARED_DIR) / "spec" / "examples";
const std::set<std::string_view> kSecretKeys = {"adminUserPassword", "accountKey", "password",
                                                "instrumentationKey"};

// Every secret string of a request body: values of the secret keys, and `value` of secrets entries.
void collect_secrets(const boost::json::value& json, std::vector<std::string>& out, bool in_secrets = false) {
  if (json.is_array()) {
    for (const auto& item : json.as_array()) collect_secrets(item, out, in_secrets);
  } else if (json.is_object()) {
    for (const auto& member : json.as_object()) {
      const std::string_view key = member.key();
      if (member.value().is_string() && (kSecretKeys.count(key) != 0 || (in_secrets && key == "value"))) {
        out.emplace_back(member.value().as_string());
      }
      collect_secrets(member.value(), out, key == "secrets");
    }
  }
}

// Keys that must never reach a client, wherever they appear.
void expect_no_secret_keys(const boost::json::value& json, const std::string& where) {
  if (json.is_array()) {
    for (const auto& item : json.as_array()) expect_no_secret_keys(item, where);
  } else if (json.is_object()) {
    for (const auto& member : json.as_object()) {
      EXPECT_EQ(kSecretKeys.count(member.key()), 0u) << member.key() << " in " << where;
      expect_no_secret_keys(member.value(), where);
    }
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The public properties JSON of a request body, by operation (the example's file name).
std::optional<boost::json::value> parse_and_show(const std::string& operation,
                                                 const boost::json::value& body) {
  auto show = [](const auto& result) -> std::optional<boost::json::value> {
    if (!result.ok()) {
      ADD_FAILURE() << result.error().code << " at " << result.error().target << ": "
                    << result.error().message;
      return std::nullopt;
    }
    return boost::json::value(to_json(*result, Visibility::kPublic));
  };
  if (operation == "PutCluster") return show(parse_cluster_create(body));
  if (operation == "PatchCluster") return show(parse_cluster_update(body));
  if (operation == "PutJob") return show(parse_job_create(body));
  if (operation == "PutFileServer") return show(parse_file_server_create(body));
  if (operation == "PutWorkspace") return show(parse_workspace_create(body));
  if (operation == "PatchWorkspace") return show(parse_workspace_update(body));
  if (operation == "PutExperiment") {
    EXPECT_TRUE(parse_experiment_create(body).ok());
    return boost::json::value(boost::json::object{});
  }
  ADD_FAILURE() << "no parser for the request body of " << operation;
  return std::nullopt;
}

TEST(SpecExamplesTest, RequestBodiesParseAndShowNoSecrets) {
  if (!fs::is_directory(kExamples)) GTEST_SKIP() << "no spec examples at " << kExamples;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int bodies = 0;
  for (const fs::path& path : files) {
    const std::string operation = path.stem().string();
    SCOPED_TRACE(operation);
    boost::json::value example = boost::json::parse(read_text(path));
    const boost::json::object& parameters = example.at("parameters").as_object();
    const boost::json::value* body = parameters.if_contains("parameters");
    if (body == nullptr) continue;  // GET, DELETE, POST: no request body
    ++bodies;
    std::optional<boost::json::value> shown = parse_and_show(operation, *body);
    if (!shown) continue;
    expect_no_secret_keys(*shown, operation);
    std::vector<std::string> secrets;
    collect_secrets(*body, secrets);
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(testing::json_contains(*shown, secret)) << secret << " shown in " << operation;
    }
  }
  EXPECT_EQ(bodies, 7);  // PUT cluster, experiment, file server, job, workspace; PATCH cluster, workspace
}

TEST(SpecExamplesTest, PutClusterKeepsWhatTheResponseShows) {
  if (!fs::is_directory(kExamples)) GTEST_SKIP() << "no spec examples at " << kExamples;
  boost::json::value example = boost::json::parse(read_text(kExamples / "PutCluster.json"));
  auto cluster = parse_cluster_create(example.at("parameters").at("parameters"));
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  boost::json::object shown = to_json(*cluster, Visibility::kPublic);
  const boost::json::object& response =
      example.at("responses").at("200").at("body").at("properties").as_object();
  EXPECT_EQ(shown.at("scaleSettings"), response.at("scaleSettings"));
  EXPECT_EQ(shown.at("vmPriority"), response.at("vmPriority"));
  // The example response left the SSH key out; the live service echoed it (recordings), so it stays.
  EXPECT_EQ(shown.at("userAccountSettings").at("adminUserName"), "admin_user_name");
  EXPECT_EQ(shown.at("nodeSetup").at("mountVolumes").at("azureFileShares").at(0).at("credentials"),
            boost::json::object{});
}

}  // namespace
}  // namespace emu::model
