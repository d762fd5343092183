#pragma once
// Journal: the ordered record of everything that changed in the emulator (state transitions, faults,
// clock jumps), with a running SHA-256 over a canonical form of each record. Two runs with the same
// seed and inputs must give the same digest; that is the determinism check.
//   journal.append(ex.now(), "job", job_id, "queued", "running", "scheduled", {{"nodes", "2"}});
//   for (const auto& r : journal.since(last_seen, 100)) send(Journal::canonical_line(r));

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::core {

struct JournalRecord {
  using Details = std::vector<std::pair<std::string, std::string>>;

  std::uint64_t sequence = 0;  // 1, 2, 3, ... in append order, assigned by the journal
  Time time{};
  std::string kind;     // "cluster", "node", "job", "fileserver", "workspace", "experiment", "operation",
                        // "fault", "clock", ...
  std::string subject;  // the resource id or node id the record is about
  std::string from;     // state before ("" when created)
  std::string to;       // state after ("" when deleted)
  std::string reason;   // why, in a word or a short phrase
  Details details;      // extra facts in a fixed order; keys should be unique within one record

  bool operator==(const JournalRecord&) const = default;
};

class Journal {
 public:
  using Sink = std::function<void(const JournalRecord&)>;

  Journal();
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Assigns the next sequence number, folds the record into the digest, hands it to the sink and keeps
  // it. The reference stays valid until the record is dropped by the retention limit or restore().
  const JournalRecord& append(Time time, std::string kind, std::string subject, std::string from,
                              std::string to, std::string reason = {}, JournalRecord::Details details = {});
  // Same, from a prepared record; its sequence is overwritten.
  const JournalRecord& append(JournalRecord record);

  // Up to `limit` records with a sequence greater than `after`, oldest first. since(0) starts at the
  // oldest record still kept.
  std::vector<JournalRecord> since(std::uint64_t after,
                                   std::size_t limit = std::numeric_limits<std::size_t>::max()) const;

  // The sequence of the last record appended, 0 if none.
  std::uint64_t last_sequence() const { return next_sequence_ - 1; }
  // The sequence of the oldest record still kept in memory; last_sequence() + 1 when none is.
  std::uint64_t first_kept_sequence() const {
    return records_.empty() ? next_sequence_ : records_.front().sequence;
  }
  // Records kept in memory (all of them, unless a retention limit dropped the oldest).
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }

  // Keeps at most `max_records` in memory, dropping the oldest; the digest still covers every record
  // ever appended. 0 (the default) keeps everything.
  void set_retention(std::size_t max_records);

  // Lowercase hex SHA-256 over canonical_line(r) + "\n" for every record appended so far.
  std::string digest_hex() const;

  // Called once per appended record, after it is stored (the engine persists records through it).
  void set_sink(Sink sink) { sink_ = std::move(sink); }

  // Replaces the contents with records loaded after a restart and recomputes the digest. The records
  // must have consecutive sequence numbers; appends continue after the last one. The sink is not
  // called. On error the journal is left unchanged.
  Result<void> restore(std::vector<JournalRecord> records);
  // The same, pulling the records a chunk at a time from `next_chunk` until it gives an empty one, so
  // that a long history is never in memory at once: only what the retention limit keeps stays.
  using ChunkSource = std::function<Result<std::vector<JournalRecord>>()>;
  Result<void> restore_in_chunks(const ChunkSource& next_chunk);

  // One JSON object on one line, keys always in this order:
  // {"seq":1,"time_ns":1527811200000000000,"time":"2018-06-01T00:00:00.000Z","kind":"job",
  //  "subject":"...","from":"queued","to":"running","reason":"...","details":{"k":"v"}}
  // Strings are escaped by hand (", \, and control characters; other bytes pass through unchanged) so
  // that the bytes, and hence the digest, never depend on a JSON library's choices.
  static std::string canonical_line(const JournalRecord& record);
  static void append_canonical_line(std::string& out, const JournalRecord& record);

 private:
  class Digest;  // wraps OpenSSL's EVP context so that this header needs no OpenSSL include

  const JournalRecord& store(JournalRecord record);
  // Folds the record's canonical line (built in `line`) into `digest` and keeps the record at the end
  // of `kept`, dropping the oldest beyond `retention` (0: none).
  static const JournalRecord& fold(Digest& digest, std::deque<JournalRecord>& kept, std::size_t retention,
                                   std::string& line, JournalRecord record);

  std::deque<JournalRecord> records_;
  std::uint64_t next_sequence_ = 1;
  std::size_t retention_ = 0;
  std::unique_ptr<Digest> digest_;
  std::string line_;  // reused for every canonical line so that appends do not allocate for it
  Sink sink_;
};

}  // namespace emu::core
