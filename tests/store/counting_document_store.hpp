#pragma once
// CountingDocumentStore: an in-memory DocumentStore that counts its transactions and fails the next
// one on request, for testing what sits in front of a store (group commit, the server's wait for it).
//   CountingDocumentStore durable;  GroupCommitStore commits(durable);  durable.fail_next();

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "emulator/engine/document_store.hpp"
#include "emulator/store/memory_document_store.hpp"

namespace emu::store::testing {

class CountingDocumentStore final : public engine::DocumentStore {
 public:
  core::Result<void> commit(const engine::WriteBatch& batch) override {
    ++commits_;
    steps_ += batch.size();
    if (fail_next_) {
      fail_next_ = false;
      return core::Error::internal("disk full");
    }
    return memory_.commit(batch);
  }
  core::Result<std::vector<engine::Document>> load(const std::string& collection) override {
    return memory_.load(collection);
  }
  core::Result<std::vector<engine::Document>> load_range(const std::string& collection,
                                                         const std::string& from_key,
                                                         std::size_t limit) override {
    return memory_.load_range(collection, from_key, limit);
  }
  bool is_ephemeral() const override { return false; }

  void fail_next() { fail_next_ = true; }
  int commits() const { return commits_; }
  std::size_t steps() const { return steps_; }
  std::map<std::string, std::string> contents(const std::string& collection) {
    std::map<std::string, std::string> out;
    auto loaded = memory_.load(collection);
    EXPECT_TRUE(loaded.ok());
    if (loaded) {
      for (const auto& doc : *loaded) out.emplace(doc.key, doc.body);
    }
    return out;
  }

 private:
  MemoryDocumentStore memory_;
  int commits_ = 0;
  std::size_t steps_ = 0;
  bool fail_next_ = false;
};

}  // namespace emu::store::testing
