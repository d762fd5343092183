#include "emulator/store/sqlite_document_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <iterator>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "emulator/store/document_check.hpp"

namespace emu::store {
namespace {

// Indexed by SqliteDocumentStore::Statement.
constexpr const char* kStatementSql[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    ("INSERT INTO documents(collection, key, body) VALUES(?1, ?2, ?3) "
     "ON CONFLICT(collection, key) DO UPDATE SET body = excluded.body"),
    "DELETE FROM documents WHERE collection = ?1 AND key = ?2",
    "SELECT key, body FROM documents WHERE collection = ?1 ORDER BY key",
    "SELECT key, body FROM documents WHERE collection = ?1 AND key >= ?2 ORDER BY key LIMIT ?3",
};

constexpr const char* kCreateSchemaSql =
    "CREATE TABLE meta(key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE documents(collection TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(collection, key)) WITHOUT ROWID;";

core::Error file_error(const std::filesystem::path& file, const std::string& what) {
  return core::Error::internal(fmt::format("state database {}: {}", file.string(), what));
}

int bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
  // SQLITE_STATIC: the string outlives the step; the statement is reset right after.
  return sqlite3_bind_text64(statement, index, text.data(), static_cast<sqlite3_uint64>(text.size()),
                             SQLITE_STATIC, SQLITE_UTF8);
}

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

}  // namespace

core::Result<std::unique_ptr<SqliteDocumentStore>> SqliteDocumentStore::open(std::filesystem::path file,
                                                                             SqliteOptions options) {
  if (file.empty()) return core::Error::internal("state database: the file path is empty");
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";

  std::optional<DirectoryLock> lock;
  if (options.lock_data_dir) {
    auto acquired = DirectoryLock::acquire(dir);
    if (!acquired) return std::move(acquired).error();
    lock.emplace(std::move(*acquired));
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return file_error(file, fmt::format("cannot create its directory: {}", ec.message()));
  }

  std::unique_ptr<SqliteDocumentStore> store(new SqliteDocumentStore(std::move(file), std::move(lock)));
  if (auto r = store->open_database(options); !r) return std::move(r).error();
  if (auto r = store->check_schema(); !r) return std::move(r).error();
  if (auto r = store->prepare_statements(); !r) return std::move(r).error();
  if (options.checkpoints == SqliteCheckpoints::kBackground) {
    if (auto r = store->start_background_checkpoints(options); !r) return std::move(r).error();
  }
  return store;
}

core::Result<std::unique_ptr<SqliteDocumentStore>> SqliteDocumentStore::open_in_dir(
    const std::filesystem::path& data_dir, SqliteOptions options) {
  if (data_dir.empty()) return core::Error::internal("state database: the data directory path is empty");
  return open(data_dir / kFileName, options);
}

SqliteDocumentStore::SqliteDocumentStore(std::filesystem::path file, std::optional<DirectoryLock> lock)
    : file_(std::move(file)), lock_(std::move(lock)) {}

SqliteDocumentStore::~SqliteDocumentStore() {
  // The checkpointer's connection goes first, so that this one is the last and checkpoints everything.
  checkpointer_.reset();
  for (auto*& statement : statements_) {
    sqlite3_finalize(statement);  // a no-op on nullptr
    statement = nullptr;
  }
  // With every statement finalized the close is immediate; the last connection also checkpoints and
  // removes the WAL. The lock is dropped afterwards, by lock_'s destructor.
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

core::Result<void> SqliteDocumentStore::open_database(const SqliteOptions& options) {
  // NOMUTEX: mutex_ already serialises every use of the connection.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (int rc = sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr); rc != SQLITE_OK) {
    return sqlite_error("cannot open", rc);
  }
  sqlite3_extended_result_codes(db_, 1);
  auto timeout_ms = std::clamp<std::int64_t>(options.busy_timeout.count(), 0, INT_MAX);
  sqlite3_busy_timeout(db_, static_cast<int>(timeout_ms));

  // SQLite falls back to read-only silently when the file is not writable; every commit would fail.
  if (sqlite3_db_readonly(db_, "main") == 1) {
    return file_error(file_,
                      "it can only be opened read-only; check the permissions of the file and its "
                      "directory");
  }
  // The first statement reads the header, so this is where a corrupt or foreign file shows up.
  auto mode = query_text("PRAGMA journal_mode=WAL", "cannot read it (is it an SQLite database?)");
  if (!mode) return std::move(mode).error();
  if (!*mode || **mode != "wal") {
    return file_error(file_, fmt::format("cannot switch to WAL journal mode (got '{}'); the file system "
                                         "may not support the shared memory WAL needs",
                                         mode->value_or("")));
  }
  const char* sync_sql =
      options.synchronous == SqliteSync::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  return exec(sync_sql, "cannot set the synchronous mode");
}

