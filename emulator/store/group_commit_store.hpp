#pragma once
// GroupCommitStore: a DocumentStore decorator that lets many changes share one durable transaction.
// commit() only stages the batch; sync() writes every staged batch as one atomic batch of the wrapped
// store, ending in the state the batches would have left one after another (a document changed twice
// in a group is written once, with its last change), then gives the outcome to every waiter. The caller keeps
// the promise of DocumentStore::commit by holding back whatever depends on a staged change (a response) until
// that sync: see CommitBarrier. Single-threaded: every call from the thread that runs the engine.
//   GroupCommitStore commits(sqlite);
//   commits.set_sync_scheduler([&] { asio::post(io, [&] { (void)commits.sync(); }); });
//   engine.create_job(...);   // stages; the first staged batch asks the scheduler for one sync()

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/store/commit_barrier.hpp"

namespace emu::store {

class GroupCommitStore final : public engine::DocumentStore, public CommitBarrier {
 public:
  // `durable` must outlive this store.
  explicit GroupCommitStore(engine::DocumentStore& durable) : durable_(durable) {}
  GroupCommitStore(const GroupCommitStore&) = delete;
  GroupCommitStore& operator=(const GroupCommitStore&) = delete;
  // Anything still staged is dropped: call sync() first (the application does, at shutdown).
  ~GroupCommitStore() override = default;

  // Called when a batch is staged while nothing else is: arrange for one sync() soon (serve posts it
  // on its io_context, so the batches of every request handled in the same turn share it).
  void set_sync_scheduler(std::function<void()> schedule) { schedule_ = std::move(schedule); }

  // Stages the batch and returns ok; it becomes durable at the next sync(). A batch with an empty
  // collection or key is refused at once, as the other stores refuse it, and nothing of it is staged.
  core::Result<void> commit(const engine::WriteBatch& batch) override;
  // Both sync() first, so that they see every staged change; a failed sync is their error.
  core::Result<std::vector<engine::Document>> load(const std::string& collection) override;
  core::Result<std::vector<engine::Document>> load_range(const std::string& collection,
                                                         const std::string& from_key,
                                                         std::size_t limit) override;
  bool is_ephemeral() const override { return durable_.is_ephemeral(); }

  bool has_staged() const override { return !staged_.empty(); }
  void after_sync(Waiter waiter) override;

  // Commits everything staged in one transaction of the wrapped store, then calls every waiter with
  // the outcome (on failure nothing staged is written, and every waiter gets the error). Waiters may
  // stage again: that starts the next group.
  core::Result<void> sync();

  // Figures for tests and benchmarks: batches staged and transactions committed so far.
  std::uint64_t batches_staged() const { return batches_staged_; }
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct StagedStep {
    engine::Document doc;
    bool is_put;
  };
  // (collection, key) of a staged step; the views point into staged_, whose elements never move.
  using DocumentName = std::pair<std::string_view, std::string_view>;
  struct DocumentNameHash {
    std::size_t operator()(const DocumentName& name) const {
      const std::size_t collection = std::hash<std::string_view>{}(name.first);
      return collection ^
             (std::hash<std::string_view>{}(name.second) + 0x9e3779b97f4a7c15ULL + (collection << 6));
    }
  };

  engine::DocumentStore& durable_;
  std::function<void()> schedule_;
  // The last change of every document staged since the last sync, in the order each was first staged.
  std::deque<StagedStep> staged_;
  std::unordered_map<DocumentName, std::size_t, DocumentNameHash> staged_index_;
  std::vector<Waiter> waiters_;
  std::uint64_t batches_staged_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace emu::store
