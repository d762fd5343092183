#include "emulator/store/directory_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace emu::store {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

// Best effort: the holder may be between truncating and writing, so an empty answer is possible.
std::string read_holder(int fd) {
  char buffer[64] = {};
  ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return {};
  std::string text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

core::Result<DirectoryLock> DirectoryLock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return core::Error::internal(
        fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
  }
  std::filesystem::path file = dir / kFileName;
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int error = errno;
    return core::Error::internal(fmt::format("cannot open lock file {} of data directory {}: {}",
                                             file.string(), dir.string(), errno_text(error)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder = error == EWOULDBLOCK ? read_holder(fd) : std::string();
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return core::Error::internal(
          fmt::format("data directory {} is already in use by another emulator ({}, lock file {}); stop that "
                      "emulator or choose another data directory",
                      dir.string(), holder.empty() ? std::string("process id unknown") : "process " + holder,
                      file.string()));
    }
    return core::Error::internal(fmt::format("cannot lock {} of data directory {}: {}", file.string(),
                                             dir.string(), errno_text(error)));
  }
  // The pid is only there to make the refusal above helpful; failing to write it is not fatal.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return DirectoryLock(std::move(file), fd);
}

DirectoryLock::DirectoryLock(DirectoryLock&& other) noexcept
    : file_(std::move(other.file_)), fd_(std::exchange(other.fd_, -1)) {}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
  if (this != &other) {
    release();
    file_ = std::move(other.file_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DirectoryLock::~DirectoryLock() { release(); }

void DirectoryLock::release() {
  if (fd_ < 0) return;
  // The file stays: removing it would race with a new holder that already opened it.
  ::close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

}  // namespace emu::store
