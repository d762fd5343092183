#pragma once
// NfsStore: one emulated store (a file server's export, an Azure File share or a blob container) as
// plain logic: where its files live, its capacity and usage, and its outages. The FUSE adapter and the
// sim backend's accounting both go through it, so a full disk or a lost file server looks the same.
//   auto store = NfsStore::open(StoreKind::kFileServer, key, dir, 2 * kGiB);
//   if (!store->reserve(4096)) return ENOSPC;  store->begin_outage();  store->end_outage();

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"

namespace emu::fakes {

inline constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

enum class StoreKind { kFileServer, kAzureFileShare, kAzureBlobContainer };

// The folder under <data_dir>/storage/ that holds stores of this kind: "fileservers", "fileshares",
// "blobcontainers".
std::string_view store_kind_folder(StoreKind kind);

class NfsStore {
 public:
  // Creates `root` if needed and measures what is already in it (a restart keeps the data and its
  // usage). `capacity_bytes` 0 means unlimited.
  static core::Result<std::shared_ptr<NfsStore>> open(StoreKind kind, std::string key,
                                                      std::filesystem::path root,
                                                      std::uint64_t capacity_bytes);

  NfsStore(StoreKind kind, std::string key, std::filesystem::path root, std::uint64_t capacity_bytes,
           std::uint64_t used_bytes);
  NfsStore(const NfsStore&) = delete;
  NfsStore& operator=(const NfsStore&) = delete;

  StoreKind kind() const { return kind_; }
  const std::string& key() const { return key_; }
  const std::filesystem::path& root() const { return root_; }

  // Capacity: diskCount x diskSizeInGB for a file server. Lowering it below the usage makes every
  // further growth fail; nothing is deleted.
  std::uint64_t capacity_bytes() const { return capacity_.load(std::memory_order_relaxed); }
  void set_capacity_bytes(std::uint64_t bytes) { capacity_.store(bytes, std::memory_order_relaxed); }
  std::uint64_t used_bytes() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t free_bytes() const;

  // Takes `bytes` of the capacity for data about to be written; false (ENOSPC) if they do not fit,
  // and then nothing is taken.
  bool reserve(std::uint64_t bytes);
  // Gives back what a truncate or an unlink freed (never below zero).
  void release(std::uint64_t bytes);
  // reserve() as the engine sees it: FileServerUnavailable (409) during an outage, DiskFull (409)
  // when the bytes do not fit.
  core::Result<void> charge(std::uint64_t bytes);

  // Outages nest: the store is back only when every begun outage has ended.
  void begin_outage();
  void end_outage();
  bool in_outage() const { return outage_depth_.load(std::memory_order_acquire) > 0; }
  std::uint64_t outages_begun() const { return outages_begun_.load(std::memory_order_relaxed); }

  // Called before each I/O. Returns true when the store serves it. During an outage a soft mount
  // gets false at once (EIO); a hard mount waits until the outage ends, or until `cancelled` turns
  // true (the mount is going away), then returns false.
  bool wait_until_available(bool soft, const std::atomic<bool>& cancelled) const;

 private:
  const StoreKind kind_;
  const std::string key_;
  const std::filesystem::path root_;
  std::atomic<std::uint64_t> capacity_;
  std::atomic<std::uint64_t> used_;

  // Lock order: outage_mutex_ is a leaf; nothing else is taken while it is held.
  mutable std::mutex outage_mutex_;
  mutable std::condition_variable outage_ended_;
  std::atomic<int> outage_depth_{0};
  std::atomic<std::uint64_t> outages_begun_{0};
};

}  // namespace emu::fakes
