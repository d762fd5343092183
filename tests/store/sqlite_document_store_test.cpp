// What only the SQLite store promises: durability across close, crash and kill -9, the data-dir lock,
// the on-disk schema and its version check, and rollback when SQLite itself fails mid-batch.

#include "emulator/store/sqlite_document_store.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/store/temp_dir.hpp"

namespace emu::store {
namespace {

using engine::WriteBatch;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::unique_ptr<SqliteDocumentStore> open_ok(const std::filesystem::path& dir, SqliteOptions options = {}) {
  auto store = SqliteDocumentStore::open_in_dir(dir, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

std::map<std::string, std::string> contents(SqliteDocumentStore& store, const std::string& collection) {
  auto loaded = store.load(collection);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  std::map<std::string, std::string> out;
  if (!loaded) return out;
  for (const auto& doc : *loaded) out.emplace(doc.key, doc.body);
  return out;
}

// A second, plain connection to the same file: the way an operator (or a test) pokes at the database.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << file << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;
  ~RawDatabase() { sqlite3_close_v2(db_); }

  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (message != nullptr ? message : "?");
    }
    sqlite3_free(message);
  }

  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    } else if (sqlite3_step(statement) == SQLITE_ROW) {
      const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      out = value != nullptr ? value : "";
    }
    sqlite3_finalize(statement);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SqliteDocumentStore, CreatesStateDbWithWalAndSchema) {
  testing::TempDir dir;
  auto data_dir = dir.path() / "nested" / "data";
  {
    auto store = open_ok(data_dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->file(), data_dir / "state.db");
    EXPECT_FALSE(store->is_ephemeral());
  }
  ASSERT_TRUE(std::filesystem::exists(data_dir / "state.db"));
  RawDatabase raw(data_dir / "state.db");
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  std::string documents_sql = raw.text("SELECT sql FROM sqlite_master WHERE name = 'documents'");
  EXPECT_TRUE(contains(documents_sql, "WITHOUT ROWID")) << documents_sql;
  EXPECT_TRUE(contains(documents_sql, "PRIMARY KEY(collection, key)")) << documents_sql;
}

TEST(SqliteDocumentStore, ReopenAfterCloseKeepsEverything) {
  testing::TempDir dir;
  std::map<std::string, std::string> jobs;
  std::map<std::string, std::string> events;
  {
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    for (int b = 0; b < 50; ++b) {
      WriteBatch batch;
      for (int i = 0; i < 20; ++i) {
        std::string key = "job-" + std::to_string(b * 20 + i);
        std::string body = R"({"batch":)" + std::to_string(b) + "}";
        batch.put("jobs", key, body);
        jobs[key] = body;
      }
      batch.put("events", "e" + std::to_string(b), "event");
      events["e" + std::to_string(b)] = "event";
      if (b % 3 == 0) {
        std::string gone = "job-" + std::to_string(b * 10);
        batch.erase("jobs", gone);
        jobs.erase(gone);
      }
      ASSERT_TRUE(store->commit(batch).ok());
    }
    WriteBatch refused;
    refused.put("jobs", "never", "v");
    refused.put("", "k", "v");
    ASSERT_FALSE(store->commit(refused).ok());
  }
  auto reopened = open_ok(dir.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(contents(*reopened, "jobs"), jobs);
  EXPECT_EQ(contents(*reopened, "events"), events);
}

TEST(SqliteDocumentStore, SecondOpenerOfTheDataDirIsRefused) {
  testing::TempDir dir;
  auto first = open_ok(dir.path());
  ASSERT_NE(first, nullptr);

  auto second = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_FALSE(second.ok());
  const std::string& message = second.error().message;
  EXPECT_TRUE(contains(message, dir.path().string())) << message;
  EXPECT_TRUE(contains(message, "in use")) << message;
  EXPECT_TRUE(contains(message, "process " + std::to_string(::getpid()))) << message;

  first.reset();
  EXPECT_NE(open_ok(dir.path()), nullptr) << "the lock must go with the store";
}

TEST(SqliteDocumentStore, SecondOpenerInAnotherProcessIsRefused) {
  testing::TempDir dir;
  auto first = open_ok(dir.path());
  ASSERT_NE(first, nullptr);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto second = SqliteDocumentStore::open_in_dir(dir.path());
    _exit(second.ok() ? 1 : (contains(second.error().message, "in use") ? 0 : 2));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: the child opened the locked store, 2: it failed for another reason";
}

TEST(SqliteDocumentStore, NewerSchemaVersionIsRefused) {
  testing::TempDir dir;
  ASSERT_NE(open_ok(dir.path()), nullptr);
  RawDatabase(dir.path() / "state.db").exec("UPDATE meta SET value = '7' WHERE key = 'schema_version'");

  auto refused = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  EXPECT_TRUE(contains(message, (dir.path() / "state.db").string())) << message;
  EXPECT_TRUE(contains(message, "schema version 7 is newer than version 1")) << message;

  // Nothing was changed by the refusal, and the data dir lock was released with it.
  RawDatabase raw(dir.path() / "state.db");
  EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), "7");
  raw.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  EXPECT_NE(open_ok(dir.path()), nullptr);
}

