#include "emulator/store/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emulator/core/log.hpp"

namespace emu::store {

core::Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(
    const std::filesystem::path& file, SqliteSync sync, std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  // NOMUTEX: after start the connection belongs to the checkpointer's thread alone.
  const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return core::Error::internal(
        fmt::format("state database {}: cannot open a second connection for checkpoints: {} (SQLite code {})",
                    file.string(), detail, rc));
  }
  sqlite3_busy_timeout(db, static_cast<int>(std::clamp<std::int64_t>(busy_timeout.count(), 0, INT_MAX)));
  // A checkpoint syncs the WAL before it copies and the database file after, as the store's own
  // connection would; only synchronous=OFF would skip that, and the store never uses it.
  const char* sync_sql = sync == SqliteSync::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  (void)sqlite3_exec(db, sync_sql, nullptr, nullptr, nullptr);
  // This connection never commits, so it never checkpoints on its own either.
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(db));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->run(); });
  return checkpointer;
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

int WalCheckpointer::checkpoint_now(sqlite3* db, int mode) {
  std::lock_guard checkpointing(checkpoint_mutex_);
  return sqlite3_wal_checkpoint_v2(db, nullptr, mode, nullptr, nullptr);
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    int wal_pages = 0;
    int copied_pages = 0;
    // PASSIVE: copies what no reader still needs, without waiting for the writer or blocking it.
    int rc = SQLITE_OK;
    {
      std::lock_guard checkpointing(checkpoint_mutex_);
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied_pages);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      core::log::warn(
          "background checkpoint of the state database failed: {} (SQLite code {}); the next "
          "one tries again",
          sqlite3_errmsg(db_), rc);
    }
    lock.lock();
    if (rc == SQLITE_OK) ++checkpoints_;
  }
}

}  // namespace emu::store
