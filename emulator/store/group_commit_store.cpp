#include "emulator/store/group_commit_store.hpp"

#include <optional>
#include <utility>

#include "emulator/store/document_check.hpp"

namespace emu::store {

core::Result<void> GroupCommitStore::commit(const engine::WriteBatch& batch) {
  if (batch.empty()) return {};
  // A malformed batch is refused here, alone, rather than failing the whole group at sync().
  std::optional<core::Error> refused;
  std::size_t index = 0;
  batch.for_each([&](const engine::Document& doc, bool is_put) {
    if (refused) return;
    if (auto checked = check_step(doc, is_put, index++); !checked) refused = std::move(checked).error();
  });
  if (refused) return std::move(*refused);
  const bool first = staged_.empty();
  // Appending keeps the order of every step, within a batch and across batches, so one transaction
  // ends in the state the batches would have left one after another.
  batch.for_each([this](const engine::Document& doc, bool is_put) {
    if (is_put) {
      staged_.put(doc.collection, doc.key, doc.body);
    } else {
      staged_.erase(doc.collection, doc.key);
    }
  });
  ++batches_staged_;
  if (first && schedule_) schedule_();
  return {};
}

core::Result<std::vector<engine::Document>> GroupCommitStore::load(const std::string& collection) {
  if (auto synced = sync(); !synced) return std::move(synced).error();
  return durable_.load(collection);
}

core::Result<std::vector<engine::Document>> GroupCommitStore::load_range(const std::string& collection,
                                                                         const std::string& from_key,
                                                                         std::size_t limit) {
  if (auto synced = sync(); !synced) return std::move(synced).error();
  return durable_.load_range(collection, from_key, limit);
}

void GroupCommitStore::after_sync(Waiter waiter) {
  if (staged_.empty()) {
    waiter(core::Result<void>{});
    return;
  }
  waiters_.push_back(std::move(waiter));
}

core::Result<void> GroupCommitStore::sync() {
  // Taken out first: a waiter that stages again starts a new group (and asks for a new sync).
  engine::WriteBatch batch = std::exchange(staged_, engine::WriteBatch{});
  std::vector<Waiter> waiters = std::exchange(waiters_, {});
  core::Result<void> outcome;
  if (!batch.empty()) {
    outcome = durable_.commit(batch);
    ++syncs_;
  }
  for (Waiter& waiter : waiters) waiter(outcome);
  return outcome;
}

}  // namespace emu::store
