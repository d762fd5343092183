#include "fakes/nfs/sim_storage_model.hpp"

namespace emu::fakes {

SimStorageModel::SimStorageModel(core::Executor& executor) : executor_(executor) {}

core::Result<std::shared_ptr<NfsStore>> SimStorageModel::find(const std::string& store_key) const {
  auto found = stores_.find(store_key);
  if (found == stores_.end()) {
    return core::Error::not_found("StoreNotFound", "No file server or share is known as " + store_key);
  }
  return found->second;
}

core::Result<void> SimStorageModel::define_store(const std::string& store_key, std::uint64_t capacity_bytes) {
  if (store_key.empty()) {
    return core::Error::bad_request("InvalidStoreKey", "A store needs a non-empty key", "store_key");
  }
  auto found = stores_.find(store_key);
  if (found != stores_.end()) {
    found->second->set_capacity_bytes(capacity_bytes);
    return {};
  }
  // No folder: the sim backend only counts bytes.
  stores_.emplace(store_key, std::make_shared<NfsStore>(StoreKind::kFileServer, store_key,
                                                        std::filesystem::path(), capacity_bytes, 0));
  return {};
}

core::Result<void> SimStorageModel::write_bytes(const std::string& store_key, std::uint64_t bytes) {
  auto store = find(store_key);
  if (!store) return std::move(store).error();
  return (*store)->charge(bytes);
}

core::Result<void> SimStorageModel::delete_bytes(const std::string& store_key, std::uint64_t bytes) {
  auto store = find(store_key);
  if (!store) return std::move(store).error();
  (*store)->release(bytes);
  return {};
}

core::Result<StoreUsage> SimStorageModel::usage(const std::string& store_key) const {
  auto store = find(store_key);
  if (!store) return std::move(store).error();
  return StoreUsage{(*store)->capacity_bytes(), (*store)->used_bytes(), !(*store)->in_outage()};
}

core::Result<void> SimStorageModel::begin_outage(const std::string& store_key, core::Duration duration) {
  if (duration <= core::Duration::zero()) {
    return core::Error::bad_request("InvalidOutageDuration", "An outage needs a positive durationSeconds",
                                    "durationSeconds");
  }
  auto store = find(store_key);
  if (!store) return std::move(store).error();
  (*store)->begin_outage();
  // The store is held by the task, so removing it meanwhile is harmless.
  executor_.schedule_after(duration, [held = *store] { held->end_outage(); });
  return {};
}

void SimStorageModel::remove_store(const std::string& store_key) { stores_.erase(store_key); }

}  // namespace emu::fakes
