// GroupCommitStore: batches are staged until sync(), which commits them all in one transaction of the
// wrapped store, in order; reads see staged changes; a failed sync reaches every waiter and writes
// nothing; the scheduler is asked once per group.

#include "emulator/store/group_commit_store.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "emulator/store/sqlite_document_store.hpp"
#include "tests/store/counting_document_store.hpp"
#include "tests/store/temp_dir.hpp"

namespace emu::store {
namespace {

using engine::WriteBatch;
using testing::CountingDocumentStore;

WriteBatch put(const std::string& key, const std::string& body) {
  WriteBatch batch;
  batch.put("jobs", key, body);
  return batch;
}

WriteBatch erase(const std::string& key) {
  WriteBatch batch;
  batch.erase("jobs", key);
  return batch;
}

class GroupCommitStoreTest : public ::testing::Test {
 protected:
  void stage(const WriteBatch& batch) {
    auto staged = commits_.commit(batch);
    ASSERT_TRUE(staged.ok()) << staged.error().message;
  }

  CountingDocumentStore durable_;
  GroupCommitStore commits_{durable_};
};

TEST_F(GroupCommitStoreTest, NothingReachesTheWrappedStoreBeforeSync) {
  stage(put("j1", "v1"));
  EXPECT_TRUE(commits_.has_staged());
  EXPECT_EQ(durable_.commits(), 0);
  EXPECT_TRUE(durable_.contents("jobs").empty());

  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_FALSE(commits_.has_staged());
  EXPECT_EQ(durable_.contents("jobs"), (std::map<std::string, std::string>{{"j1", "v1"}}));
}

TEST_F(GroupCommitStoreTest, ManyBatchesShareOneTransaction) {
  for (int i = 0; i < 50; ++i) {
    WriteBatch batch;
    batch.put("jobs", std::string("j").append(std::to_string(i)), "v");
    batch.put("meta", "counters", std::to_string(i));
    stage(batch);
  }
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_EQ(durable_.commits(), 1);
  EXPECT_EQ(durable_.steps(), 51u) << "the counters document is written once per group";
  EXPECT_EQ(durable_.contents("jobs").size(), 50u);
  EXPECT_EQ(durable_.contents("meta").at("counters"), "49");
  EXPECT_EQ(commits_.batches_staged(), 50u);
  EXPECT_EQ(commits_.syncs(), 1u);
}

TEST_F(GroupCommitStoreTest, BatchesApplyInTheOrderTheyWereStaged) {
  stage(put("a", "1"));
  stage(erase("a"));
  stage(put("a", "3"));  // erase then put: present with the last body
  stage(put("b", "1"));
  stage(erase("b"));  // put then erase: gone
  stage(put("c", "1"));
  stage(put("c", "2"));  // last put wins
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_EQ(durable_.contents("jobs"), (std::map<std::string, std::string>{{"a", "3"}, {"c", "2"}}));
  EXPECT_EQ(durable_.steps(), 3u) << "one step per document: its last change";
}

TEST_F(GroupCommitStoreTest, ReadsSeeStagedChanges) {
  stage(put("j1", "v1"));
  stage(put("j2", "v2"));
  auto all = commits_.load("jobs");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].body, "v2");

  stage(put("j3", "v3"));
  auto range = commits_.load_range("jobs", "j2", 10);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[1].key, "j3");
  EXPECT_FALSE(commits_.has_staged()) << "a read commits what is staged first";
}

