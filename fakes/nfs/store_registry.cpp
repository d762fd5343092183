#include "fakes/nfs/store_registry.hpp"

#include <fmt/format.h>

namespace emu::fakes {

StoreRegistry::StoreRegistry(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

std::filesystem::path StoreRegistry::store_directory(const std::filesystem::path& data_dir, StoreKind kind,
                                                     const std::string& key) {
  std::string folder;
  folder.reserve(key.size() + 16);
  for (const char c : key) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (plain) {
      folder.push_back(c);
    } else {
      folder += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  // "." and ".." are valid keys for nobody, but must never name the parent folder.
  if (folder == "." || folder == "..") folder = "%2E" + folder.substr(1);
  return data_dir / "storage" / std::string(store_kind_folder(kind)) / folder;
}

core::Result<std::shared_ptr<NfsStore>> StoreRegistry::open(StoreKind kind, const std::string& key,
                                                            std::uint64_t capacity_bytes) {
  std::lock_guard lock(mutex_);
  auto found = stores_.find({kind, key});
  if (found != stores_.end()) {
    if (capacity_bytes != 0) found->second->set_capacity_bytes(capacity_bytes);
    return found->second;
  }
  auto store = NfsStore::open(kind, key, store_directory(data_dir_, kind, key), capacity_bytes);
  if (!store) return std::move(store).error();
  stores_.emplace(std::make_pair(kind, key), *store);
  return *store;
}

std::shared_ptr<NfsStore> StoreRegistry::find(StoreKind kind, const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = stores_.find({kind, key});
  return found == stores_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<NfsStore>> StoreRegistry::find_by_key(const std::string& key) const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<NfsStore>> out;
  for (const auto& [id, store] : stores_) {
    if (id.second == key) out.push_back(store);
  }
  return out;
}

}  // namespace emu::fakes
