#pragma once
// SqliteDocumentStore: the durable DocumentStore, one SQLite database <data_dir>/state.db in WAL mode,
// with the data dir flock'ed so a second emulator cannot open it. Every commit is one transaction.
//   auto store = SqliteDocumentStore::open_in_dir(data_dir, {.synchronous = SqliteSync::kNormal});
//   if (!store) return store.error();  // names the file: locked, corrupt, newer schema, no permission
//   (*store)->commit(batch);

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/store/directory_lock.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace emu::store {

// How hard a commit waits for the disk (SQLite's `PRAGMA synchronous` in WAL mode).
enum class SqliteSync {
  // A commit is written to the WAL (in the OS page cache) before commit() returns, and fsync happens
  // only at checkpoints. Survives a crash or kill -9 of the emulator; a power loss or kernel crash may
  // lose the last commits, never corrupt the database. Tens of thousands of commits/s.
  kNormal,
  // fsync of the WAL on every commit: also survives power loss, at the disk's fsync rate (from a few
  // hundred to a few thousand commits/s).
  kFull,
};

struct SqliteOptions {
  SqliteSync synchronous = SqliteSync::kNormal;
  // How long a statement waits for a lock held by another connection (a sqlite3 shell inspecting the
  // file, say) before failing with "database is locked".
  std::chrono::milliseconds busy_timeout{5000};
  // Take DirectoryLock on the database's folder. Off only where the caller already holds it.
  bool lock_data_dir = true;
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

 private:
  // The statements prepared once at open and reused by every call.
  enum Statement { kBegin, kCommit, kRollback, kPut, kErase, kLoad, kLoadRange, kStatementCount };

  SqliteDocumentStore(std::filesystem::path file, std::optional<DirectoryLock> lock);
  core::Result<void> open_database(const SqliteOptions& options);
  core::Result<void> check_schema();
  core::Result<void> prepare_statements();

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
  std::mutex mutex_;  // one SQLite connection: calls are serialised
};

}  // namespace emu::store