TEST(SqliteDocumentStore, MalformedSchemaVersionIsRefused) {
  testing::TempDir dir;
  ASSERT_NE(open_ok(dir.path()), nullptr);
  RawDatabase(dir.path() / "state.db").exec("UPDATE meta SET value = '1x' WHERE key = 'schema_version'");
  auto refused = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error().message, "'1x'")) << refused.error().message;
}

TEST(SqliteDocumentStore, ForeignDatabaseIsRefused) {
  testing::TempDir dir;
  RawDatabase(dir.path() / "state.db").exec("CREATE TABLE invoices(id INTEGER PRIMARY KEY)");
  auto refused = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error().message, "not an emulator state database")) << refused.error().message;
  EXPECT_TRUE(contains(refused.error().message, "invoices")) << refused.error().message;
  EXPECT_EQ(RawDatabase(dir.path() / "state.db").text("SELECT count(*) FROM sqlite_master"), "1");
}

TEST(SqliteDocumentStore, CorruptFileIsRefusedNamingIt) {
  testing::TempDir dir;
  {
    std::ofstream garbage(dir.path() / "state.db", std::ios::binary);
    garbage << std::string(8192, 'x');
  }
  auto refused = SqliteDocumentStore::open_in_dir(dir.path());
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  EXPECT_TRUE(contains(message, (dir.path() / "state.db").string())) << message;
  EXPECT_TRUE(contains(message, "not a database")) << message;
}

TEST(SqliteDocumentStore, UnwritableFileIsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  testing::TempDir dir;
  ASSERT_NE(open_ok(dir.path()), nullptr);
  std::filesystem::permissions(dir.path() / "state.db", std::filesystem::perms::owner_read);
  auto refused = SqliteDocumentStore::open_in_dir(dir.path());
  std::filesystem::permissions(dir.path() / "state.db", std::filesystem::perms::owner_all);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error().message, (dir.path() / "state.db").string()))
      << refused.error().message;
}

TEST(SqliteDocumentStore, UncreatableDataDirIsRefused) {
  testing::TempDir dir;
  { std::ofstream(dir.path() / "file") << "a file where a directory should be"; }
  auto refused = SqliteDocumentStore::open_in_dir(dir.path() / "file" / "data");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error().message, (dir.path() / "file" / "data").string()))
      << refused.error().message;
}

TEST(SqliteDocumentStore, SqliteFailureMidBatchRollsBackWithSqliteMessage) {
  testing::TempDir dir;
  auto store = open_ok(dir.path());
  ASSERT_NE(store, nullptr);
  WriteBatch setup;
  setup.put("jobs", "keep", "original");
  ASSERT_TRUE(store->commit(setup).ok());

  // A trigger added behind the store's back makes SQLite itself fail on the third step.
  RawDatabase raw(dir.path() / "state.db");
  raw.exec(
      "CREATE TRIGGER refuse_boom BEFORE INSERT ON documents WHEN NEW.key = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

  WriteBatch batch;
  batch.put("jobs", "new", "v");
  batch.erase("jobs", "keep");
  batch.put("jobs", "boom", "v");
  auto r = store->commit(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, core::ErrorKind::kInternal);
  EXPECT_TRUE(contains(r.error().message, "injected failure")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "'boom'")) << r.error().message;
  EXPECT_EQ(contents(*store, "jobs"), (std::map<std::string, std::string>{{"keep", "original"}}));

  raw.exec("DROP TRIGGER refuse_boom");
  ASSERT_TRUE(store->commit(batch).ok());
  EXPECT_EQ(contents(*store, "jobs"), (std::map<std::string, std::string>{{"boom", "v"}, {"new", "v"}}));
}

