#pragma once
// SqliteSync: how hard a commit of the SQLite store waits for the disk. Its own header so that the
// store and its checkpointer share it without either exposing SQLite.
//   SqliteDocumentStore::open_in_dir(dir, {.synchronous = SqliteSync::kFull});

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

}  // namespace emu::store
