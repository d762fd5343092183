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
  // A document's final state is its last change, and changes to different documents commute, so a
  // later change replaces the staged one in place: one transaction ends where the batches one after
  // another would, with each document written once (the id counters, an operation saved twice).
  batch.for_each([this](const engine::Document& doc, bool is_put) {
    if (auto found = staged_index_.find(DocumentName{doc.collection, doc.key});
        found != staged_index_.end()) {
      StagedStep& step = staged_[found->second];
      step.is_put = is_put;
      if (is_put) {
        step.doc.body = doc.body;
      } else {
        step.doc.body.clear();
      }
      return;
    }
    staged_.push_back({is_put ? doc : engine::Document{doc.collection, doc.key, {}}, is_put});
    const engine::Document& kept = staged_.back().doc;
    staged_index_.emplace(DocumentName{kept.collection, kept.key}, staged_.size() - 1);
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
  engine::WriteBatch batch;
  for (StagedStep& step : staged_) {
    if (step.is_put) {
      batch.put(std::move(step.doc.collection), std::move(step.doc.key), std::move(step.doc.body));
    } else {
      batch.erase(std::move(step.doc.collection), std::move(step.doc.key));
    }
  }
  staged_index_.clear();
  staged_.clear();
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