// --- crash tests: a child commits and acknowledges each batch on a pipe, then dies without closing ---

std::string batch_key(std::uint64_t i) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%010llu", static_cast<unsigned long long>(i));
  return buffer;
}

// Each batch i adds jobs/i and events/i and moves the single "cursor" document from i-1 to i, so a
// torn batch would show up as a job without its event or as zero or two cursors.
[[noreturn]] void commit_and_acknowledge(const std::filesystem::path& dir, SqliteOptions options, int ack_fd,
                                         std::uint64_t batches) {
  auto store = SqliteDocumentStore::open_in_dir(dir, options);
  if (!store) _exit(3);
  std::string body = R"({"payload":")" + std::string(200, 'p') + R"("})";
  for (std::uint64_t i = 0; i < batches; ++i) {
    WriteBatch batch;
    batch.put("jobs", batch_key(i), body);
    batch.put("events", batch_key(i), body);
    if (i > 0) batch.erase("cursor", batch_key(i - 1));
    batch.put("cursor", batch_key(i), "{}");
    if (!(*store)->commit(batch)) _exit(4);
    if (::write(ack_fd, &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) _exit(5);
  }
  _exit(0);  // on purpose without closing the store: no checkpoint, everything still in the WAL
}

struct CrashOutcome {
  std::uint64_t acknowledged = 0;  // batches the child was told were committed
  int status = 0;
};

// Runs the child; when kill_after is set, SIGKILLs it once that many acknowledgements arrived.
CrashOutcome run_crashing_child(const std::filesystem::path& dir, SqliteOptions options,
                                std::uint64_t batches, std::uint64_t kill_after) {
  CrashOutcome outcome;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return outcome;
  }
  pid_t child = ::fork();
  if (child < 0) {
    ADD_FAILURE() << "fork failed";
    return outcome;
  }
  if (child == 0) {
    ::close(fds[0]);
    commit_and_acknowledge(dir, options, fds[1], batches);
  }
  ::close(fds[1]);
  bool killed = false;
  std::uint64_t last = 0;
  std::size_t partial = 0;
  char buffer[sizeof(std::uint64_t)];
  while (true) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, 60'000) <= 0) {
      ADD_FAILURE() << "the child went silent for 60 s";
      ::kill(child, SIGKILL);
      break;
    }
    ssize_t n = ::read(fds[0], buffer + partial, sizeof(buffer) - partial);
    if (n <= 0) break;  // EOF: the child is gone
    partial += static_cast<std::size_t>(n);
    if (partial < sizeof(buffer)) continue;
    partial = 0;
    std::memcpy(&last, buffer, sizeof(last));
    outcome.acknowledged = last + 1;
    if (kill_after != 0 && !killed && outcome.acknowledged >= kill_after) {
      ::kill(child, SIGKILL);  // acknowledgements already in the pipe are still read and count
      killed = true;
    }
  }
  ::close(fds[0]);
  ::waitpid(child, &outcome.status, 0);
  return outcome;
}

void expect_every_acknowledged_batch(const std::filesystem::path& dir, std::uint64_t acknowledged) {
  auto store = open_ok(dir);
  ASSERT_NE(store, nullptr);
  auto jobs = contents(*store, "jobs");
  auto events = contents(*store, "events");
  auto cursor = contents(*store, "cursor");
  // The child may have died between a commit and its acknowledgement: one more batch is allowed.
  ASSERT_TRUE(jobs.size() == acknowledged || jobs.size() == acknowledged + 1)
      << jobs.size() << " batches stored, " << acknowledged << " acknowledged";
  std::uint64_t stored = jobs.size();
  std::uint64_t i = 0;
  for (const auto& [key, body] : jobs) {
    ASSERT_EQ(key, batch_key(i)) << "batch " << i << " is missing";
    ++i;
  }
  EXPECT_EQ(events.size(), stored);
  ASSERT_EQ(cursor.size(), 1u);
  EXPECT_EQ(cursor.begin()->first, batch_key(stored - 1));
}

