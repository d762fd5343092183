// One behavioural suite for every DocumentStore: the in-memory store, the SQLite store (with both
// synchronous modes) and group commit over SQLite must agree on ordering, batch semantics and atomicity.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "emulator/engine/document_store.hpp"
#include "emulator/store/group_commit_store.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "emulator/store/sqlite_document_store.hpp"
#include "tests/store/temp_dir.hpp"

namespace emu::store {
namespace {

using engine::Document;
using engine::DocumentStore;
using engine::WriteBatch;

struct MemoryFactory {
  std::unique_ptr<DocumentStore> make() { return std::make_unique<MemoryDocumentStore>(); }
};

template <SqliteSync kSync>
struct SqliteFactory {
  testing::TempDir dir;
  std::unique_ptr<DocumentStore> make() {
    auto store = SqliteDocumentStore::open_in_dir(dir.path(), {.synchronous = kSync});
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }
};

// Group commit as serve wires it; commit() stages and every load syncs first.
struct GroupCommitFactory {
  testing::TempDir dir;
  std::unique_ptr<DocumentStore> durable;
  std::unique_ptr<DocumentStore> make() {
    auto store = SqliteDocumentStore::open_in_dir(dir.path());
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    durable = std::move(*store);
    return std::make_unique<GroupCommitStore>(*durable);
  }
};

template <typename Factory>
class DocumentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.make();
    ASSERT_NE(store_, nullptr);
  }

  void commit_ok(const WriteBatch& batch) {
    auto r = store_->commit(batch);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  std::vector<std::string> keys(const std::string& collection) {
    auto loaded = store_->load(collection);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded) return {};
    std::vector<std::string> out;
    for (const auto& doc : *loaded) out.push_back(doc.key);
    return out;
  }

  std::vector<std::string> range_keys(const std::string& collection, const std::string& from,
                                      std::size_t limit) {
    auto loaded = store_->load_range(collection, from, limit);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded) return {};
    std::vector<std::string> out;
    for (const auto& doc : *loaded) out.push_back(doc.key);
    return out;
  }

  // key -> body of a collection, for comparing whole states.
  std::map<std::string, std::string> contents(const std::string& collection) {
    auto loaded = store_->load(collection);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    std::map<std::string, std::string> out;
    if (!loaded) return out;
    for (const auto& doc : *loaded) {
      EXPECT_EQ(doc.collection, collection);
      out.emplace(doc.key, doc.body);
    }
    return out;
  }

  Factory factory_;
  std::unique_ptr<DocumentStore> store_;
};

using Factories = ::testing::Types<MemoryFactory, SqliteFactory<SqliteSync::kNormal>,
                                   SqliteFactory<SqliteSync::kFull>, GroupCommitFactory>;

class FactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, MemoryFactory>) return "Memory";
    if constexpr (std::is_same_v<T, SqliteFactory<SqliteSync::kNormal>>) return "SqliteNormal";
    if constexpr (std::is_same_v<T, GroupCommitFactory>) return "GroupCommitOverSqlite";
    return "SqliteFull";
  }
};

TYPED_TEST_SUITE(DocumentStoreTest, Factories, FactoryNames);

TYPED_TEST(DocumentStoreTest, EmptyStoreLoadsNothing) {
  EXPECT_TRUE(this->keys("jobs").empty());
  EXPECT_TRUE(this->range_keys("jobs", "", 10).empty());
}

TYPED_TEST(DocumentStoreTest, EmptyBatchCommits) {
  this->commit_ok(WriteBatch{});
  EXPECT_TRUE(this->keys("jobs").empty());
}

TYPED_TEST(DocumentStoreTest, LoadOrdersKeysBytewise) {
  WriteBatch batch;
  // Byte order, as memcmp: 'B' (0x42) < 'a' (0x61) < 'z' < "\xc3\xa9" (e acute in UTF-8).
  for (const char* key : {"z", "a", "\xc3\xa9", "B", "a0", "a/b"}) batch.put("jobs", key, "{}");
  this->commit_ok(batch);
  EXPECT_EQ(this->keys("jobs"), (std::vector<std::string>{"B", "a", "a/b", "a0", "z", "\xc3\xa9"}));
}

TYPED_TEST(DocumentStoreTest, BodiesRoundTripExactly) {
  std::string large(1 << 20, 'x');
  large.front() = '{';
  large.back() = '}';
  WriteBatch batch;
  batch.put("jobs", "small", R"({"name":"j1","tags":["\u00e9"]})");
  batch.put("jobs", "large", large);
  batch.put("jobs", "empty", "");
  batch.put("jobs", "utf8", "{\"name\":\"\xe6\x97\xa5\xe6\x9c\xac\"}");
  this->commit_ok(batch);
  auto got = this->contents("jobs");
  EXPECT_EQ(got.at("small"), R"({"name":"j1","tags":["\u00e9"]})");
  EXPECT_EQ(got.at("large"), large);
  EXPECT_EQ(got.at("empty"), "");
  EXPECT_EQ(got.at("utf8"), "{\"name\":\"\xe6\x97\xa5\xe6\x9c\xac\"}");
}

TYPED_TEST(DocumentStoreTest, CollectionsAreSeparate) {
  WriteBatch batch;
  batch.put("jobs", "k1", "job");
  batch.put("clusters", "k1", "cluster");
  batch.put("clusters", "k2", "cluster2");
  this->commit_ok(batch);
  EXPECT_EQ(this->contents("jobs"), (std::map<std::string, std::string>{{"k1", "job"}}));
  EXPECT_EQ(this->contents("clusters"),
            (std::map<std::string, std::string>{{"k1", "cluster"}, {"k2", "cluster2"}}));
  EXPECT_TRUE(this->keys("job").empty());  // no prefix matching
}

