#include "emulator/model/common_codec.hpp"

#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace emu::model {
namespace {

void put_optional(boost::json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out[key] = *value;
}

// Octal permission bits as mount.cifs takes them: 3 or 4 octal digits (777, 0777).
bool is_octal_mode(std::string_view text) {
  if (text.size() < 3 || text.size() > 4) return false;
  for (char c : text) {
    if (c < '0' || c > '7') return false;
  }
  return true;
}

bool has_parent_segment(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

std::string read_relative_mount_path(JsonReader& reader) {
  std::string path = reader.required_non_empty_string("relativeMountPath");
  if (has_parent_segment(path)) {
    reader.fail_value("relativeMountPath",
                      fmt::format("The value of {} must stay inside the mount root; got \"{}\"",
                                  reader.path_of("relativeMountPath"), path));
  }
  return path;
}

std::string read_mode(JsonReader& reader, std::string_view key) {
  std::string mode = reader.string_or(key, "0777");
  if (!is_octal_mode(mode)) {
    reader.fail_value(key,
                      fmt::format("The value of {} must be octal permission bits such as 0777; got \"{}\"",
                                  reader.path_of(key), mode));
  }
  return mode;
}

// Environment variable names as the job's process sees them: non-empty, no '=' (it ends the name).
std::string read_variable_name(JsonReader& reader) {
  std::string name = reader.required_non_empty_string("name");
  if (name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
    reader.fail_value("name", fmt::format("The value of {} must be an environment variable name without '='; "
                                          "got \"{}\"",
                                          reader.path_of("name"), name));
  }
  return name;
}

}  // namespace

ResourceId read_resource_id(JsonReader reader) { return ResourceId{reader.required_non_empty_string("id")}; }

boost::json::object to_json(const ResourceId& value) { return boost::json::object{{"id", value.id}}; }

KeyVaultSecretReference read_key_vault_secret_reference(JsonReader reader) {
  KeyVaultSecretReference out;
  out.source_vault = read_resource_id(reader.required_object("sourceVault"));
  out.secret_url = reader.required_non_empty_string("secretUrl");
  return out;
}

boost::json::object to_json(const KeyVaultSecretReference& value) {
  return boost::json::object{{"sourceVault", to_json(value.source_vault)}, {"secretUrl", value.secret_url}};
}

std::vector<EnvironmentVariable> read_environment_variables(JsonReader& parent, std::string_view key) {
  std::vector<EnvironmentVariable> out;
  std::set<std::string> seen;
  for (JsonReader item : parent.object_array(key)) {
    EnvironmentVariable variable;
    variable.name = read_variable_name(item);
    variable.value = item.required_string("value");
    if (!variable.name.empty() && !seen.insert(variable.name).second) {
      item.fail_value("name", fmt::format("The environment variable {} is defined twice in {}", variable.name,
                                          parent.path_of(key)));
    }
    out.push_back(std::move(variable));
  }
  return out;
}

boost::json::array to_json(const std::vector<EnvironmentVariable>& values) {
  boost::json::array out;
  for (const auto& variable : values)
    out.push_back(boost::json::object{{"name", variable.name}, {"value", variable.value}});
  return out;
}

std::vector<EnvironmentVariableWithSecretValue> read_secrets(JsonReader& parent, std::string_view key) {
  std::vector<EnvironmentVariableWithSecretValue> out;
  std::set<std::string> seen;
  for (JsonReader item : parent.object_array(key)) {
    EnvironmentVariableWithSecretValue secret;
    secret.name = read_variable_name(item);
    secret.value = item.optional_string("value");
    if (auto reference = item.optional_object("valueSecretReference")) {
      secret.value_secret_reference = read_key_vault_secret_reference(*reference);
    }
    if (secret.value.has_value() == secret.value_secret_reference.has_value()) {
      item.fail(
          kInvalidPropertyValue,
          fmt::format("The secret {} must have exactly one of value or valueSecretReference", item.path()),
          item.path());
    }
    if (!secret.name.empty() && !seen.insert(secret.name).second) {
      item.fail_value("name", fmt::format("The environment variable {} is defined twice in {}", secret.name,
                                          parent.path_of(key)));
    }
    out.push_back(std::move(secret));
  }
  return out;
}

boost::json::array to_json(const std::vector<EnvironmentVariableWithSecretValue>& values,
                           Visibility visibility) {
  boost::json::array out;
  for (const auto& secret : values) {
    boost::json::object item{{"name", secret.name}};
    if (visibility == Visibility::kStored) put_optional(item, "value", secret.value);
    if (secret.value_secret_reference) item["valueSecretReference"] = to_json(*secret.value_secret_reference);
    out.push_back(std::move(item));
  }
  return out;
}

void check_distinct_variable_names(JsonReader& parent, const std::vector<EnvironmentVariable>& variables,
                                   const std::vector<EnvironmentVariableWithSecretValue>& secrets) {
  std::set<std::string_view> names;
  for (const auto& variable : variables) names.insert(variable.name);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (names.count(secrets[i].name) != 0) {
      const std::string target = fmt::format("{}[{}].name", parent.path_of("secrets"), i);
      parent.fail(kInvalidPropertyValue,
                  fmt::format("The variable {} is defined in both environmentVariables and secrets of {}",
                              secrets[i].name, parent.path().empty() ? "the request" : parent.path()),
                  target);
    }
  }
}

