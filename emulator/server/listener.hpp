#pragma once
// Listener: one listening TCP socket that keeps accepting and hands each new connection over. Held
// by shared_ptr so a queued accept never outlives it; stop() closes the socket and ends the loop.
//   auto listener = std::make_shared<Listener>(io, "http", [](tcp::socket s) { start_session(std::move(s));
//   }); if (auto bound = listener->listen(endpoint); bound) listener->start();

#include "emulator/core/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace emu::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using AcceptHandler = std::function<void(boost::asio::ip::tcp::socket)>;

  // `name` ("https", "http") only labels errors and logs.
  Listener(boost::asio::io_context& io, std::string name, AcceptHandler on_accept);

  // Binds and listens; port 0 picks a free port. Errors name the address and say what to change.
  core::Result<void> listen(const boost::asio::ip::tcp::endpoint& endpoint);
  void start();
  void stop();

  std::uint16_t port() const { return port_; }

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off after errors like "too many open files"
  std::string name_;
  AcceptHandler on_accept_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace emu::server
