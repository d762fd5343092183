#pragma once
// JSON codecs of the small shared types (common_types.hpp and mount_volumes.hpp), used by every
// resource codec. read_* record problems in the reader (see JsonReader) and return what they could
// read; to_json writes spec camelCase and leaves out absent optionals and empty arrays.
//   ResourceId cluster = read_resource_id(props.required_object("cluster"));
//   out["nodeStateCounts"] = to_json(counts);

#include <optional>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/common_types.hpp"
#include "emulator/model/json_reader.hpp"
#include "emulator/model/mount_volumes.hpp"
#include "emulator/model/visibility.hpp"

namespace emu::model {

ResourceId read_resource_id(JsonReader reader);
boost::json::object to_json(const ResourceId& value);

KeyVaultSecretReference read_key_vault_secret_reference(JsonReader reader);
boost::json::object to_json(const KeyVaultSecretReference& value);

// environmentVariables: names non-empty and unique within the array.
std::vector<EnvironmentVariable> read_environment_variables(JsonReader& parent, std::string_view key);
boost::json::array to_json(const std::vector<EnvironmentVariable>& values);

// secrets: names non-empty and unique, exactly one of value / valueSecretReference. kPublic leaves
// out the value ({"name": "X"}), as the service did.
std::vector<EnvironmentVariableWithSecretValue> read_secrets(JsonReader& parent, std::string_view key);
boost::json::array to_json(const std::vector<EnvironmentVariableWithSecretValue>& values,
                           Visibility visibility);
// A name may not appear in both lists either: the process would see only one of the two values.
void check_distinct_variable_names(JsonReader& parent, const std::vector<EnvironmentVariable>& variables,
                                   const std::vector<EnvironmentVariableWithSecretValue>& secrets);

// kPublic leaves out adminUserPassword and keeps the SSH public key.
UserAccountSettings read_user_account_settings(JsonReader reader);
boost::json::object to_json(const UserAccountSettings& value, Visibility visibility);

// kPublic writes the account key out as {} (as the service did) but keeps a Key Vault reference.
AzureStorageCredentialsInfo read_azure_storage_credentials(JsonReader reader);
boost::json::object to_json(const AzureStorageCredentialsInfo& value, Visibility visibility);

// relativeMountPath: non-empty, no ".." segment, unique within the MountVolumes; fileMode and
// directoryMode: octal like 0777.
MountVolumes read_mount_volumes(JsonReader reader);
boost::json::object to_json(const MountVolumes& value, Visibility visibility);

// Read-only output types: written by the engine, parsed back from the store.
boost::json::object to_json(const NameValuePair& value);
boost::json::object to_json(const BatchAIError& value);
boost::json::object to_json(const NodeStateCounts& value);
core::Result<BatchAIError> parse_batch_ai_error(const boost::json::value& json);
core::Result<NodeStateCounts> parse_node_state_counts(const boost::json::value& json);

}  // namespace emu::model
