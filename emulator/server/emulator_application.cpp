#include "emulator/server/emulator_application.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "emulator/core/log.hpp"
#include "emulator/engine/resource_path.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "emulator/store/sqlite_document_store.hpp"
#include "fakes/nodes/node_backend_factory.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

namespace emu::server {

core::Result<void> EmulatorApplication::choose_backend(const ServeOptions& options, boost::asio::io_context& io) {
  std::string why_not;
  const bool container_possible =
      options.backend != Backend::kSim && fakes::container_backend_available(why_not);
  if (options.backend == Backend::kContainer && !container_possible) {
    return core::Error::bad_request("BackendUnavailable",
                                    "--backend container needs " + why_not + "; use --backend sim meanwhile");
  }
  if (container_possible) {
    storage_ = std::make_unique<fakes::FuseStorageService>(options.data_dir, executor_.get());
    backend_ = fakes::make_container_backend(*executor_, io, settings_.engine, options.data_dir, storage_.get());
    return {};
  }
  if (options.backend == Backend::kAuto) core::log::info("backend auto: simulated nodes, because {}", why_not);
  sim_storage_ = std::make_unique<fakes::SimStorageModel>(*executor_);
  auto sim = std::make_unique<fakes::SimNodeBackend>(*executor_, settings_.engine);
  sim->set_storage(sim_storage_.get());
  backend_ = std::move(sim);
  return {};
}

core::Result<std::unique_ptr<EmulatorApplication>> EmulatorApplication::create(const ServeOptions& options,
                                                                               const EmulatorSettings& settings,
                                                                               boost::asio::io_context& io) {
  std::unique_ptr<EmulatorApplication> app(new EmulatorApplication());
  app->settings_ = settings;
  // A stopped clock (--time-scale 0) starts at the fixed epoch, so that runs repeat to the byte; a
  // running one starts at the wall clock's now, so that times read naturally next to real files.
  const core::Time wall_now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  const core::Time epoch = settings.epoch.value_or(options.time_scale == 0 ? core::kDefaultEpoch : wall_now);
  app->executor_ = std::make_unique<core::RealTimeExecutor>(io, epoch, options.time_scale);
  if (options.in_memory) {
    app->store_ = std::make_unique<store::MemoryDocumentStore>();
  } else {
    // WAL checkpoints (and their fsyncs) on the store's thread, not inside a commit on this one.
    store::SqliteOptions sqlite{.checkpoints = store::SqliteCheckpoints::kBackground};
    auto opened = store::SqliteDocumentStore::open_in_dir(options.data_dir, sqlite);
    if (!opened) return opened.error();
    app->store_ = std::move(*opened);
    // Group commit: the engine's commit() stages, and the first change of a turn posts one sync, so
    // every change made in that turn (by requests or timers) shares one SQLite transaction. The
    // server writes the responses of that turn after the sync (commit_barrier()), so nothing is
    // acknowledged before it is durable.
    app->group_commit_ = std::make_unique<store::GroupCommitStore>(*app->store_);
    app->group_commit_->set_sync_scheduler([app = app.get(), &io] {
      boost::asio::post(io, [app] { (void)app->sync_staged(); });
    });
  }
  engine::DocumentStore& engine_store =
      app->group_commit_ ? static_cast<engine::DocumentStore&>(*app->group_commit_) : *app->store_;
  if (auto chosen = app->choose_backend(options, io); !chosen) return chosen.error();
  app->journal_ = std::make_unique<core::Journal>();
  // Older records stay in the store (or, with --in-memory, are gone); the digest still covers them.
  app->journal_->set_retention(static_cast<std::size_t>(settings.journal_records_in_memory));
  app->engine_ = std::make_unique<engine::Engine>(*app->executor_, engine_store, *app->backend_, *app->journal_,
                                                  engine::VmSizeCatalog::builtin(), app->settings_.engine,
                                                  options.seed);
  if (auto loaded = app->engine_->load(); !loaded) {
    return core::Error::internal(fmt::format("cannot load the state in {}: {}. Move the folder away to start "
                                             "afresh, or restore it from a backup.",
                                             options.data_dir.string(), loaded.error().message));
  }
  // What the load changed (nodes gone, jobs requeued) is durable before the first request is served.
  if (auto synced = app->sync_staged(); !synced) {
    return core::Error::internal(fmt::format("cannot save the state in {}: {}", options.data_dir.string(),
                                             synced.error().message));
  }
  // The clock never runs backwards across a restart: it resumes after the last recorded event.
  if (!app->journal_->empty()) {
    const core::Time last = app->journal_->since(app->journal_->last_sequence() - 1).back().time;
    if (last > app->executor_->now()) app->executor_->advance(last - app->executor_->now());
  }
  app->router_ = std::make_unique<api::Router>(*app->engine_, *app);
  api::RequestHandler* api_handler = app->router_.get();
  if (options.record_file) {
    app->recorder_ = std::make_unique<harness::RecordingHandler>(
        *app->router_, *app->executor_, *options.record_file,
        harness::RecordingHeader{options.seed, app->settings_.engine.profile, epoch});
    if (auto ok = app->recorder_->ok(); !ok) return ok.error();
    api_handler = app->recorder_.get();
    core::log::info("recording every API request to {}", options.record_file->string());
  }
  if (options.auth == AuthMode::kToken) {
    auto signer = TokenSigner::open(options.data_dir);
    if (!signer) return signer.error();
    app->auth_ = std::make_unique<AuthHandler>(*api_handler, std::move(*signer));
    api_handler = app->auth_.get();
    core::log::info("auth token: only JWTs signed with {} are accepted, each for its own subscription",
                    (options.data_dir / "auth" / "token.key").string());
  } else {
    core::log::warn("auth none: any bearer token (or none) is accepted for every subscription; pass --auth "
                    "token to check them");
  }
  app->dashboard_ = std::make_unique<dashboard::DashboardHandler>(*api_handler);
  core::log::info("engine ready: backend {}, profile {}, seed {}, time scale {}, clock at {}", app->backend_->name(),
                  app->settings_.engine.profile, options.seed, options.time_scale,
                  core::format_timestamp(app->executor_->now()));
  return app;
}

EmulatorApplication::~EmulatorApplication() { tear_down(); }

core::Result<void> EmulatorApplication::sync_staged() {
  if (!group_commit_) return {};
  auto synced = group_commit_->sync();
  if (!synced) core::log::error("state could not be saved: {}", synced.error().message);
  return synced;
}

void EmulatorApplication::tear_down() {
  // The engine talks to the backend and the executor while it winds down: destroy it first, then the
  // backend (its sandboxes), then the storage (its mounts). What they staged on the way is committed
  // last (a parked response, if any is left, is answered by it).
  dashboard_.reset();
  auth_.reset();
  recorder_.reset();
  router_.reset();
  engine_.reset();
  backend_.reset();
  storage_.reset();
  sim_storage_.reset();
  (void)sync_staged();
}

core::Result<core::Time> EmulatorApplication::advance_clock(core::Duration by) { return executor_->advance(by); }

core::Result<void> EmulatorApplication::file_server_outage(const std::string& file_server_id,
                                                           core::Duration duration) {
  const std::string key = engine::to_lower(file_server_id);
  if (storage_) return storage_->begin_outage(key, duration);
  // Simulated file servers: the store model keeps the outage (and the capacity) on the virtual clock.
  if (auto found = sim_storage_->usage(key); !found) {
    if (auto defined = sim_storage_->define_store(key, 0); !defined) return defined;
  }
  return sim_storage_->begin_outage(key, duration);
}

api::StorageUsage EmulatorApplication::file_server_usage(const std::string& file_server_id) const {
  const std::string key = engine::to_lower(file_server_id);
  const fakes::StorageAccounting* accounting = storage_ ? static_cast<const fakes::StorageAccounting*>(storage_.get())
                                                        : sim_storage_.get();
  auto usage = accounting->usage(key);
  if (!usage) return {};
  return {usage->used_bytes, usage->available};
}

void EmulatorApplication::shutdown() {
  // Stop timers, sandboxes and mounts so that the io_context can finish; tear_down() commits what is
  // still staged (changes of the last turn, and of the engine winding down).
  tear_down();
  executor_.reset();
}

}  // namespace emu::server
