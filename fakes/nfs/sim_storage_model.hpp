#pragma once
// SimStorageModel: the stores of the sim backend, where no kernel mount exists. It keeps the same
// NfsStore accounting (capacity, usage, outages) without files, and ends outages on the engine's
// executor, so a scenario that fills a disk or loses a file server replays the same way every time.
// Not thread-safe: call it on the executor's thread, as the engine does.
//   SimStorageModel storage(executor);
//   storage.define_store(fs_key, 10 * kGiB);  storage.begin_outage(fs_key, std::chrono::minutes(5));

#include <map>
#include <memory>
#include <string>

#include "emulator/core/executor.hpp"
#include "fakes/nfs/nfs_store.hpp"
#include "fakes/nfs/storage_accounting.hpp"

namespace emu::fakes {

class SimStorageModel final : public StorageAccounting {
 public:
  explicit SimStorageModel(core::Executor& executor);

  core::Result<void> define_store(const std::string& store_key, std::uint64_t capacity_bytes) override;
  core::Result<void> write_bytes(const std::string& store_key, std::uint64_t bytes) override;
  core::Result<void> delete_bytes(const std::string& store_key, std::uint64_t bytes) override;
  core::Result<StoreUsage> usage(const std::string& store_key) const override;
  core::Result<void> begin_outage(const std::string& store_key, core::Duration duration) override;
  // The file server was deleted: its data and usage go with it.
  void remove_store(const std::string& store_key) override;

 private:
  core::Result<std::shared_ptr<NfsStore>> find(const std::string& store_key) const;

  core::Executor& executor_;
  std::map<std::string, std::shared_ptr<NfsStore>> stores_;
};

}  // namespace emu::fakes
