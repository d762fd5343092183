#include "emulator/core/journal.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace emu::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The golden line, written out by hand: any change to key order, escaping or number format breaks
// every stored digest, so it must be deliberate.
constexpr std::string_view kGoldenLine =
    R"({"seq":1,"time_ns":1527811213909000000,"time":"2018-06-01T00:00:13.909Z","kind":"job",)"
    R"("subject":"jobs/j1","from":"queued","to":"running","reason":"scheduled \"now\"",)"
    R"("details":{"nodes":"2","note":"a\nb\\c\u0001"}})";
// sha256 of kGoldenLine + "\n", computed outside the project.
constexpr std::string_view kGoldenDigest = "09f73342b601576fcdafce459bcc28c0c0feb1e5bc13b8e798bf64c6e08a1ce1";
constexpr std::string_view kEmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

JournalRecord golden_record() {
  return JournalRecord{1,
                       kDefaultEpoch + milliseconds(13'909),
                       "job",
                       "jobs/j1",
                       "queued",
                       "running",
                       "scheduled \"now\"",
                       {{"nodes", "2"}, {"note", "a\nb\\c\x01"}}};
}

TEST(Journal, CanonicalLineIsPinned) { EXPECT_EQ(Journal::canonical_line(golden_record()), kGoldenLine); }

TEST(Journal, CanonicalLineEscapesControlCharactersAndKeepsOtherBytes) {
  JournalRecord r;
  r.sequence = 7;
  r.time = Time{};
  r.reason = "tab\tcr\rff\fbs\bnul" + std::string(1, '\0') + "\x1f\x7f";
  r.subject = "caf\xc3\xa9";
  EXPECT_EQ(
      Journal::canonical_line(r),
      "{\"seq\":7,\"time_ns\":0,\"time\":\"1970-01-01T00:00:00.000Z\",\"kind\":\"\",\"subject\":"
      "\"caf\xc3\xa9\","
      "\"from\":\"\",\"to\":\"\",\"reason\":\"tab\\tcr\\rff\\fbs\\bnul\\u0000\\u001f\x7f\",\"details\":{}}");
}

TEST(Journal, CanonicalLineWritesTimesBeforeTheEpoch) {
  JournalRecord r;
  r.time = Time{-seconds(1)};
  EXPECT_NE(Journal::canonical_line(r).find("\"time_ns\":-1000000000,\"time\":\"1969-12-31T23:59:59.000Z\""),
            std::string::npos);
}

TEST(Journal, EmptyJournalHasTheDigestOfNothing) {
  Journal journal;
  EXPECT_EQ(journal.digest_hex(), kEmptyDigest);
  EXPECT_EQ(journal.last_sequence(), 0u);
  EXPECT_TRUE(journal.empty());
}

TEST(Journal, DigestIsPinned) {
  Journal journal;
  const auto r = golden_record();
  journal.append(r.time, r.kind, r.subject, r.from, r.to, r.reason, r.details);
  EXPECT_EQ(journal.digest_hex(), kGoldenDigest);
  EXPECT_EQ(journal.digest_hex(), kGoldenDigest);  // reading the digest does not disturb it
}

TEST(Journal, AppendAssignsSequenceNumbers) {
  Journal journal;
  const JournalRecord& first = journal.append(kDefaultEpoch, "cluster", "c1", "", "resizing");
  EXPECT_EQ(first.sequence, 1u);
  EXPECT_EQ(first.to, "resizing");
  JournalRecord prepared = golden_record();
  prepared.sequence = 99;  // ignored
  EXPECT_EQ(journal.append(prepared).sequence, 2u);
  EXPECT_EQ(journal.last_sequence(), 2u);
  EXPECT_EQ(journal.size(), 2u);
}

TEST(Journal, DigestChangesWithEveryField) {
  const auto digest_of = [](const JournalRecord& r) {
    Journal journal;
    journal.append(r);
    return journal.digest_hex();
  };
  const JournalRecord base = golden_record();
  std::vector<JournalRecord> variants(10, base);
  variants[0].time += std::chrono::nanoseconds(1);
  variants[1].kind = "node";
  variants[2].subject = "jobs/j2";
  variants[3].from = "queued ";
  variants[4].to = "";
  variants[5].reason = "scheduled";
  variants[6].details[0].first = "Nodes";
  variants[7].details[1].second = "a\nb\\c";
  variants[8].details.emplace_back("extra", "");
  std::swap(variants[9].details[0], variants[9].details[1]);

  std::set<std::string> digests{digest_of(base)};
  for (const auto& v : variants) digests.insert(digest_of(v));
  EXPECT_EQ(digests.size(), variants.size() + 1);

  // And with the position of a record in the journal.
  Journal one, two;
  one.append(base);
  two.append(base);
  two.append(base);
  EXPECT_NE(one.digest_hex(), two.digest_hex());
}

TEST(Journal, FieldBoundariesCannotBeShifted) {
  // "ab"+"c" and "a"+"bc" must not hash alike.
  JournalRecord a = golden_record(), b = golden_record();
  a.from = "ab";
  a.to = "c";
  b.from = "a";
  b.to = "bc";
  Journal ja, jb;
  ja.append(a);
  jb.append(b);
  EXPECT_NE(ja.digest_hex(), jb.digest_hex());
}

TEST(Journal, SinceReturnsRecordsAfterASequence) {
  Journal journal;
  for (int i = 0; i < 10; ++i)
    journal.append(kDefaultEpoch + seconds(i), "job", "j" + std::to_string(i), "", "");
  auto all = journal.since(0);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front().sequence, 1u);
  EXPECT_EQ(all.back().sequence, 10u);

  auto page = journal.since(3, 4);
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page.front().sequence, 4u);
  EXPECT_EQ(page.front().subject, "j3");
  EXPECT_EQ(page.back().sequence, 7u);

  EXPECT_TRUE(journal.since(10).empty());
  EXPECT_TRUE(journal.since(1000).empty());
  EXPECT_TRUE(journal.since(0, 0).empty());
}