core::Result<void> SqliteDocumentStore::check_schema() {
  // IMMEDIATE so that two processes racing to create the schema (without the data dir lock) serialise.
  if (auto r = exec("BEGIN IMMEDIATE", "cannot begin the schema check"); !r) return r;
  auto fail = [this](core::Error error) -> core::Result<void> {
    rollback();
    return error;
  };

  auto has_meta = query_text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                             "cannot read the list of tables");
  if (!has_meta) return fail(std::move(has_meta).error());

  if (!*has_meta) {
    auto foreign = query_text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
        "'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 1",
        "cannot read the list of tables");
    if (!foreign) return fail(std::move(foreign).error());
    if (*foreign) {
      return fail(file_error(file_, fmt::format("it is not an emulator state database (it has a table '{}' "
                                                "but no meta table); choose another data directory",
                                                **foreign)));
    }
    if (auto r = exec(kCreateSchemaSql, "cannot create the tables"); !r) return fail(std::move(r).error());
    std::string insert =
        fmt::format("INSERT INTO meta(key, value) VALUES('schema_version', '{}')", kSchemaVersion);
    if (auto r = exec(insert.c_str(), "cannot write the schema version"); !r)
      return fail(std::move(r).error());
    return exec("COMMIT", "cannot commit the new schema");
  }

  auto stored = query_text("SELECT value FROM meta WHERE key = 'schema_version'", "cannot read meta");
  if (!stored) return fail(std::move(stored).error());
  if (!*stored) {
    return fail(file_error(file_,
                           "its meta table has no schema_version; it is not an emulator state "
                           "database or it is damaged"));
  }
  const std::string& text = **stored;
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return fail(file_error(file_, fmt::format("meta.schema_version is '{}', not a positive integer", text)));
  }
  if (version > kSchemaVersion) {
    return fail(file_error(
        file_, fmt::format("schema version {} is newer than version {} that this emulator understands; run "
                           "a newer emulator or choose another data directory",
                           version, kSchemaVersion)));
  }
  // Version 1 is the first schema: there is nothing older to migrate yet.
  return exec("COMMIT", "cannot finish the schema check");
}

core::Result<void> SqliteDocumentStore::prepare_statements() {
  static_assert(std::size(kStatementSql) == kStatementCount, "one SQL text per Statement");
  for (int i = 0; i < kStatementCount; ++i) {
    int rc =
        sqlite3_prepare_v3(db_, kStatementSql[i], -1, SQLITE_PREPARE_PERSISTENT, &statements_[i], nullptr);
    if (rc != SQLITE_OK) return sqlite_error("cannot prepare a statement", rc);
  }
  return {};
}

core::Result<void> SqliteDocumentStore::start_background_checkpoints(const SqliteOptions& options) {
  auto checkpointer = WalCheckpointer::start(file_, options.synchronous, options.busy_timeout);
  if (!checkpointer) return std::move(checkpointer).error();
  checkpointer_ = std::move(*checkpointer);
  background_checkpoint_pages_ = std::max(1, options.background_checkpoint_pages);
  foreground_checkpoint_pages_ = std::max(background_checkpoint_pages_, options.foreground_checkpoint_pages);
  // Replaces SQLite's own hook, the one that checkpoints on commit (wal_autocheckpoint).
  sqlite3_wal_hook(db_, &SqliteDocumentStore::on_wal_commit, this);
  return {};
}

int SqliteDocumentStore::on_wal_commit(void* self, sqlite3* db, const char* /*schema*/, int wal_pages) {
  auto* store = static_cast<SqliteDocumentStore*>(self);
  if (wal_pages >= store->foreground_checkpoint_pages_) {
    // The thread lags (commits keep adding frames while it copies, so the WAL never starts over):
    // copy the rest here, between transactions, so that the next commit starts the WAL over.
    const int rc = store->checkpointer_->checkpoint_now(db, SQLITE_CHECKPOINT_RESTART);
    if (rc == SQLITE_OK) ++store->foreground_checkpoints_;
  } else if (wal_pages >= store->background_checkpoint_pages_) {
    store->checkpointer_->request();
  }
  // The commit itself succeeded whatever happened here; a checkpoint that failed is tried again later.
  return SQLITE_OK;
}

core::Result<void> SqliteDocumentStore::commit(const engine::WriteBatch& batch) {
  std::lock_guard lock(mutex_);
  if (batch.empty()) return {};
  if (auto r = run(kBegin, "cannot begin a transaction"); !r) return r;

  std::optional<core::Error> failure;
  std::size_t index = 0;
  batch.for_each([&](const engine::Document& doc, bool is_put) {
    if (!failure) failure = apply_step(doc, is_put, index);
    ++index;
  });
  if (!failure) {
    if (auto r = run(kCommit, "cannot commit the batch"); !r) failure = std::move(r).error();
  }
  if (failure) {
    rollback();
    return std::move(*failure);
  }
  return {};
}

