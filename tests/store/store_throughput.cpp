// Prints commits/s of 1-document batches (~1 KB body) for each synchronous mode of the SQLite store,
// and for the in-memory store as a baseline. Run by hand: store_throughput [commits] [dir].

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "emulator/store/memory_document_store.hpp"
#include "emulator/store/sqlite_document_store.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using emu::engine::DocumentStore;
using emu::engine::WriteBatch;

double commits_per_second(DocumentStore& store, long commits) {
  std::string body = R"({"properties":{"payload":")" + std::string(1000, 'x') + R"("}})";
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < commits; ++i) {
    WriteBatch batch;
    // A few hundred distinct keys: the usual mix of inserts and in-place updates of live resources.
    batch.put("jobs", "job-" + std::to_string(i % 512), body);
    if (auto r = store.commit(batch); !r) {
      std::fprintf(stderr, "commit %ld failed: %s\n", i, r.error().message.c_str());
      std::exit(1);
    }
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(commits) / elapsed.count();
}

}  // namespace

int main(int argc, char** argv) {
  long commits = argc > 1 ? std::atol(argv[1]) : 20000;
  std::filesystem::path base = argc > 2 ? std::filesystem::path(argv[2]) : std::filesystem::path();
  emu::store::testing::TempDir scratch;
  if (base.empty()) base = scratch.path();

  for (auto sync : {emu::store::SqliteSync::kNormal, emu::store::SqliteSync::kFull}) {
    const char* name = sync == emu::store::SqliteSync::kNormal ? "NORMAL" : "FULL";
    auto dir = base / name;
    auto store = emu::store::SqliteDocumentStore::open_in_dir(dir, {.synchronous = sync});
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message.c_str());
      return 1;
    }
    long n = sync == emu::store::SqliteSync::kFull ? std::max(1L, commits / 10) : commits;
    std::printf("sqlite synchronous=%-6s %8ld commits: %10.0f commits/s\n", name, n,
                commits_per_second(**store, n));
    store->reset();
    std::filesystem::remove_all(dir);
  }
  emu::store::MemoryDocumentStore memory;
  std::printf("memory                   %8ld commits: %10.0f commits/s\n", commits,
              commits_per_second(memory, commits));
  return 0;
}