TYPED_TEST(DocumentStoreTest, PutOverwritesAcrossBatches) {
  WriteBatch first;
  first.put("jobs", "j1", "v1");
  this->commit_ok(first);
  WriteBatch second;
  second.put("jobs", "j1", "v2");
  this->commit_ok(second);
  EXPECT_EQ(this->contents("jobs"), (std::map<std::string, std::string>{{"j1", "v2"}}));
}

TYPED_TEST(DocumentStoreTest, EraseRemovesAndMissingKeyIsNoOp) {
  WriteBatch first;
  first.put("jobs", "j1", "v1");
  first.put("jobs", "j2", "v2");
  this->commit_ok(first);
  WriteBatch second;
  second.erase("jobs", "j1");
  second.erase("jobs", "never-there");
  second.erase("no-such-collection", "j2");
  this->commit_ok(second);
  EXPECT_EQ(this->contents("jobs"), (std::map<std::string, std::string>{{"j2", "v2"}}));
}

TYPED_TEST(DocumentStoreTest, StepsApplyInBatchOrder) {
  WriteBatch batch;
  batch.put("jobs", "a", "1");
  batch.put("jobs", "a", "2");  // last put wins
  batch.put("jobs", "b", "1");
  batch.erase("jobs", "b");  // put then erase: gone
  batch.erase("jobs", "c");
  batch.put("jobs", "c", "3");  // erase then put: present
  this->commit_ok(batch);
  EXPECT_EQ(this->contents("jobs"), (std::map<std::string, std::string>{{"a", "2"}, {"c", "3"}}));
}

TYPED_TEST(DocumentStoreTest, LoadRangeStartsAtKeyInclusiveAndHonoursLimit) {
  WriteBatch batch;
  for (const char* key : {"k1", "k2", "k3", "k4", "k5"}) batch.put("events", key, key);
  batch.put("other", "k0", "x");
  this->commit_ok(batch);
  EXPECT_EQ(this->range_keys("events", "k2", 2), (std::vector<std::string>{"k2", "k3"}));
  EXPECT_EQ(this->range_keys("events", "k25", 10), (std::vector<std::string>{"k3", "k4", "k5"}));
  EXPECT_EQ(this->range_keys("events", "", 1), (std::vector<std::string>{"k1"}));
  EXPECT_TRUE(this->range_keys("events", "k2", 0).empty());
  EXPECT_TRUE(this->range_keys("events", "k6", 10).empty());
  EXPECT_EQ(this->range_keys("events", "k4", static_cast<std::size_t>(-1)),
            (std::vector<std::string>{"k4", "k5"}));
  auto loaded = this->store_->load_range("events", "k5", 5);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].collection, "events");
  EXPECT_EQ((*loaded)[0].body, "k5");
}

TYPED_TEST(DocumentStoreTest, PagingWithLoadRangeVisitsEveryDocumentOnce) {
  WriteBatch batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 95; ++i) {
    std::string key = "op-" + std::to_string(1000 + i);
    expected.push_back(key);
    batch.put("operations", key, "{}");
  }
  this->commit_ok(batch);
  std::vector<std::string> seen;
  std::string from;
  while (true) {
    auto page = this->range_keys("operations", from, 10);
    if (page.empty()) break;
    seen.insert(seen.end(), page.begin(), page.end());
    from = page.back() + '\0';  // the smallest key after the last one
  }
  EXPECT_EQ(seen, expected);
}

TYPED_TEST(DocumentStoreTest, BatchFailingHalfwayLeavesNothing) {
  WriteBatch setup;
  setup.put("jobs", "keep", "original");
  setup.put("jobs", "doomed", "original");
  this->commit_ok(setup);

  WriteBatch bad;
  bad.put("jobs", "new", "v");
  bad.put("jobs", "keep", "changed");
  bad.erase("jobs", "doomed");
  bad.put("clusters", "c1", "v");
  bad.put("jobs", "", "a step with an empty key");  // refused when reached: steps 0-3 already applied
  bad.put("jobs", "after", "v");
  auto r = this->store_->commit(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, core::ErrorKind::kInternal);
  EXPECT_EQ(r.error().target, "key");
  EXPECT_NE(r.error().message.find("step 4"), std::string::npos) << r.error().message;

  EXPECT_EQ(this->contents("jobs"),
            (std::map<std::string, std::string>{{"doomed", "original"}, {"keep", "original"}}));
  EXPECT_TRUE(this->keys("clusters").empty());

  // The store stays usable after a refused batch.
  WriteBatch good;
  good.put("jobs", "later", "v");
  this->commit_ok(good);
  EXPECT_EQ(this->keys("jobs"), (std::vector<std::string>{"doomed", "keep", "later"}));
}

TYPED_TEST(DocumentStoreTest, EmptyCollectionIsRefusedWithItsField) {
  WriteBatch bad;
  bad.put("jobs", "j1", "v");
  bad.erase("", "j1");
  auto r = this->store_->commit(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().target, "collection");
  EXPECT_NE(r.error().message.find("step 1"), std::string::npos) << r.error().message;
  EXPECT_TRUE(this->keys("jobs").empty());
}

TYPED_TEST(DocumentStoreTest, EphemeralOnlyForMemory) {
  EXPECT_EQ(this->store_->is_ephemeral(), (std::is_same_v<TypeParam, MemoryFactory>));
}

}  // namespace
}  // namespace emu::store
