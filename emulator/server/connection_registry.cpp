#include "emulator/server/connection_registry.hpp"

#include <algorithm>

namespace emu::server {

void ConnectionRegistry::add(Connection* connection) {
  connection->registry_index_ = connections_.size();
  connections_.push_back(connection);
  if (connection->refused()) ++refused_count_;
}

void ConnectionRegistry::remove(Connection* connection) {
  const std::size_t index = connection->registry_index_;
  if (index >= connections_.size() || connections_[index] != connection) return;
  // Swap-remove keeps removal O(1); the order of connections means nothing.
  connections_[index] = connections_.back();
  connections_[index]->registry_index_ = index;
  connections_.pop_back();
  if (connection->refused()) --refused_count_;
  // A removed connection may still be in a snapshot being walked; null it there.
  std::replace(snapshot_.begin(), snapshot_.end(), connection, static_cast<Connection*>(nullptr));
  if (connections_.empty() && on_empty_) on_empty_();
}

template <typename Visit>
void ConnectionRegistry::for_each_snapshot(Visit visit) {
  snapshot_.assign(connections_.begin(), connections_.end());
  for (std::size_t i = 0; i < snapshot_.size(); ++i) {
    if (snapshot_[i] != nullptr) visit(*snapshot_[i]);
  }
  snapshot_.clear();
}

void ConnectionRegistry::expire(Connection::Clock::time_point now) {
  for_each_snapshot([now](Connection& connection) {
    if (connection.deadline() <= now) connection.on_deadline();
  });
}

void ConnectionRegistry::begin_stop_all() {
  for_each_snapshot([](Connection& connection) { connection.begin_stop(); });
}

void ConnectionRegistry::force_close_all() {
  for_each_snapshot([](Connection& connection) { connection.force_close(); });
}

}  // namespace emu::server
