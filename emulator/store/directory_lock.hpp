#pragma once
// DirectoryLock: an exclusive flock(2) on a lock file inside a data directory, held for the lifetime
// of the object, so two emulators never share one data dir. The holder's pid is written into the file
// so the refusal can say who holds it; the kernel drops the lock when the process dies (also kill -9).
//   auto lock = DirectoryLock::acquire(data_dir);  // error: "... in use by process 4242 ..."
//   if (!lock) return lock.error();

#include <filesystem>

#include "emulator/core/result.hpp"

namespace emu::store {

class DirectoryLock {
 public:
  static constexpr const char* kFileName = "emulator.lock";

  // Creates `dir` (and its parents) when missing, then takes the lock without waiting.
  static core::Result<DirectoryLock> acquire(const std::filesystem::path& dir);

  DirectoryLock(DirectoryLock&& other) noexcept;
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

  const std::filesystem::path& file() const { return file_; }

 private:
  DirectoryLock(std::filesystem::path file, int fd) : file_(std::move(file)), fd_(fd) {}
  void release();

  std::filesystem::path file_;
  int fd_ = -1;
};

}  // namespace emu::store
