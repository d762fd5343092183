#pragma once
// ResponseCache: whole ARM GET responses, kept while the engine's state does not change
// (Engine::state_revision()), so that pollers and dashboards reading the same resource again get the
// bytes already rendered instead of a new lookup, JSON rendering and serialisation. A cached
// response depends only on the state and on the request's target, scheme and Host header; routes
// whose answer also depends on the clock (signed output-file URLs) are never cached.
//   if (const HttpResponse* hit = cache.find(request, engine.state_revision())) return *hit;
//   cache.store(request, engine.state_revision(), response);

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "emulator/api/http_message.hpp"

namespace emu::api {

class ResponseCache {
 public:
  // Bounds on what is kept: past either, the cache starts afresh. Bigger bodies are not kept.
  static constexpr std::size_t kMaxEntries = 1024;
  static constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
  static constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 20;

  // A GET of the ARM API other than listoutputfiles.
  static bool cacheable(const HttpRequest& request);

  // The response stored for this request at `revision`, or null. A new revision drops everything.
  const HttpResponse* find(const HttpRequest& request, std::uint64_t revision);
  // Keeps a successful (2xx) response rendered at `revision`.
  void store(const HttpRequest& request, std::uint64_t revision, const HttpResponse& response);

  std::size_t size() const { return entries_.size(); }

 private:
  const std::string& key_of(const HttpRequest& request);
  void drop_all(std::uint64_t revision);

  std::unordered_map<std::string, HttpResponse> entries_;
  std::uint64_t revision_ = 0;
  std::size_t bytes_ = 0;
  std::string key_;  // reused for every lookup
};

}  // namespace emu::api
