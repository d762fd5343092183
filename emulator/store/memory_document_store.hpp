#pragma once
// MemoryDocumentStore: the DocumentStore for --in-memory runs and engine tests. Same semantics as the
// SQLite store (atomic batches, documents ordered by key byte-wise) but nothing survives the process.
//   MemoryDocumentStore store;  WriteBatch b;  b.put("jobs", "j1", "{}");  (void)store.commit(b);
//   auto jobs = store.load("jobs");  // one document, key "j1"

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"

namespace emu::store {

class MemoryDocumentStore final : public engine::DocumentStore {
 public:
  MemoryDocumentStore() = default;
  MemoryDocumentStore(const MemoryDocumentStore&) = delete;
  MemoryDocumentStore& operator=(const MemoryDocumentStore&) = delete;

  core::Result<void> commit(const engine::WriteBatch& batch) override;
  core::Result<std::vector<engine::Document>> load(const std::string& collection) override;
  core::Result<std::vector<engine::Document>> load_range(const std::string& collection,
                                                         const std::string& from_key,
                                                         std::size_t limit) override;
  bool is_ephemeral() const override { return true; }

 private:
  // std::less<std::string> compares like memcmp, the same order SQLite's BINARY collation gives.
  using Collection = std::map<std::string, std::string>;

  std::mutex mutex_;  // guards collections_; callers may share one store between threads
  std::map<std::string, Collection> collections_;
};

}  // namespace emu::store
