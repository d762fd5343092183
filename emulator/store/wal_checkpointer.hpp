#pragma once
// WalCheckpointer: a thread with its own connection to one SQLite database that checkpoints its WAL
// (copies committed pages back into the database file, with the fsyncs that takes) when asked, so the
// thread that commits never waits for it. Checkpoints are PASSIVE: they never block a writer, and a
// writer never blocks them. Requests made while one runs coalesce into one more.
//   auto checkpointer = WalCheckpointer::start(file, SqliteSync::kNormal, std::chrono::seconds(5));
//   (*checkpointer)->request();  // from the committing thread, e.g. once the WAL passes 1,000 pages

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "emulator/core/result.hpp"
#include "emulator/store/sqlite_sync.hpp"

struct sqlite3;

namespace emu::store {

class WalCheckpointer {
 public:
  // Opens a second connection to `file` (which must exist, in WAL mode) and starts the thread.
  static core::Result<std::unique_ptr<WalCheckpointer>> start(const std::filesystem::path& file,
                                                              SqliteSync sync,
                                                              std::chrono::milliseconds busy_timeout);
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  // Lets a checkpoint in progress finish, stops the thread and closes its connection.
  ~WalCheckpointer();

  // Asks for a checkpoint soon. Cheap: a lock and a notify.
  void request();
  // Checkpoints now on `db` (the committing connection, between transactions) in `mode` (an
  // SQLITE_CHECKPOINT_* value), after the thread's checkpoint in progress, if any, has ended: SQLite
  // refuses a second checkpoint at once rather than wait for it. Returns SQLite's result code.
  int checkpoint_now(sqlite3* db, int mode);

  // Checkpoints done so far (for tests and the benchmarks).
  std::uint64_t checkpoints() const;

 private:
  explicit WalCheckpointer(sqlite3* db) : db_(db) {}
  void run();

  sqlite3* db_;  // used by the thread alone once it runs
  // Held for every checkpoint, the thread's and checkpoint_now()'s. Never held together with mutex_.
  std::mutex checkpoint_mutex_;
  mutable std::mutex mutex_;  // guards the four fields below
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace emu::store
