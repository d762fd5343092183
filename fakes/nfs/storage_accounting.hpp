#pragma once
// StorageAccounting: what the engine (or a scenario) may ask of emulated storage without a kernel
// mount: charge or free bytes on a store, read its usage, and take a file server away for a while. The
// sim backend uses SimStorageModel; FuseStorageService answers the same calls for real stores.
//   accounting.define_store(fs_key, 2 * kGiB);
//   if (auto r = accounting.write_bytes(fs_key, 512 << 20); !r) job_fails(r.error());  // DiskFull

#include <cstdint>
#include <string>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::fakes {

struct StoreUsage {
  std::uint64_t capacity_bytes = 0;  // 0 = unlimited
  std::uint64_t used_bytes = 0;
  bool available = true;  // false during an outage
};

class StorageAccounting {
 public:
  virtual ~StorageAccounting() = default;
  // Makes a file server's store known (or updates its capacity): diskCount x diskSizeInGB.
  virtual core::Result<void> define_store(const std::string& store_key, std::uint64_t capacity_bytes) = 0;
  // Errors: StoreNotFound (404), FileServerUnavailable (409, during an outage), DiskFull (409, the
  // bytes do not fit; nothing is charged).
  virtual core::Result<void> write_bytes(const std::string& store_key, std::uint64_t bytes) = 0;
  virtual core::Result<void> delete_bytes(const std::string& store_key, std::uint64_t bytes) = 0;
  virtual core::Result<StoreUsage> usage(const std::string& store_key) const = 0;
  // The store is unavailable from now until now + duration (on the owner's clock).
  virtual core::Result<void> begin_outage(const std::string& store_key, core::Duration duration) = 0;
  // The file server is gone: forget its store (a new one of the same name starts empty).
  virtual void remove_store(const std::string& /*store_key*/) {}
};

}  // namespace emu::fakes
