#include "emulator/store/memory_document_store.hpp"

#include <optional>

#include "emulator/store/document_check.hpp"

namespace emu::store {

core::Result<void> MemoryDocumentStore::commit(const engine::WriteBatch& batch) {
  // Every step is checked before the first one is applied: once applying starts nothing can fail
  // (short of running out of memory), which is what makes the batch atomic.
  std::optional<core::Error> failure;
  std::size_t index = 0;
  batch.for_each([&](const engine::Document& doc, bool is_put) {
    if (!failure) {
      if (auto checked = check_step(doc, is_put, index); !checked) failure = checked.error();
    }
    ++index;
  });
  if (failure) return std::move(*failure);

  std::lock_guard lock(mutex_);
  batch.for_each([&](const engine::Document& doc, bool is_put) {
    if (is_put) {
      collections_[doc.collection].insert_or_assign(doc.key, doc.body);
      return;
    }
    auto found = collections_.find(doc.collection);
    if (found == collections_.end()) return;
    found->second.erase(doc.key);
    if (found->second.empty()) collections_.erase(found);
  });
  return {};
}

core::Result<std::vector<engine::Document>> MemoryDocumentStore::load(const std::string& collection) {
  std::lock_guard lock(mutex_);
  std::vector<engine::Document> documents;
  auto found = collections_.find(collection);
  if (found == collections_.end()) return documents;
  documents.reserve(found->second.size());
  for (const auto& [key, body] : found->second) documents.push_back({collection, key, body});
  return documents;
}

core::Result<std::vector<engine::Document>> MemoryDocumentStore::load_range(const std::string& collection,
                                                                            const std::string& from_key,
                                                                            std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<engine::Document> documents;
  auto found = collections_.find(collection);
  if (found == collections_.end()) return documents;
  for (auto it = found->second.lower_bound(from_key); it != found->second.end() && documents.size() < limit;
       ++it) {
    documents.push_back({collection, it->first, it->second});
  }
  return documents;
}

}  // namespace emu::store
