#include "fakes/nfs/fuse_storage_service.hpp"

#include <unistd.h>

#include <charconv>

#include "emulator/core/log.hpp"
#include "fakes/nfs/fuse_mount.hpp"
#include "fakes/nfs/mount_options.hpp"
#include "fakes/nfs/mount_table.hpp"

namespace emu::fakes {

namespace {

core::Result<mode_t> parse_mode(const std::string& text, const char* field) {
  unsigned value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(begin, end, value, 8);
  if (text.empty() || ec != std::errc() || stop != end || value > 07777) {
    return core::Error::bad_request(
        "InvalidFileMode",
        std::string("The ") + field + " '" + text + "' is not an octal permission such as 0777", field);
  }
  return static_cast<mode_t>(value);
}

// A folder inside the export: relative, without "..", a leading "/" meaning the export's root.
core::Result<std::filesystem::path> source_folder(const std::filesystem::path& root,
                                                  const std::string& source) {
  const std::filesystem::path relative = std::filesystem::path(source).relative_path();
  for (const auto& part : relative) {
    if (part == "..") {
      return core::Error::bad_request("InvalidSourceDirectory",
                                      "The sourceDirectory '" + source + "' must stay inside the file server",
                                      "sourceDirectory");
    }
  }
  return relative.empty() ? root : root / relative;
}

}  // namespace

FuseStorageService::FuseStorageService(std::filesystem::path data_dir, core::Executor* executor)
    : data_dir_(std::move(data_dir)), executor_(executor), stores_(data_dir_) {
  // What a killed predecessor left must go before anything new is mounted.
  auto removed = cleanup_stale_mounts(data_dir_);
  if (!removed) {
    core::log::warn("nfs: {}", removed.error().message);
  } else if (*removed > 0) {
    core::log::info("nfs: removed {} stale mount(s) of {}", *removed, data_dir_.string());
  }
  if (executor_ == nullptr) timer_ = std::thread([this] { run_timer(); });
}

FuseStorageService::~FuseStorageService() {
  {
    std::lock_guard lock(timer_mutex_);
    stopping_ = true;
  }
  timer_changed_.notify_all();
  if (timer_.joinable()) timer_.join();
}

core::Result<std::unique_ptr<MountedVolume>> FuseStorageService::mount(const VolumeSpec& spec,
                                                                       const std::filesystem::path& where,
                                                                       const std::string& node_id) {
  StoreKind kind = StoreKind::kFileServer;
  if (spec.kind == VolumeSpec::Kind::kAzureFileShare) kind = StoreKind::kAzureFileShare;
  if (spec.kind == VolumeSpec::Kind::kAzureBlobContainer) kind = StoreKind::kAzureBlobContainer;

  auto options = MountOptions::parse(spec.mount_options);
  if (!options) return std::move(options).error();
  auto store = stores_.open(kind, spec.store_key, spec.capacity_bytes);
  if (!store) return std::move(store).error();

  FuseMountConfig config;
  config.store = *store;
  config.mount_point = where;
  config.options = *options;
  config.fs_name = mount_tag(data_dir_);
  const std::uint64_t serial = mount_serial_.fetch_add(1) + 1;
  if (kind == StoreKind::kFileServer) {
    auto source = source_folder((*store)->root(), spec.source_directory);
    if (!source) return std::move(source).error();
    config.source = *source;
  } else {
    config.source = (*store)->root();
  }
  if (kind == StoreKind::kAzureFileShare) {
    auto file_mode = parse_mode(spec.file_mode, "fileMode");
    if (!file_mode) return std::move(file_mode).error();
    auto directory_mode = parse_mode(spec.directory_mode, "directoryMode");
    if (!directory_mode) return std::move(directory_mode).error();
    config.file_mode = *file_mode;
    config.directory_mode = *directory_mode;
  }
  if (kind == StoreKind::kAzureBlobContainer) {
    config.staging_dir =
        data_dir_ / "storage" / ".staging" / (std::to_string(::getpid()) + "-" + std::to_string(serial));
  }
  auto mounted = FuseMount::start(std::move(config));
  if (!mounted) return std::move(mounted).error();
  core::log::debug("nfs: node {} mounted {} at {}", node_id, spec.store_key, where.string());
  return std::unique_ptr<MountedVolume>(std::move(*mounted));
}

std::shared_ptr<NfsStore> FuseStorageService::store_for(const std::string& store_key) const {
  auto found = stores_.find_by_key(store_key);
  return found.empty() ? nullptr : found.front();
}

core::Result<void> FuseStorageService::define_store(const std::string& store_key,
                                                    std::uint64_t capacity_bytes) {
  auto store = stores_.open(StoreKind::kFileServer, store_key, capacity_bytes);
  if (!store) return std::move(store).error();
  return {};
}

core::Result<void> FuseStorageService::write_bytes(const std::string& store_key, std::uint64_t bytes) {
  auto store = store_for(store_key);
  if (!store)
    return core::Error::not_found("StoreNotFound", "No file server or share is known as " + store_key);
  return store->charge(bytes);
}

core::Result<void> FuseStorageService::delete_bytes(const std::string& store_key, std::uint64_t bytes) {
  auto store = store_for(store_key);
  if (!store)
    return core::Error::not_found("StoreNotFound", "No file server or share is known as " + store_key);
  store->release(bytes);
  return {};
}

core::Result<StoreUsage> FuseStorageService::usage(const std::string& store_key) const {
  auto store = store_for(store_key);
  if (!store)
    return core::Error::not_found("StoreNotFound", "No file server or share is known as " + store_key);
  return StoreUsage{store->capacity_bytes(), store->used_bytes(), !store->in_outage()};
}

core::Result<void> FuseStorageService::begin_outage(const std::string& store_key, core::Duration duration) {
  if (duration <= core::Duration::zero()) {
    return core::Error::bad_request("InvalidOutageDuration", "An outage needs a positive durationSeconds",
                                    "durationSeconds");
  }
  auto found = stores_.find_by_key(store_key);
  if (found.empty()) {
    // A file server nobody has mounted yet still has a store: the outage must hold for the next mount.
    auto opened = stores_.open(StoreKind::kFileServer, store_key, 0);
    if (!opened) return std::move(opened).error();
    found.push_back(*opened);
  }
  for (auto& store : found) {
    store->begin_outage();
    if (executor_ != nullptr) {
      executor_->schedule_after(duration, [store] { store->end_outage(); });
    } else {
      std::lock_guard lock(timer_mutex_);
      outage_ends_.emplace(std::chrono::steady_clock::now() + duration, store);
    }
  }
  timer_changed_.notify_all();
  return {};
}

void FuseStorageService::end_outages(const std::string& store_key) {
  for (auto& store : stores_.find_by_key(store_key)) {
    while (store->in_outage()) store->end_outage();
  }
}

void FuseStorageService::run_timer() {
  std::unique_lock lock(timer_mutex_);
  while (!stopping_) {
    if (outage_ends_.empty()) {
      timer_changed_.wait(lock);
      continue;
    }
    auto next = outage_ends_.begin();
    if (std::chrono::steady_clock::now() >= next->first) {
      auto store = next->second;
      outage_ends_.erase(next);
      store->end_outage();
      continue;
    }
    timer_changed_.wait_until(lock, next->first);
  }
}

}  // namespace emu::fakes