TEST_F(GroupCommitStoreTest, FailedSyncReachesEveryWaiterAndWritesNothing) {
  stage(put("before", "v"));
  ASSERT_TRUE(commits_.sync().ok());

  stage(put("j1", "v1"));
  stage(put("j2", "v2"));
  std::vector<std::string> outcomes;
  for (int i = 0; i < 3; ++i) {
    commits_.after_sync(
        [&outcomes](const core::Result<void>& r) { outcomes.push_back(r.ok() ? "ok" : r.error().message); });
  }
  EXPECT_TRUE(outcomes.empty()) << "waiters wait for the sync";
  durable_.fail_next();
  auto synced = commits_.sync();
  ASSERT_FALSE(synced.ok());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"disk full", "disk full", "disk full"}));
  EXPECT_EQ(durable_.contents("jobs"), (std::map<std::string, std::string>{{"before", "v"}}));
  EXPECT_FALSE(commits_.has_staged()) << "a failed group is not retried with the next one";

  // The next group starts clean.
  stage(put("j3", "v3"));
  bool next_ok = false;
  commits_.after_sync([&next_ok](const core::Result<void>& r) { next_ok = r.ok(); });
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_TRUE(next_ok);
  EXPECT_EQ(durable_.contents("jobs"), (std::map<std::string, std::string>{{"before", "v"}, {"j3", "v3"}}));
}

TEST_F(GroupCommitStoreTest, WaiterWithNothingStagedIsCalledAtOnce) {
  bool called = false;
  commits_.after_sync([&called](const core::Result<void>& r) { called = r.ok(); });
  EXPECT_TRUE(called);
}

TEST_F(GroupCommitStoreTest, SchedulerIsAskedOncePerGroup) {
  int scheduled = 0;
  commits_.set_sync_scheduler([&scheduled] { ++scheduled; });
  stage(put("j1", "v"));
  stage(put("j2", "v"));
  stage(put("j3", "v"));
  EXPECT_EQ(scheduled, 1);
  ASSERT_TRUE(commits_.sync().ok());
  stage(put("j4", "v"));
  EXPECT_EQ(scheduled, 2);
  stage(WriteBatch{});  // nothing to stage: no group, no sync asked for
  ASSERT_TRUE(commits_.sync().ok());
  stage(WriteBatch{});
  EXPECT_EQ(scheduled, 2);
  EXPECT_FALSE(commits_.has_staged());
}

TEST_F(GroupCommitStoreTest, WaiterThatStagesStartsTheNextGroup) {
  int scheduled = 0;
  commits_.set_sync_scheduler([&scheduled] { ++scheduled; });
  stage(put("j1", "v"));
  commits_.after_sync([this](const core::Result<void>&) { stage(put("j2", "v")); });
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_TRUE(commits_.has_staged());
  EXPECT_EQ(scheduled, 2);
  EXPECT_EQ(durable_.contents("jobs").size(), 1u);
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_EQ(durable_.contents("jobs").size(), 2u);
}

TEST_F(GroupCommitStoreTest, MalformedBatchIsRefusedAloneAtCommit) {
  stage(put("good", "v"));
  WriteBatch bad;
  bad.put("jobs", "new", "v");
  bad.put("jobs", "", "an empty key");
  auto refused = commits_.commit(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().target, "key");
  EXPECT_NE(refused.error().message.find("step 1"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(commits_.sync().ok());
  EXPECT_EQ(durable_.contents("jobs"), (std::map<std::string, std::string>{{"good", "v"}}));
}

TEST(GroupCommitOverSqlite, SyncedGroupSurvivesReopenAndStagedOneDoesNot) {
  testing::TempDir dir;
  {
    auto sqlite = SqliteDocumentStore::open_in_dir(dir.path());
    ASSERT_TRUE(sqlite.ok()) << sqlite.error().message;
    GroupCommitStore commits(**sqlite);
    EXPECT_FALSE(commits.is_ephemeral());
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(commits.commit(put(std::string("j").append(std::to_string(i)), "v")).ok());
    ASSERT_TRUE(commits.sync().ok());
    ASSERT_TRUE(commits.commit(put("never-synced", "v")).ok());
  }
  auto reopened = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto jobs = (*reopened)->load("jobs");
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 10u);
  for (const auto& doc : *jobs) EXPECT_NE(doc.key, "never-synced");
}

}  // namespace
}  // namespace emu::store
