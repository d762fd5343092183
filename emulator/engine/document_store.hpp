#pragma once
// DocumentStore: the engine's port to durable state. The engine keeps its live state in memory and
// writes every acknowledged change through here as one atomic batch of JSON documents, so that a
// restart (also after kill -9) can rebuild exactly what clients were told. Implementations live in
// store/ (SQLite in WAL mode, and an in-memory one for --in-memory and tests).
//   WriteBatch batch;  batch.put("jobs", key, json_text);  batch.erase("operations", op_id);
//   if (auto r = store.commit(batch); !r) { /* nothing was written */ }

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"

namespace emu::engine {

struct Document {
  std::string collection;  // e.g. "workspaces", "clusters", "jobs", "operations", "events"
  std::string key;         // unique within the collection, e.g. a lower-cased resource id
  std::string body;        // JSON text
};

// A set of changes applied all together or not at all.
class WriteBatch {
 public:
  void put(std::string collection, std::string key, std::string body) {
    puts_.push_back({std::move(collection), std::move(key), std::move(body)});
    order_.push_back({true, puts_.size() - 1});
  }
  void erase(std::string collection, std::string key) {
    erases_.push_back({std::move(collection), std::move(key), {}});
    order_.push_back({false, erases_.size() - 1});
  }
  bool empty() const { return order_.empty(); }
  std::size_t size() const { return order_.size(); }

  // Visits the changes in the order they were added: fn(const Document&, bool is_put).
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& step : order_) {
      if (step.is_put) fn(puts_[step.index], true);
      else fn(erases_[step.index], false);
    }
  }

 private:
  struct Step {
    bool is_put;
    std::size_t index;
  };
  std::vector<Document> puts_;
  std::vector<Document> erases_;
  std::vector<Step> order_;
};

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // Applies the batch atomically. When it returns ok the change survives a crash of the process.
  virtual core::Result<void> commit(const WriteBatch& batch) = 0;
  // Every document of a collection, ordered by key.
  virtual core::Result<std::vector<Document>> load(const std::string& collection) = 0;
  // Documents of a collection whose key is >= `from_key`, ordered by key, at most `limit`.
  virtual core::Result<std::vector<Document>> load_range(const std::string& collection,
                                                         const std::string& from_key,
                                                         std::size_t limit) = 0;
  // True when nothing is kept across restarts (--in-memory).
  virtual bool is_ephemeral() const = 0;
};

}  // namespace emu::engine
