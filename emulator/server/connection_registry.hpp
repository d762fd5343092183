#pragma once
// ConnectionRegistry: the live connections of one HttpServer, for the limit on open connections, the
// deadline sweep and graceful stop. Single-threaded like the rest of the server: only the
// io_context's thread touches it. Connections remove themselves when destroyed.
//   registry.add(session.get());  ...  registry.expire(Connection::Clock::now());
//   registry.set_on_empty([] { /* every connection is gone */ });

#include "emulator/server/connection.hpp"

#include <cstddef>
#include <functional>
#include <vector>

namespace emu::server {

class ConnectionRegistry {
 public:
  void add(Connection* connection);
  void remove(Connection* connection);

  std::size_t size() const { return connections_.size(); }
  std::size_t refused_count() const { return refused_count_; }
  std::size_t served_count() const { return connections_.size() - refused_count_; }

  // Calls on_deadline() on every connection whose deadline is at or before `now`.
  void expire(Connection::Clock::time_point now);
  void begin_stop_all();
  void force_close_all();

  // Called (from inside remove()) each time the last connection goes away.
  void set_on_empty(std::function<void()> on_empty) { on_empty_ = std::move(on_empty); }

 private:
  // Connections may remove themselves (or others) from inside the callbacks, so walk a copy.
  template <typename Visit>
  void for_each_snapshot(Visit visit);

  std::vector<Connection*> connections_;
  std::vector<Connection*> snapshot_;  // reused by for_each_snapshot
  std::size_t refused_count_ = 0;
  std::function<void()> on_empty_;
};

}  // namespace emu::server
