#pragma once
// StoreRegistry: every store of one data dir, opened once and shared by all mounts, so two clusters
// mounting the same share (or two nodes mounting one file server) see one NfsStore with one usage.
// A store's files live under <data_dir>/storage/<kind>/<escaped key>/.
//   StoreRegistry stores(data_dir);
//   auto store = stores.open(StoreKind::kAzureFileShare, "account/share", 0);

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"
#include "fakes/nfs/nfs_store.hpp"

namespace emu::fakes {

class StoreRegistry {
 public:
  explicit StoreRegistry(std::filesystem::path data_dir);

  // <data_dir>/storage/<kind>/<key with every byte outside [a-z0-9._-] written as %XX>: an ARM id or
  // "account/share" becomes one folder name, and two keys never share a folder.
  static std::filesystem::path store_directory(const std::filesystem::path& data_dir, StoreKind kind,
                                               const std::string& key);

  // Opens the store (creating its folder) or returns the one already open. A non-zero capacity
  // replaces the store's capacity (a file server's disks are what the engine says they are).
  core::Result<std::shared_ptr<NfsStore>> open(StoreKind kind, const std::string& key,
                                               std::uint64_t capacity_bytes);
  // nullptr when the store has not been opened.
  std::shared_ptr<NfsStore> find(StoreKind kind, const std::string& key) const;
  // Every open store with this key, whatever its kind (the admin API names a store by key only).
  std::vector<std::shared_ptr<NfsStore>> find_by_key(const std::string& key) const;

  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  const std::filesystem::path data_dir_;
  mutable std::mutex mutex_;  // guards stores_; a leaf lock
  std::map<std::pair<StoreKind, std::string>, std::shared_ptr<NfsStore>> stores_;
};

}  // namespace emu::fakes
