#include "emulator/server/emulator_application.hpp"

#include <fmt/format.h>

#include "emulator/core/log.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "emulator/store/sqlite_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

namespace emu::server {

core::Result<std::unique_ptr<EmulatorApplication>> EmulatorApplication::create(const ServeOptions& options,
                                                                               const EmulatorSettings& settings,
                                                                               boost::asio::io_context& io) {
  std::unique_ptr<EmulatorApplication> app(new EmulatorApplication());
  app->settings_ = settings;
  const core::Time epoch = settings.epoch.value_or(core::kDefaultEpoch);
  app->executor_ = std::make_unique<core::RealTimeExecutor>(io, epoch, options.time_scale);
  if (options.in_memory) {
    app->store_ = std::make_unique<store::MemoryDocumentStore>();
  } else {
    auto opened = store::SqliteDocumentStore::open_in_dir(options.data_dir);
    if (!opened) return opened.error();
    app->store_ = std::move(*opened);
  }
  app->backend_ = std::make_unique<fakes::SimNodeBackend>(*app->executor_, app->settings_.engine);
  app->journal_ = std::make_unique<core::Journal>();
  app->engine_ = std::make_unique<engine::Engine>(*app->executor_, *app->store_, *app->backend_, *app->journal_,
                                                  engine::VmSizeCatalog::builtin(), app->settings_.engine,
                                                  options.seed);
  if (auto loaded = app->engine_->load(); !loaded) {
    return core::Error::internal(fmt::format("cannot load the state in {}: {}. Move the folder away to start "
                                             "afresh, or restore it from a backup.",
                                             options.data_dir.string(), loaded.error().message));
  }
  // The clock never runs backwards across a restart: it resumes after the last recorded event.
  if (!app->journal_->empty()) {
    const core::Time last = app->journal_->since(app->journal_->last_sequence() - 1).back().time;
    if (last > app->executor_->now()) app->executor_->advance(last - app->executor_->now());
  }
  app->router_ = std::make_unique<api::Router>(*app->engine_, *app);
  core::log::info("engine ready: profile {}, seed {}, time scale {}, clock at {}", app->settings_.engine.profile,
                  options.seed, options.time_scale, core::format_timestamp(app->executor_->now()));
  return app;
}

EmulatorApplication::~EmulatorApplication() {
  // The engine talks to the backend and the executor while it winds down: destroy it first.
  router_.reset();
  engine_.reset();
  backend_.reset();
}

core::Result<core::Time> EmulatorApplication::advance_clock(core::Duration by) { return executor_->advance(by); }

void EmulatorApplication::shutdown() {
  // Every change is committed when it happens; nothing is pending here. Stop timers so that the
  // io_context can finish.
  router_.reset();
  engine_.reset();
  backend_.reset();
  executor_.reset();
}

}  // namespace emu::server
