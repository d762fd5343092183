#pragma once
// Small types shared by every Batch AI resource: resource references, Key Vault references,
// environment variables (plain and secret), the admin user account, and the read-only error and
// node-count shapes the engine reports.
//   EnvironmentVariableWithSecretValue s{.name = "TOKEN", .value = "abc"};
//   ResourceId cluster{.id = "/subscriptions/.../clusters/c1"};

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace emu::model {

// {"id": "..."}: a reference to a cluster, subnet, file server, Key Vault or App Insights component.
struct ResourceId {
  std::string id;
  bool operator==(const ResourceId&) const = default;
};

struct KeyVaultSecretReference {
  ResourceId source_vault;
  std::string secret_url;
  bool operator==(const KeyVaultSecretReference&) const = default;
};

struct EnvironmentVariable {
  std::string name;
  std::string value;
  bool operator==(const EnvironmentVariable&) const = default;
};

// Exactly one of value / value_secret_reference is set (the parser enforces it). The value is never
// shown to clients.
struct EnvironmentVariableWithSecretValue {
  std::string name;
  std::optional<std::string> value;
  std::optional<KeyVaultSecretReference> value_secret_reference;
  bool operator==(const EnvironmentVariableWithSecretValue&) const = default;
};

// The SSH public key is public (the live service echoed it back); the password is never shown.
struct UserAccountSettings {
  std::string admin_user_name;
  std::optional<std::string> admin_user_ssh_public_key;
  std::optional<std::string> admin_user_password;
  bool operator==(const UserAccountSettings&) const = default;
};

// Read-only output types below: the engine fills them, so their members are plain.
struct NameValuePair {
  std::string name;
  std::string value;
  bool operator==(const NameValuePair&) const = default;
};

// An error inside a resource (cluster.errors, job executionInfo.errors), not the HTTP CloudError.
struct BatchAIError {
  std::string code;
  std::string message;
  std::vector<NameValuePair> details;
  bool operator==(const BatchAIError&) const = default;
};

struct NodeStateCounts {
  std::int32_t idle_node_count = 0;
  std::int32_t running_node_count = 0;
  std::int32_t preparing_node_count = 0;
  std::int32_t unusable_node_count = 0;
  std::int32_t leaving_node_count = 0;
  bool operator==(const NodeStateCounts&) const = default;
};

}  // namespace emu::model
