#pragma once
// What a cluster (nodeSetup.mountVolumes, under $AZ_BATCHAI_MOUNT_ROOT) or a job (mountVolumes,
// under $AZ_BATCHAI_JOB_MOUNT_ROOT) mounts: Azure File shares, blob containers, Batch AI file
// servers and arbitrary mount commands.
//   for (const auto& share : volumes.azure_file_shares) mount(share.azure_file_url,
//   share.relative_mount_path);

#include <optional>
#include <string>
#include <vector>

#include "emulator/model/common_types.hpp"

namespace emu::model {

// Exactly one of account_key / account_key_secret_reference is set (the parser enforces it).
struct AzureStorageCredentialsInfo {
  std::optional<std::string> account_key;
  std::optional<KeyVaultSecretReference> account_key_secret_reference;
  bool operator==(const AzureStorageCredentialsInfo&) const = default;
};

struct AzureFileShareReference {
  std::string account_name;
  std::string azure_file_url;
  AzureStorageCredentialsInfo credentials;
  std::string relative_mount_path;
  std::string file_mode = "0777";
  std::string directory_mode = "0777";
  bool operator==(const AzureFileShareReference&) const = default;
};

struct AzureBlobFileSystemReference {
  std::string account_name;
  std::string container_name;
  AzureStorageCredentialsInfo credentials;
  std::string relative_mount_path;
  std::optional<std::string> mount_options;
  bool operator==(const AzureBlobFileSystemReference&) const = default;
};

struct FileServerReference {
  ResourceId file_server;
  std::optional<std::string> source_directory;
  std::string relative_mount_path;
  std::optional<std::string> mount_options;
  bool operator==(const FileServerReference&) const = default;
};

struct UnmanagedFileSystemReference {
  std::string mount_command;
  std::string relative_mount_path;
  bool operator==(const UnmanagedFileSystemReference&) const = default;
};

struct MountVolumes {
  std::vector<AzureFileShareReference> azure_file_shares;
  std::vector<AzureBlobFileSystemReference> azure_blob_file_systems;
  std::vector<FileServerReference> file_servers;
  std::vector<UnmanagedFileSystemReference> unmanaged_file_systems;
  bool operator==(const MountVolumes&) const = default;
};

}  // namespace emu::model
