#pragma once
// SqliteDocumentStore: the durable DocumentStore, one SQLite database <data_dir>/state.db in WAL mode,
// with the data dir flock'ed so a second emulator cannot open it. Every commit is one transaction.
// WAL checkpoints run inside the commit that crosses SQLite's threshold, or, with
// SqliteCheckpoints::kBackground, on a thread of the store (WalCheckpointer).
//   auto store = SqliteDocumentStore::open_in_dir(data_dir, {.synchronous = SqliteSync::kNormal});
//   if (!store) return store.error();  // names the file: locked, corrupt, newer schema, no permission
//   (*store)->commit(batch);

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/store/directory_lock.hpp"
#include "emulator/store/sqlite_sync.hpp"
#include "emulator/store/wal_checkpointer.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace emu::store {

// Where the WAL is checkpointed (its pages copied back into the database file, with two fsyncs).
enum class SqliteCheckpoints {
  // SQLite's default: the commit that takes the WAL past 1,000 pages checkpoints it, on the caller's
  // thread, and waits for the fsyncs.
  kOnCommit,
  // A thread of the store checkpoints once the WAL passes background_checkpoint_pages; a commit only
  // checkpoints itself when the WAL passes foreground_checkpoint_pages (the thread cannot keep up),
  // which bounds the WAL. Crash safety is the same: a checkpoint only copies what is committed.
  kBackground,
};

struct SqliteOptions {
  SqliteSync synchronous = SqliteSync::kNormal;
  // How long a statement waits for a lock held by another connection (a sqlite3 shell inspecting the
  // file, say) before failing with "database is locked".
  std::chrono::milliseconds busy_timeout{5000};
  // Take DirectoryLock on the database's folder. Off only where the caller already holds it.
  bool lock_data_dir = true;
  SqliteCheckpoints checkpoints = SqliteCheckpoints::kOnCommit;
  // kBackground: WAL sizes, in pages (4 KiB each), that start a checkpoint on the thread, and that
  // make a commit checkpoint itself (a RESTART, so that the WAL starts over from its beginning).
  int background_checkpoint_pages = 1000;
  int foreground_checkpoint_pages = 16000;
};

class SqliteDocumentStore final : public engine::DocumentStore {
 public:
  static constexpr const char* kFileName = "state.db";
  // Written to meta.schema_version; a file with a higher number is refused, never downgraded.
  static constexpr int kSchemaVersion = 1;

  // Opens `file`, creating it and its folder when missing. The folder is the data dir that gets locked.
  static core::Result<std::unique_ptr<SqliteDocumentStore>> open(std::filesystem::path file,
                                                                 SqliteOptions options = {});
  // Opens <data_dir>/state.db.
  static core::Result<std::unique_ptr<SqliteDocumentStore>> open_in_dir(const std::filesystem::path& data_dir,
                                                                        SqliteOptions options = {});

  SqliteDocumentStore(const SqliteDocumentStore&) = delete;
  SqliteDocumentStore& operator=(const SqliteDocumentStore&) = delete;
  // Finalizes the statements, closes the database (checkpointing the WAL), then drops the lock.
  ~SqliteDocumentStore() override;

  core::Result<void> commit(const engine::WriteBatch& batch) override;
  core::Result<std::vector<engine::Document>> load(const std::string& collection) override;
  core::Result<std::vector<engine::Document>> load_range(const std::string& collection,
                                                         const std::string& from_key,
                                                         std::size_t limit) override;
  bool is_ephemeral() const override { return false; }

  const std::filesystem::path& file() const { return file_; }
  // Checkpoints done by the background thread, and by commits themselves (kBackground only).
  std::uint64_t background_checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }
  std::uint64_t foreground_checkpoints() const { return foreground_checkpoints_; }

 private:
  // The statements prepared once at open and reused by every call.
  enum Statement { kBegin, kCommit, kRollback, kPut, kErase, kLoad, kLoadRange, kStatementCount };

  SqliteDocumentStore(std::filesystem::path file, std::optional<DirectoryLock> lock);
  core::Result<void> open_database(const SqliteOptions& options);
  core::Result<void> check_schema();
  core::Result<void> prepare_statements();
  core::Result<void> start_background_checkpoints(const SqliteOptions& options);
  // SQLite's WAL hook: called after every commit with the WAL's size in pages.
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int wal_pages);

  core::Result<void> exec(const char* sql, const char* what);
  // First column of the first row of a one-off query, or nothing when there is no row.
  core::Result<std::optional<std::string>> query_text(const char* sql, const char* what);
  std::optional<core::Error> apply_step(const engine::Document& doc, bool is_put, std::size_t index);
  core::Result<void> run(Statement statement, const char* what);
  core::Result<std::vector<engine::Document>> read_documents(Statement statement,
                                                             const std::string& collection);
  void rollback();
  core::Error sqlite_error(const char* what, int code) const;

  std::filesystem::path file_;
  std::optional<DirectoryLock> lock_;  // released after db_ is closed (member order matters)
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[kStatementCount] = {};
  std::mutex mutex_;                               // one SQLite connection: calls are serialised
  std::unique_ptr<WalCheckpointer> checkpointer_;  // kBackground; stopped before db_ is closed
  int background_checkpoint_pages_ = 0;
  int foreground_checkpoint_pages_ = 0;
  std::uint64_t foreground_checkpoints_ = 0;
};

}  // namespace emu::store
