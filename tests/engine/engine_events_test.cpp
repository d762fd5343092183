// Engine::events_since: the journal keeps only its newest records in memory (serve's
// limits.journalRecordsInMemory), and the events older than that come from the store, the same records
// in the same order, before and after a restart. Without a durable store they are gone, and
// oldest_event_sequence() says where the history starts.

#include "tests/engine/durable_engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

std::vector<std::string> lines_of(const std::vector<core::JournalRecord>& records) {
  std::vector<std::string> lines;
  for (const auto& r : records) lines.push_back(core::Journal::canonical_line(r));
  return lines;
}

// Every record from `after` on, read the way a client pages through the events API.
std::vector<core::JournalRecord> read_all(Engine& engine, std::uint64_t after, std::size_t page) {
  std::vector<core::JournalRecord> out;
  for (;;) {
    auto got = engine.events_since(after, page);
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (!got.ok() || got->empty()) return out;
    after = got->back().sequence;
    out.insert(out.end(), got->begin(), got->end());
  }
}

class EngineEventsTest : public DurableEngineFixture {
 protected:
  EngineEventsTest() : DurableEngineFixture("engine-events") {}

  // A cluster that runs a few jobs: a few dozen journal records.
  void make_history() {
    create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
    advance(5);
    for (int i = 0; i < 4; ++i) submit("j" + std::to_string(i), 1, 2);
    advance(10);
  }
};

TEST_F(EngineEventsTest, RecordsOlderThanMemoryHoldsComeFromTheStore) {
  make_history();
  const auto everything = journal_->since(0);  // the journal still keeps all of them here
  ASSERT_GT(everything.size(), 30u);

  journal_retention_ = 5;
  reopen();
  EXPECT_LE(journal_->size(), 5u);
  EXPECT_GT(journal_->first_kept_sequence(), 1u);
  EXPECT_EQ(engine_->oldest_event_sequence(), 1u);

  // The reopen added records of its own (nodes gone with the process); the old ones are unchanged.
  const auto now_all = read_all(*engine_, 0, 7);
  ASSERT_EQ(now_all.size(), journal_->last_sequence());
  for (std::size_t i = 0; i < now_all.size(); ++i) ASSERT_EQ(now_all[i].sequence, i + 1);
  const std::vector<core::JournalRecord> prefix(now_all.begin(), now_all.begin() + everything.size());
  EXPECT_EQ(lines_of(prefix), lines_of(everything));

  // A page that starts in the store and ends in memory, and one wholly in memory.
  const std::uint64_t boundary = journal_->first_kept_sequence();
  auto across = engine_->events_since(boundary - 3, 5);
  ASSERT_TRUE(across.ok());
  ASSERT_EQ(across->size(), 5u);
  EXPECT_EQ(across->front().sequence, boundary - 2);
  EXPECT_EQ(across->back().sequence, boundary + 2);
  auto recent = engine_->events_since(journal_->last_sequence() - 2, 100);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->size(), 2u);
  auto none = engine_->events_since(journal_->last_sequence(), 100);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(EngineEventsTest, TheDigestCoversTheWholeHistoryWhateverMemoryKeeps) {
  make_history();
  journal_retention_ = 3;
  reopen();
  ASSERT_LE(journal_->size(), 3u);
  // The digest of a journal rebuilt from every record the engine can still give, in memory or not.
  const auto records = read_all(*engine_, 0, 1000);
  ASSERT_EQ(records.size(), journal_->last_sequence());
  core::Journal rebuilt;
  ASSERT_TRUE(rebuilt.restore(records).ok());
  EXPECT_EQ(rebuilt.digest_hex(), journal_->digest_hex());
}

class EphemeralEventsTest : public EngineFixture {};

TEST_F(EphemeralEventsTest, WithoutAStoreTheOldestKeptRecordIsWhereTheHistoryStarts) {
  journal_->set_retention(4);
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(5);
  submit("j", 1, 1);
  advance(5);
  ASSERT_GT(journal_->last_sequence(), 4u);
  EXPECT_EQ(engine_->oldest_event_sequence(), journal_->first_kept_sequence());
  auto got = engine_->events_since(0, 100);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ(got->front().sequence, journal_->first_kept_sequence());
  EXPECT_EQ(got->back().sequence, journal_->last_sequence());
}

}  // namespace
}  // namespace emu::engine::testing
