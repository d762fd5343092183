#include "fakes/nfs/nfs_store.hpp"

#include <sys/stat.h>

#include <chrono>
#include <set>
#include <system_error>
#include <utility>

namespace emu::fakes {

std::string_view store_kind_folder(StoreKind kind) {
  switch (kind) {
    case StoreKind::kFileServer:
      return "fileservers";
    case StoreKind::kAzureFileShare:
      return "fileshares";
    case StoreKind::kAzureBlobContainer:
      return "blobcontainers";
  }
  return "unknown";
}

namespace {

// Logical size of every regular file under `root`, hard links counted once: the same measure the
// adapter keeps up to date as files grow and shrink.
std::uint64_t measure_usage(const std::filesystem::path& root) {
  std::uint64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           root, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) continue;
    total += static_cast<std::uint64_t>(st.st_size);
  }
  return total;
}

}  // namespace

core::Result<std::shared_ptr<NfsStore>> NfsStore::open(StoreKind kind, std::string key,
                                                       std::filesystem::path root,
                                                       std::uint64_t capacity_bytes) {
  if (key.empty()) {
    return core::Error::bad_request("InvalidStoreKey", "A store needs a non-empty key", "store_key");
  }
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return core::Error::internal("Cannot create the directory of store " + key + " at " + root.string() +
                                 ": " + ec.message());
  }
  const std::uint64_t used = measure_usage(root);
  return std::make_shared<NfsStore>(kind, std::move(key), std::move(root), capacity_bytes, used);
}

NfsStore::NfsStore(StoreKind kind, std::string key, std::filesystem::path root, std::uint64_t capacity_bytes,
                   std::uint64_t used_bytes)
    : kind_(kind),
      key_(std::move(key)),
      root_(std::move(root)),
      capacity_(capacity_bytes),
      used_(used_bytes) {}

std::uint64_t NfsStore::free_bytes() const {
  const std::uint64_t capacity = capacity_bytes();
  if (capacity == 0) return UINT64_MAX;
  const std::uint64_t used = used_bytes();
  return used >= capacity ? 0 : capacity - used;
}

bool NfsStore::reserve(std::uint64_t bytes) {
  if (bytes == 0) return true;
  std::uint64_t used = used_.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t capacity = capacity_.load(std::memory_order_relaxed);
    if (capacity != 0 && (used > capacity || bytes > capacity - used)) return false;
    if (used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) return true;
  }
}

void NfsStore::release(std::uint64_t bytes) {
  std::uint64_t used = used_.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t next = bytes > used ? 0 : used - bytes;
    if (used_.compare_exchange_weak(used, next, std::memory_order_relaxed)) return;
  }
}

core::Result<void> NfsStore::charge(std::uint64_t bytes) {
  if (in_outage()) {
    return core::Error::conflict("FileServerUnavailable",
                                 "The store " + key_ + " is unavailable (an outage is in progress)");
  }
  if (!reserve(bytes)) {
    return core::Error::conflict("DiskFull", "Writing " + std::to_string(bytes) + " bytes to store " + key_ +
                                                 " exceeds its capacity of " +
                                                 std::to_string(capacity_bytes()) + " bytes (" +
                                                 std::to_string(used_bytes()) + " used)");
  }
  return {};
}

void NfsStore::begin_outage() {
  std::lock_guard lock(outage_mutex_);
  outage_depth_.fetch_add(1, std::memory_order_acq_rel);
  outages_begun_.fetch_add(1, std::memory_order_relaxed);
}

void NfsStore::end_outage() {
  {
    std::lock_guard lock(outage_mutex_);
    if (outage_depth_.load(std::memory_order_acquire) == 0) return;
    outage_depth_.fetch_sub(1, std::memory_order_acq_rel);
  }
  outage_ended_.notify_all();
}

bool NfsStore::wait_until_available(bool soft, const std::atomic<bool>& cancelled) const {
  if (!in_outage()) return true;
  if (soft) return false;
  std::unique_lock lock(outage_mutex_);
  // The cancel flag is set without this mutex, so the wait wakes up now and then to look at it.
  while (in_outage()) {
    if (cancelled.load(std::memory_order_acquire)) return false;
    outage_ended_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace emu::fakes
