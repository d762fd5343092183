#pragma once
// FuseStorageService: StorageService for container-backed nodes. Each mount() is a FUSE mount of a
// store of this data dir (file servers, Azure File shares and blob containers share one store model,
// keyed by ARM id or "account/share"); an unmanaged file system's mountCommand is run by the node
// backend, inside the node. It also answers the StorageAccounting calls, and outages end on the
// executor given (or on a timer of its own in real time).
//   FuseStorageService storage(data_dir, &executor);   // removes stale mounts of data_dir first
//   auto volume = storage.mount(spec, node_dir / "mounts" / "nfs", node.id);
//   storage.begin_outage(file_server_key, std::chrono::seconds(60));

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/core/executor.hpp"
#include "fakes/nfs/storage_accounting.hpp"
#include "fakes/nfs/storage_service.hpp"
#include "fakes/nfs/store_registry.hpp"

namespace emu::fakes {

class FuseStorageService final : public StorageService, public StorageAccounting {
 public:
  // With an executor, begin_outage must be called on its thread (as the admin API is); without one,
  // outages end after `duration` of wall-clock time.
  explicit FuseStorageService(std::filesystem::path data_dir, core::Executor* executor = nullptr);
  ~FuseStorageService() override;
  FuseStorageService(const FuseStorageService&) = delete;
  FuseStorageService& operator=(const FuseStorageService&) = delete;

  core::Result<std::unique_ptr<MountedVolume>> mount(const VolumeSpec& spec,
                                                     const std::filesystem::path& where,
                                                     const std::string& node_id) override;

  core::Result<void> define_store(const std::string& store_key, std::uint64_t capacity_bytes) override;
  core::Result<void> write_bytes(const std::string& store_key, std::uint64_t bytes) override;
  core::Result<void> delete_bytes(const std::string& store_key, std::uint64_t bytes) override;
  core::Result<StoreUsage> usage(const std::string& store_key) const override;
  // Every store with this key (a file server's lower-cased ARM id, or "account/share") is unavailable
  // for `duration`: hard mounts block, soft mounts get EIO, nothing written before is lost.
  core::Result<void> begin_outage(const std::string& store_key, core::Duration duration) override;
  // Ends the outages of this key at once (tests, or an admin "end now").
  void end_outages(const std::string& store_key);

  StoreRegistry& stores() { return stores_; }

 private:
  void run_timer();
  std::shared_ptr<NfsStore> store_for(const std::string& store_key) const;

  const std::filesystem::path data_dir_;
  core::Executor* const executor_;
  StoreRegistry stores_;
  std::atomic<std::uint64_t> mount_serial_{0};

  // Wall-clock outage ends, when no executor is given. timer_mutex_ is a leaf lock.
  std::mutex timer_mutex_;
  std::condition_variable timer_changed_;
  std::multimap<std::chrono::steady_clock::time_point, std::shared_ptr<NfsStore>> outage_ends_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace emu::fakes
