#include "emulator/model/file_server_codec.hpp"

#include <utility>

#include <fmt/format.h>

#include "emulator/model/common_codec.hpp"
#include "emulator/model/json_reader.hpp"

namespace emu::model {
namespace {

constexpr std::string_view kCachingValues = "none, readonly, readwrite";
constexpr std::string_view kStorageAccountValues = "Standard_LRS, Premium_LRS";

void put_optional(boost::json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out[key] = *value;
}

SshConfiguration read_ssh_configuration(JsonReader reader) {
  SshConfiguration out;
  out.public_ips_to_allow = reader.string_array("publicIPsToAllow");
  if (out.public_ips_to_allow.size() > kMaxPublicIpsToAllow) {
    reader.fail_value("publicIPsToAllow", fmt::format("The value of {} may hold at most {} IP ranges; got {}",
                                                      reader.path_of("publicIPsToAllow"),
                                                      kMaxPublicIpsToAllow, out.public_ips_to_allow.size()));
  }
  out.user_account_settings = read_user_account_settings(reader.required_object("userAccountSettings"));
  return out;
}

DataDisks read_data_disks(JsonReader reader) {
  DataDisks out;
  out.disk_size_in_gb = reader.required_int32("diskSizeInGB", 1);
  out.caching_type = reader.enum_or("cachingType", parse_caching_type, kCachingValues, CachingType::kNone);
  out.disk_count = reader.required_int32("diskCount", 1);
  out.storage_account_type = reader.required_enum("storageAccountType", parse_storage_account_type,
                                                  kStorageAccountValues, StorageAccountType::kStandardLrs);
  return out;
}

FileServerBaseProperties read_file_server_properties(JsonReader reader) {
  FileServerBaseProperties out;
  out.vm_size = reader.required_non_empty_string("vmSize");
  out.ssh_configuration = read_ssh_configuration(reader.required_object("sshConfiguration"));
  out.data_disks = read_data_disks(reader.required_object("dataDisks"));
  if (auto subnet = reader.optional_object("subnet")) out.subnet = read_resource_id(*subnet);
  return out;
}

}  // namespace

core::Result<FileServerBaseProperties> parse_file_server_create(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  FileServerBaseProperties out = read_file_server_properties(root->required_object("properties"));
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<FileServerBaseProperties> parse_file_server_properties(const boost::json::object& properties) {
  JsonReader reader(properties, "properties");
  FileServerBaseProperties out = read_file_server_properties(reader);
  if (auto status = reader.status(); !status) return std::move(status).error();
  return out;
}

boost::json::object to_json(const FileServerBaseProperties& value, Visibility visibility) {
  boost::json::object ssh;
  if (!value.ssh_configuration.public_ips_to_allow.empty()) {
    boost::json::array ips;
    for (const auto& ip : value.ssh_configuration.public_ips_to_allow) ips.emplace_back(ip);
    ssh["publicIPsToAllow"] = std::move(ips);
  }
  ssh["userAccountSettings"] = to_json(value.ssh_configuration.user_account_settings, visibility);
  boost::json::object out{
      {"vmSize", value.vm_size},
      {"sshConfiguration", std::move(ssh)},
      {"dataDisks", boost::json::object{
                        {"diskSizeInGB", value.data_disks.disk_size_in_gb},
                        {"cachingType", to_string(value.data_disks.caching_type)},
                        {"diskCount", value.data_disks.disk_count},
                        {"storageAccountType", to_string(value.data_disks.storage_account_type)},
                    }}};
  if (value.subnet) out["subnet"] = to_json(*value.subnet);
  return out;
}

boost::json::object to_json(const MountSettings& value) {
  boost::json::object out;
  put_optional(out, "mountPoint", value.mount_point);
  put_optional(out, "fileServerPublicIP", value.file_server_public_ip);
  put_optional(out, "fileServerInternalIP", value.file_server_internal_ip);
  return out;
}

core::Result<MountSettings> parse_mount_settings(const boost::json::value& json) {
  auto root = JsonReader::root(json);
  if (!root) return std::move(root).error();
  MountSettings out;
  out.mount_point = root->optional_string("mountPoint");
  out.file_server_public_ip = root->optional_string("fileServerPublicIP");
  out.file_server_internal_ip = root->optional_string("fileServerInternalIP");
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

}  // namespace emu::model