std::optional<core::Error> SqliteDocumentStore::apply_step(const engine::Document& doc, bool is_put,
                                                           std::size_t index) {
  if (auto checked = check_step(doc, is_put, index); !checked) return std::move(checked).error();
  Statement which = is_put ? kPut : kErase;
  sqlite3_stmt* statement = statements_[which];
  int rc = bind_text(statement, 1, doc.collection);
  if (rc == SQLITE_OK) rc = bind_text(statement, 2, doc.key);
  if (rc == SQLITE_OK && is_put) rc = bind_text(statement, 3, doc.body);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  // The message is built only on failure: this is the hot path of every commit.
  std::optional<core::Error> error;
  if (rc != SQLITE_OK) {
    std::string what = fmt::format(
        "cannot {} key '{}' of collection '{}' (step {} of the batch; nothing "
        "of the batch was written)",
        is_put ? "put" : "erase", doc.key, doc.collection, index);
    error = sqlite_error(what.c_str(), rc);  // before reset, which would overwrite the message
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return error;
}

core::Result<std::vector<engine::Document>> SqliteDocumentStore::load(const std::string& collection) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = statements_[kLoad];
  if (int rc = bind_text(statement, 1, collection); rc != SQLITE_OK) {
    return sqlite_error("cannot load a collection", rc);
  }
  return read_documents(kLoad, collection);
}

core::Result<std::vector<engine::Document>> SqliteDocumentStore::load_range(const std::string& collection,
                                                                            const std::string& from_key,
                                                                            std::size_t limit) {
  if (limit == 0) return std::vector<engine::Document>{};
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = statements_[kLoadRange];
  // A negative LIMIT means "no limit" to SQLite, so a size_t above INT64_MAX is clamped, not wrapped.
  auto bounded = static_cast<sqlite3_int64>(std::min<std::uint64_t>(limit, INT64_MAX));
  int rc = bind_text(statement, 1, collection);
  if (rc == SQLITE_OK) rc = bind_text(statement, 2, from_key);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(statement, 3, bounded);
  if (rc != SQLITE_OK) {
    core::Error error = sqlite_error("cannot load a range of a collection", rc);
    sqlite3_clear_bindings(statement);
    return error;
  }
  return read_documents(kLoadRange, collection);
}

core::Result<std::vector<engine::Document>> SqliteDocumentStore::read_documents(
    Statement which, const std::string& collection) {
  sqlite3_stmt* statement = statements_[which];
  std::vector<engine::Document> documents;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    documents.push_back({collection, column_text(statement, 0), column_text(statement, 1)});
  }
  std::optional<core::Error> error;
  if (rc != SQLITE_DONE) {
    error = sqlite_error(fmt::format("cannot load collection '{}'", collection).c_str(), rc);
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (error) return std::move(*error);
  return documents;
}

core::Result<void> SqliteDocumentStore::exec(const char* sql, const char* what) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return file_error(file_, fmt::format("{}: {} (SQLite code {})", what, detail, rc));
}

core::Result<std::optional<std::string>> SqliteDocumentStore::query_text(const char* sql, const char* what) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr);
  if (rc != SQLITE_OK) {
    core::Error error = sqlite_error(what, rc);
    sqlite3_finalize(statement);
    return error;
  }
  std::optional<std::string> value;
  rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) value = column_text(statement, 0);
  std::optional<core::Error> error;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) error = sqlite_error(what, rc);
  sqlite3_finalize(statement);
  if (error) return std::move(*error);
  return value;
}

core::Result<void> SqliteDocumentStore::run(Statement which, const char* what) {
  sqlite3_stmt* statement = statements_[which];
  int rc = sqlite3_step(statement);
  std::optional<core::Error> error;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) error = sqlite_error(what, rc);  // before reset overwrites it
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (error) return std::move(*error);
  return {};
}

void SqliteDocumentStore::rollback() {
  // Some errors (an I/O error during COMMIT, say) already rolled back; a second ROLLBACK would fail.
  if (db_ == nullptr || sqlite3_get_autocommit(db_) != 0) return;
  if (statements_[kRollback] != nullptr) {
    (void)run(kRollback, "cannot roll back");
  } else {
    (void)exec("ROLLBACK", "cannot roll back");
  }
}

core::Error SqliteDocumentStore::sqlite_error(const char* what, int code) const {
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  return file_error(file_, fmt::format("{}: {} (SQLite code {})", what, detail, code));
}

}  // namespace emu::store
