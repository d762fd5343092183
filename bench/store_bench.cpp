// Store benchmarks: commits/s of one-document batches (~1 KB, a job's size) into the SQLite store in
// each synchronous mode, and into the in-memory store as the floor. Every commit is one transaction,
// as the engine makes one per acknowledged change.
// Run: build/bench/store_bench [--benchmark_filter=Sqlite]  (files go under $TMPDIR).

#include "emulator/store/memory_document_store.hpp"
#include "emulator/store/sqlite_document_store.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <stdlib.h>
#include <string>
#include <system_error>

namespace {

using namespace emu;

std::string job_document() { return R"({"properties":{"payload":")" + std::string(1000, 'x') + R"("}})"; }

// Commits until the benchmark stops; a few hundred distinct keys, as live resources are updated in
// place far more often than new ones appear.
void commit_loop(benchmark::State& state, engine::DocumentStore& store) {
  const std::string body = job_document();
  std::int64_t n = 0;
  for (auto _ : state) {
    engine::WriteBatch batch;
    batch.put("jobs", "job-" + std::to_string(n++ % 512), body);
    if (auto committed = store.commit(batch); !committed) {
      state.SkipWithError(committed.error().message.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

std::filesystem::path scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (tmp != nullptr && *tmp != '\0' ? std::string(tmp) : std::string("/tmp")) +
                        "/store_bench.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

void BM_SqliteCommit(benchmark::State& state) {
  const auto sync = state.range(0) == 0 ? store::SqliteSync::kNormal : store::SqliteSync::kFull;
  state.SetLabel(sync == store::SqliteSync::kNormal ? "synchronous=NORMAL" : "synchronous=FULL");
  const std::filesystem::path dir = scratch_dir();
  if (dir.empty()) {
    state.SkipWithError("cannot make a scratch folder under TMPDIR");
    return;
  }
  {
    auto opened = store::SqliteDocumentStore::open_in_dir(dir, {.synchronous = sync});
    if (!opened) {
      state.SkipWithError(opened.error().message.c_str());
    } else {
      commit_loop(state, **opened);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
BENCHMARK(BM_SqliteCommit)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_MemoryCommit(benchmark::State& state) {
  store::MemoryDocumentStore memory;
  commit_loop(state, memory);
}
BENCHMARK(BM_MemoryCommit);

}  // namespace

BENCHMARK_MAIN();