TEST(SqliteDocumentStoreCrash, KillNineKeepsEveryAcknowledgedBatch) {
  testing::TempDir dir;
  auto outcome = run_crashing_child(dir.path(), {.synchronous = SqliteSync::kNormal}, 100'000'000, 2000);
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL)
      << "the child should have been killed, status " << outcome.status;
  ASSERT_GE(outcome.acknowledged, 2000u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state.db-wal")) << "a killed store leaves its WAL";
  expect_every_acknowledged_batch(dir.path(), outcome.acknowledged);
}

TEST(SqliteDocumentStoreCrash, KillNineWithFullSyncKeepsEveryAcknowledgedBatch) {
  testing::TempDir dir;
  auto outcome = run_crashing_child(dir.path(), {.synchronous = SqliteSync::kFull}, 100'000'000, 100);
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL) << outcome.status;
  expect_every_acknowledged_batch(dir.path(), outcome.acknowledged);
}

TEST(SqliteDocumentStoreCrash, ExitWithoutCloseKeepsEveryBatch) {
  testing::TempDir dir;
  auto outcome = run_crashing_child(dir.path(), {.synchronous = SqliteSync::kNormal}, 1500, 0);
  ASSERT_TRUE(WIFEXITED(outcome.status)) << outcome.status;
  ASSERT_EQ(WEXITSTATUS(outcome.status), 0) << "3: open failed, 4: commit failed, 5: pipe write failed";
  ASSERT_EQ(outcome.acknowledged, 1500u);
  expect_every_acknowledged_batch(dir.path(), 1500);
}

// Small thresholds, so that a few thousand batches go through many checkpoints of both kinds.
SqliteOptions background_checkpoints() {
  return {.checkpoints = SqliteCheckpoints::kBackground,
          .background_checkpoint_pages = 40,
          .foreground_checkpoint_pages = 400};
}

TEST(SqliteDocumentStoreCrash, KillNineWithBackgroundCheckpointsKeepsEveryAcknowledgedBatch) {
  testing::TempDir dir;
  auto outcome = run_crashing_child(dir.path(), background_checkpoints(), 100'000'000, 3000);
  ASSERT_TRUE(WIFSIGNALED(outcome.status) && WTERMSIG(outcome.status) == SIGKILL) << outcome.status;
  ASSERT_GE(outcome.acknowledged, 3000u);
  expect_every_acknowledged_batch(dir.path(), outcome.acknowledged);
}

TEST(SqliteDocumentStoreCheckpoints, BackgroundThreadCheckpointsAndTheWalStaysBounded) {
  testing::TempDir dir;
  const SqliteOptions options = background_checkpoints();
  auto store = open_ok(dir.path(), options);
  ASSERT_NE(store, nullptr);
  const std::filesystem::path wal = dir.path() / "state.db-wal";
  const std::string body = R"({"payload":")" + std::string(1000, 'p') + R"("})";
  // A batch here takes a few pages, and the file keeps its largest size. The WAL passes the foreground
  // threshold by the batch that crossed it, and by a few more where a commit began while the thread's
  // checkpoint held the WAL's read lock (that commit appends instead of starting the WAL over; the
  // next one checkpoints again): up to 20 frames over in 30 runs on a loaded machine. The 5,000
  // batches write many times the threshold in all.
  constexpr std::uintmax_t kFrameBytes = 4096 + 24;
  const std::uintmax_t bound =
      32 + kFrameBytes * (static_cast<std::uintmax_t>(options.foreground_checkpoint_pages) + 64);
  std::uintmax_t largest = 0;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    WriteBatch batch;
    batch.put("jobs", batch_key(i), body);
    batch.put("events", batch_key(i), body);
    batch.put("meta", "counters", std::to_string(i));
    ASSERT_TRUE((*store).commit(batch).ok());
    largest = std::max(largest, std::filesystem::file_size(wal));
  }
  EXPECT_LE(largest, bound) << "the WAL grew past the foreground threshold";
  // Every commit past the threshold asks the thread; it must have done some of them by now.
  for (int i = 0; i < 500 && store->background_checkpoints() == 0; ++i) {
    ::usleep(10'000);
  }
  EXPECT_GT(store->background_checkpoints(), 0u);
  store.reset();
  auto reopened = open_ok(dir.path());
  ASSERT_NE(reopened, nullptr);
  auto jobs = contents(*reopened, "jobs");
  EXPECT_EQ(jobs.size(), 5000u);
  EXPECT_EQ(contents(*reopened, "meta").at("counters"), "4999");
}

}  // namespace
}  // namespace emu::store