UserAccountSettings read_user_account_settings(JsonReader reader) {
  UserAccountSettings out;
  out.admin_user_name = reader.required_non_empty_string("adminUserName");
  out.admin_user_ssh_public_key = reader.optional_string("adminUserSshPublicKey");
  out.admin_user_password = reader.optional_string("adminUserPassword");
  return out;
}

boost::json::object to_json(const UserAccountSettings& value, Visibility visibility) {
  boost::json::object out{{"adminUserName", value.admin_user_name}};
  put_optional(out, "adminUserSshPublicKey", value.admin_user_ssh_public_key);
  if (visibility == Visibility::kStored) put_optional(out, "adminUserPassword", value.admin_user_password);
  return out;
}

AzureStorageCredentialsInfo read_azure_storage_credentials(JsonReader reader) {
  AzureStorageCredentialsInfo out;
  out.account_key = reader.optional_string("accountKey");
  if (auto reference = reader.optional_object("accountKeySecretReference")) {
    out.account_key_secret_reference = read_key_vault_secret_reference(*reference);
  }
  if (out.account_key.has_value() == out.account_key_secret_reference.has_value()) {
    reader.fail(
        kInvalidPropertyValue,
        fmt::format("The credentials {} must have exactly one of accountKey or accountKeySecretReference",
                    reader.path()),
        reader.path());
  }
  return out;
}

boost::json::object to_json(const AzureStorageCredentialsInfo& value, Visibility visibility) {
  boost::json::object out;
  if (visibility == Visibility::kStored) put_optional(out, "accountKey", value.account_key);
  if (value.account_key_secret_reference) {
    out["accountKeySecretReference"] = to_json(*value.account_key_secret_reference);
  }
  return out;
}

MountVolumes read_mount_volumes(JsonReader reader) {
  MountVolumes out;
  // Every mount lands at <root>/<relativeMountPath>; two on the same path would hide one another.
  std::set<std::string> paths;
  auto claim_path = [&paths](JsonReader& item, const std::string& path) {
    if (!path.empty() && !paths.insert(path).second) {
      item.fail_value("relativeMountPath",
                      fmt::format("The value of {} is used by another mount volume: \"{}\"",
                                  item.path_of("relativeMountPath"), path));
    }
  };
  for (JsonReader item : reader.object_array("azureFileShares")) {
    AzureFileShareReference share;
    share.account_name = item.required_non_empty_string("accountName");
    share.azure_file_url = item.required_non_empty_string("azureFileUrl");
    share.credentials = read_azure_storage_credentials(item.required_object("credentials"));
    share.relative_mount_path = read_relative_mount_path(item);
    share.file_mode = read_mode(item, "fileMode");
    share.directory_mode = read_mode(item, "directoryMode");
    claim_path(item, share.relative_mount_path);
    out.azure_file_shares.push_back(std::move(share));
  }
  for (JsonReader item : reader.object_array("azureBlobFileSystems")) {
    AzureBlobFileSystemReference blob;
    blob.account_name = item.required_non_empty_string("accountName");
    blob.container_name = item.required_non_empty_string("containerName");
    blob.credentials = read_azure_storage_credentials(item.required_object("credentials"));
    blob.relative_mount_path = read_relative_mount_path(item);
    blob.mount_options = item.optional_string("mountOptions");
    claim_path(item, blob.relative_mount_path);
    out.azure_blob_file_systems.push_back(std::move(blob));
  }
  for (JsonReader item : reader.object_array("fileServers")) {
    FileServerReference server;
    server.file_server = read_resource_id(item.required_object("fileServer"));
    server.source_directory = item.optional_string("sourceDirectory");
    server.relative_mount_path = read_relative_mount_path(item);
    server.mount_options = item.optional_string("mountOptions");
    claim_path(item, server.relative_mount_path);
    out.file_servers.push_back(std::move(server));
  }
  for (JsonReader item : reader.object_array("unmanagedFileSystems")) {
    UnmanagedFileSystemReference unmanaged;
    unmanaged.mount_command = item.required_non_empty_string("mountCommand");
    unmanaged.relative_mount_path = read_relative_mount_path(item);
    claim_path(item, unmanaged.relative_mount_path);
    out.unmanaged_file_systems.push_back(std::move(unmanaged));
  }
  return out;
}

