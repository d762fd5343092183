#pragma once
// Connection: what HttpServer needs from a session to enforce timeouts and stop gracefully. Each
// session publishes a deadline instead of arming a timer per request; one server-wide sweep
// (ConnectionRegistry::expire) calls on_deadline() on the late ones, which keeps per-request cost to
// a clock read.
//   class MySession : public Connection { void on_deadline() override { close(); } ... };

#include <chrono>
#include <cstddef>

namespace emu::server {

class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  // The deadline set by the session has passed: give up on the current step and close.
  virtual void on_deadline() = 0;
  // The server is stopping: finish the request in progress (if any), then close.
  virtual void begin_stop() = 0;
  // The stop deadline passed: close now.
  virtual void force_close() = 0;

  Clock::time_point deadline() const { return deadline_; }
  bool refused() const { return refused_; }

 protected:
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  void clear_deadline() { deadline_ = Clock::time_point::max(); }
  void set_refused(bool refused) { refused_ = refused; }

 private:
  friend class ConnectionRegistry;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::size_t registry_index_ = 0;
  bool refused_ = false;  // over max_connections: answered 503 and closed
};

}  // namespace emu::server
