#pragma once
// A file server (one NFS VM over RAID 0 data disks) as clients create it, plus the read-only mount
// settings the engine reports once it is up.
//   std::int64_t gb = std::int64_t{props.data_disks.disk_count} * props.data_disks.disk_size_in_gb;

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/model/common_types.hpp"
#include "emulator/model/enums.hpp"

namespace emu::model {

// Empty public_ips_to_allow means the spec default '*' (every source address); at most 400 entries.
struct SshConfiguration {
  std::vector<std::string> public_ips_to_allow;
  UserAccountSettings user_account_settings;
  bool operator==(const SshConfiguration&) const = default;
};

struct DataDisks {
  std::int32_t disk_size_in_gb = 0;
  CachingType caching_type = CachingType::kNone;
  std::int32_t disk_count = 0;
  StorageAccountType storage_account_type = StorageAccountType::kStandardLrs;
  bool operator==(const DataDisks&) const = default;
};

// Read-only: where the file server exports its data (e.g. mount point /mnt/data, internal IP 10.0.0.4).
struct MountSettings {
  std::optional<std::string> mount_point;
  std::optional<std::string> file_server_public_ip;
  std::optional<std::string> file_server_internal_ip;
  bool operator==(const MountSettings&) const = default;
};

struct FileServerBaseProperties {
  std::string vm_size;
  SshConfiguration ssh_configuration;
  DataDisks data_disks;
  std::optional<ResourceId> subnet;
  bool operator==(const FileServerBaseProperties&) const = default;
};

}  // namespace emu::model