boost::json::object to_json(const MountVolumes& value, Visibility visibility) {
  boost::json::object out;
  if (!value.azure_file_shares.empty()) {
    boost::json::array items;
    for (const auto& share : value.azure_file_shares) {
      items.push_back(boost::json::object{{"accountName", share.account_name},
                                          {"azureFileUrl", share.azure_file_url},
                                          {"credentials", to_json(share.credentials, visibility)},
                                          {"relativeMountPath", share.relative_mount_path},
                                          {"fileMode", share.file_mode},
                                          {"directoryMode", share.directory_mode}});
    }
    out["azureFileShares"] = std::move(items);
  }
  if (!value.azure_blob_file_systems.empty()) {
    boost::json::array items;
    for (const auto& blob : value.azure_blob_file_systems) {
      boost::json::object item{{"accountName", blob.account_name},
                               {"containerName", blob.container_name},
                               {"credentials", to_json(blob.credentials, visibility)},
                               {"relativeMountPath", blob.relative_mount_path}};
      put_optional(item, "mountOptions", blob.mount_options);
      items.push_back(std::move(item));
    }
    out["azureBlobFileSystems"] = std::move(items);
  }
  if (!value.file_servers.empty()) {
    boost::json::array items;
    for (const auto& server : value.file_servers) {
      boost::json::object item{{"fileServer", to_json(server.file_server)}};
      put_optional(item, "sourceDirectory", server.source_directory);
      item["relativeMountPath"] = server.relative_mount_path;
      put_optional(item, "mountOptions", server.mount_options);
      items.push_back(std::move(item));
    }
    out["fileServers"] = std::move(items);
  }
  if (!value.unmanaged_file_systems.empty()) {
    boost::json::array items;
    for (const auto& unmanaged : value.unmanaged_file_systems) {
      items.push_back(boost::json::object{{"mountCommand", unmanaged.mount_command},
                                          {"relativeMountPath", unmanaged.relative_mount_path}});
    }
    out["unmanagedFileSystems"] = std::move(items);
  }
  return out;
}

boost::json::object to_json(const NameValuePair& value) {
  return boost::json::object{{"name", value.name}, {"value", value.value}};
}

boost::json::object to_json(const BatchAIError& value) {
  boost::json::object out{{"code", value.code}, {"message", value.message}};
  if (!value.details.empty()) {
    boost::json::array details;
    for (const auto& pair : value.details) details.push_back(to_json(pair));
    out["details"] = std::move(details);
  }
  return out;
}

boost::json::object to_json(const NodeStateCounts& value) {
  return boost::json::object{{"idleNodeCount", value.idle_node_count},
                             {"runningNodeCount", value.running_node_count},
                             {"preparingNodeCount", value.preparing_node_count},
                             {"unusableNodeCount", value.unusable_node_count},
                             {"leavingNodeCount", value.leaving_node_count}};
}

core::Result<BatchAIError> parse_batch_ai_error(const boost::json::value& json) {
  auto root = JsonReader::root(json);
  if (!root) return std::move(root).error();
  BatchAIError out;
  out.code = root->string_or("code", "");
  out.message = root->string_or("message", "");
  for (JsonReader item : root->object_array("details")) {
    out.details.push_back(NameValuePair{item.string_or("name", ""), item.string_or("value", "")});
  }
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<NodeStateCounts> parse_node_state_counts(const boost::json::value& json) {
  auto root = JsonReader::root(json);
  if (!root) return std::move(root).error();
  NodeStateCounts out;
  out.idle_node_count = root->int32_or("idleNodeCount", 0, 0);
  out.running_node_count = root->int32_or("runningNodeCount", 0, 0);
  out.preparing_node_count = root->int32_or("preparingNodeCount", 0, 0);
  out.unusable_node_count = root->int32_or("unusableNodeCount", 0, 0);
  out.leaving_node_count = root->int32_or("leavingNodeCount", 0, 0);
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

}  // namespace emu::model