TEST(Journal, SinkSeesEveryRecordInOrder) {
  Journal journal;
  std::vector<std::uint64_t> seen;
  journal.set_sink([&](const JournalRecord& r) { seen.push_back(r.sequence); });
  journal.append(kDefaultEpoch, "job", "a", "", "queued");
  journal.append(kDefaultEpoch, "job", "a", "queued", "running");
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
}

TEST(Journal, RestoreRebuildsTheSameDigestAndContinues) {
  Journal original;
  for (int i = 0; i < 5; ++i) {
    original.append(kDefaultEpoch + seconds(i), "node", "n" + std::to_string(i), "idle", "running", "job",
                    {{"job", "j" + std::to_string(i)}});
  }
  Journal restored;
  bool sink_called = false;
  restored.set_sink([&](const JournalRecord&) { sink_called = true; });
  ASSERT_TRUE(restored.restore(original.since(0)).ok());
  EXPECT_FALSE(sink_called);
  EXPECT_EQ(restored.digest_hex(), original.digest_hex());
  EXPECT_EQ(restored.last_sequence(), 5u);
  EXPECT_EQ(restored.since(0), original.since(0));

  original.append(kDefaultEpoch + seconds(9), "clock", "", "", "", "advance");
  EXPECT_EQ(restored.append(kDefaultEpoch + seconds(9), "clock", "", "", "", "advance").sequence, 6u);
  EXPECT_EQ(restored.digest_hex(), original.digest_hex());
}

TEST(Journal, RestoreRejectsGapsAndLeavesTheJournalAlone) {
  Journal journal;
  journal.append(golden_record());
  const std::string before = journal.digest_hex();
  std::vector<JournalRecord> gap{golden_record(), golden_record()};
  gap[1].sequence = 3;
  const auto result = journal.restore(gap);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("consecutive"), std::string::npos);
  EXPECT_EQ(journal.digest_hex(), before);
  EXPECT_EQ(journal.last_sequence(), 1u);

  std::vector<JournalRecord> zero{golden_record()};
  zero[0].sequence = 0;
  EXPECT_FALSE(journal.restore(zero).ok());

  ASSERT_TRUE(journal.restore({}).ok());
  EXPECT_EQ(journal.digest_hex(), kEmptyDigest);
  EXPECT_EQ(journal.append(golden_record()).sequence, 1u);
}

TEST(Journal, RetentionDropsOldRecordsButNotTheirDigest) {
  Journal bounded, unbounded;
  bounded.set_retention(3);
  for (int i = 0; i < 10; ++i) {
    bounded.append(kDefaultEpoch + seconds(i), "job", "j", "", "");
    unbounded.append(kDefaultEpoch + seconds(i), "job", "j", "", "");
  }
  EXPECT_EQ(bounded.size(), 3u);
  EXPECT_EQ(bounded.digest_hex(), unbounded.digest_hex());
  const auto kept = bounded.since(0);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().sequence, 8u);
  EXPECT_EQ(bounded.since(8).size(), 2u);
  unbounded.set_retention(1);
  EXPECT_EQ(unbounded.since(0).front().sequence, 10u);
}

TEST(Journal, RestoreInChunksKeepsOnlyWhatTheRetentionAllowsAndTheWholeDigest) {
  Journal original;
  for (int i = 0; i < 25; ++i)
    original.append(kDefaultEpoch + seconds(i), "job", "j" + std::to_string(i), "", "q");
  const auto all = original.since(0);
  Journal restored;
  restored.set_retention(4);
  std::size_t next = 0;
  int chunks = 0;
  const auto result = restored.restore_in_chunks([&]() -> Result<std::vector<JournalRecord>> {
    std::vector<JournalRecord> chunk;
    for (; next < all.size() && chunk.size() < 7; ++next) chunk.push_back(all[next]);
    ++chunks;
    return chunk;
  });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(chunks, 5);  // four chunks (7, 7, 7, 4) and the empty one that ends it
  EXPECT_EQ(restored.digest_hex(), original.digest_hex());
  EXPECT_EQ(restored.size(), 4u);
  EXPECT_EQ(restored.first_kept_sequence(), 22u);
  EXPECT_EQ(restored.last_sequence(), 25u);
  EXPECT_EQ(restored.append(kDefaultEpoch + seconds(30), "clock", "", "", "").sequence, 26u);
}

TEST(Journal, ChunkedRestoreRefusesAGapBetweenChunksAndAFailedReadLeavesTheJournalAlone) {
  Journal journal;
  journal.append(golden_record());
  const std::string before = journal.digest_hex();
  std::vector<std::vector<JournalRecord>> chunks{{golden_record()}, {golden_record()}, {}};
  chunks[0][0].sequence = 1;
  chunks[1][0].sequence = 3;
  std::size_t next = 0;
  auto gap =
      journal.restore_in_chunks([&]() -> Result<std::vector<JournalRecord>> { return chunks[next++]; });
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.error().message.find("consecutive"), std::string::npos);
  auto failed = journal.restore_in_chunks(
      []() -> Result<std::vector<JournalRecord>> { return Error::internal("disk gone"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "disk gone");
  EXPECT_EQ(journal.digest_hex(), before);
  EXPECT_EQ(journal.last_sequence(), 1u);
  EXPECT_EQ(journal.first_kept_sequence(), 1u);
}

}  // namespace
}  // namespace emu::core
