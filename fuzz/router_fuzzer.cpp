// libFuzzer target: api::Router::handle on a whole engine (simulated clock, sim nodes, memory store)
// with the JSON codecs behind it. Input: "METHOD target\n" then the body; the engine keeps its state
// across inputs, so sequences of creates and deletes meet each other.
//   ./router_fuzzer corpus/router

#include "emulator/api/router.hpp"
#include "emulator/core/journal.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace emu;

class FuzzControl final : public api::ServiceControl {
 public:
  explicit FuzzControl(core::SimulatedExecutor& executor) : executor_(executor) {}
  std::string backend_name() const override { return "sim"; }
  core::Time now() const override { return executor_.now(); }
  double time_scale() const override { return 0; }
  core::Result<core::Time> advance_clock(core::Duration by) override {
    // Fuzzed durations may be huge; a day is enough to run every operation to its end.
    if (by > std::chrono::hours(24)) by = std::chrono::hours(24);
    executor_.run_until(executor_.now() + by);
    return executor_.now();
  }
  core::Result<void> file_server_outage(const std::string&, core::Duration) override { return {}; }

 private:
  core::SimulatedExecutor& executor_;
};

struct World {
  core::SimulatedExecutor executor;
  store::MemoryDocumentStore store;
  engine::EngineSettings settings;
  fakes::SimNodeBackend backend{executor, settings};
  core::Journal journal;
  engine::Engine engine{executor, store, backend, journal, engine::VmSizeCatalog::builtin(), settings, 1};
  FuzzControl control{executor};
  api::Router router{engine, control};
};

World& world() {
  static World* instance = new World();  // never destroyed: libFuzzer exits without unwinding
  return *instance;
}

// Says what broke, with the exchange, then stops the run: libFuzzer saves the input as a finding.
[[noreturn]] void fail(const std::string& what, const api::HttpRequest& request,
                       const api::HttpResponse& response) {
  std::fprintf(stderr, "router_fuzzer: %s\n%s %s\n-> %d\n%s\n", what.c_str(), request.method.c_str(),
               request.target.c_str(), response.status, response.body.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t line_end = input.find('\n');
  const std::string_view line = input.substr(0, line_end);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  // The method is an HTTP token: RequestParser (Beast) refuses any other before the router sees it.
  const std::string_view method = line.substr(0, space);
  const auto is_tchar = [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar)) return 0;
  api::HttpRequest request;
  request.method = std::string(method);
  request.target = std::string(line.substr(space + 1));
  if (line_end != std::string_view::npos) request.body = std::string(input.substr(line_end + 1));
  request.headers.emplace_back("Host", "localhost");
  request.headers.emplace_back("Content-Type", "application/json");
  World& w = world();
  const api::HttpResponse response = w.router.handle(request);
  // Every JSON answer must be JSON: a torn or unescaped body is a bug even when the status is right.
  if (response.header("Content-Type").starts_with("application/json") && !response.body.empty()) {
    boost::system::error_code ec;
    (void)boost::json::parse(response.body, ec);
    if (ec) fail("the JSON answer does not parse (" + ec.message() + ")", request, response);
  }
  if (response.status < 100 || response.status > 599)
    fail("the status is not an HTTP status", request, response);
  // Let operations move on so that later inputs see finished and deleted resources.
  w.executor.run_until(w.executor.now() + std::chrono::seconds(5));
  return 0;
}
