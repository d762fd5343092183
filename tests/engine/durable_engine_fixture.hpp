#pragma once
// An EngineFixture whose engine keeps its state in SQLite in a fresh folder of its own; reopen() builds a
// new engine on the same folder, as after a restart of the process. The workspace "ws" and experiment
// "exp" exist after every reopen().
//   class MyTest : public DurableEngineFixture { protected: MyTest() : DurableEngineFixture("my-test") {} };

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/store/sqlite_document_store.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace emu::engine::testing {

class DurableEngineFixture : public EngineFixture {
 protected:
  explicit DurableEngineFixture(std::string_view folder_prefix, EngineSettings settings = {})
      : EngineFixture(std::move(settings)) {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string(folder_prefix) + "-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    reopen();
  }
  ~DurableEngineFixture() override {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new engine on the same data dir, as after a restart of the process.
  void reopen() {
    engine_.reset();
    store_.reset();
    auto opened = store::SqliteDocumentStore::open_in_dir(dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    backend_ = std::make_unique<fakes::SimNodeBackend>(executor_, settings_);
    journal_ = std::make_unique<core::Journal>();
    journal_->set_retention(journal_retention_);
    engine_ = std::make_unique<Engine>(executor_, *store_, *backend_, *journal_, VmSizeCatalog::builtin(),
                                       settings_, 1);
    auto loaded = engine_->load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    if (!engine_->get_workspace(ResourcePath::workspace_path(kSub, kRg, kWs)).ok()) {
      ASSERT_TRUE(engine_->put_workspace(ResourcePath::workspace_path(kSub, kRg, kWs), {"eastus", {}}).ok());
      ASSERT_TRUE(engine_->put_experiment(ResourcePath::experiment_path(kSub, kRg, kWs, "exp")).ok());
    }
  }

  std::filesystem::path dir_;
  std::size_t journal_retention_ = 0;  // records the journal keeps in memory from the next reopen(); 0: all
};

}  // namespace emu::engine::testing
