#pragma once
// EmulatorApplication: what `serve` runs behind its listeners. Wires the real-time executor (scaled
// by --time-scale) on the server's io_context, the durable store (SQLite in the data dir, or memory
// with --in-memory), the node backend (container-backed nodes with FUSE storage when the host can
// make them, else simulated nodes; with SQLite, group commit in front of it), the journal, the engine, the
// router, the dashboard and the optional request recorder, and is the admin API's ServiceControl (clock,
// backend, outages).
//   auto app = EmulatorApplication::create(options, settings, io);  HttpServer s(io, (*app)->handler(), ...);

#include <memory>

#include <boost/asio/io_context.hpp>

#include "emulator/api/router.hpp"
#include "emulator/api/service_control.hpp"
#include "emulator/core/journal.hpp"
#include "emulator/core/real_time_executor.hpp"
#include "emulator/dashboard/dashboard_handler.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/engine/node_backend.hpp"
#include "emulator/server/application.hpp"
#include "emulator/server/auth_handler.hpp"
#include "emulator/server/serve_options.hpp"
#include "emulator/server/settings_file.hpp"
#include "emulator/store/group_commit_store.hpp"
#include "fakes/nfs/fuse_storage_service.hpp"
#include "fakes/nfs/sim_storage_model.hpp"
#include "harness/recording_handler.hpp"

namespace emu::server {

class EmulatorApplication final : public Application, public api::ServiceControl {
 public:
  // Opens the store and loads the state of an earlier run; an error says what to do about it.
  static core::Result<std::unique_ptr<EmulatorApplication>> create(const ServeOptions& options,
                                                                   const EmulatorSettings& settings,
                                                                   boost::asio::io_context& io);
  ~EmulatorApplication() override;

  api::RequestHandler& handler() override { return *dashboard_; }
  std::string backend_name() const override { return backend_->name(); }
  void shutdown() override;
  store::CommitBarrier* commit_barrier() override { return group_commit_.get(); }

  core::Time now() const override { return executor_->now(); }
  double time_scale() const override { return executor_->time_scale(); }
  core::Result<core::Time> advance_clock(core::Duration by) override;
  core::Result<void> file_server_outage(const std::string& file_server_id, core::Duration duration) override;
  api::StorageUsage file_server_usage(const std::string& file_server_id) const override;

 private:
  EmulatorApplication() = default;
  core::Result<void> choose_backend(const ServeOptions& options, boost::asio::io_context& io);
  void tear_down();
  // Commits what is staged (the group commit posted once per turn, and at shutdown); logs a failure.
  core::Result<void> sync_staged();

  EmulatorSettings settings_;
  std::unique_ptr<core::RealTimeExecutor> executor_;
  std::unique_ptr<engine::DocumentStore> store_;
  // In front of the SQLite store: the engine's changes of one io_context turn share a transaction.
  std::unique_ptr<store::GroupCommitStore> group_commit_;
  std::unique_ptr<fakes::FuseStorageService> storage_;      // container-backed nodes
  std::unique_ptr<fakes::SimStorageModel> sim_storage_;     // simulated nodes
  std::unique_ptr<engine::NodeBackend> backend_;
  std::unique_ptr<core::Journal> journal_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<harness::RecordingHandler> recorder_;
  std::unique_ptr<AuthHandler> auth_;  // --auth token; the dashboard's own pages stay open
  std::unique_ptr<dashboard::DashboardHandler> dashboard_;
};

}  // namespace emu::server
