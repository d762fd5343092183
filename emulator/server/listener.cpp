#include "emulator/server/listener.hpp"

#include "emulator/core/log.hpp"

#include <fmt/format.h>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

#include <cerrno>
#include <chrono>

namespace emu::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& io, std::string name, AcceptHandler on_accept)
    : acceptor_(io), retry_timer_(io), name_(std::move(name)), on_accept_(std::move(on_accept)) {}

core::Result<void> Listener::listen(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  const auto fail = [&](std::string_view step) -> core::Error {
    const std::string address = endpoint.address().is_v6()
                                    ? fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port())
                                    : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
    std::string hint;
    if (ec == asio::error::address_in_use) {
      hint =
          fmt::format("; another process uses that port: pick another --{}-port, or 0 for a free one", name_);
    } else if (ec == asio::error::access_denied) {
      hint = fmt::format("; ports below 1024 need privileges: pick another --{}-port", name_);
    } else if (ec.value() == EADDRNOTAVAIL) {
      hint = "; --host must be an address of this machine";
    }
    return core::Error{core::ErrorKind::kInternal,
                       "ListenFailed",
                       fmt::format("cannot {} {} for {}: {}{}", step, address, name_, ec.message(), hint),
                       {}};
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket on");
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("listen on");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  return {};
}

void Listener::start() { do_accept(); }

void Listener::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

void Listener::do_accept() {
  if (stopped_) return;
  acceptor_.async_accept(
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void Listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopped_) return;
  if (ec) {
    const bool out_of_resources = ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                                  ec == asio::error::no_memory || ec.value() == ENFILE;
    if (!out_of_resources) {  // e.g. the client gave up before we accepted: nothing to wait for
      core::log::debug("{} listener: accept failed: {}", name_, ec.message());
      do_accept();
      return;
    }
    // Out of descriptors or memory: retrying at once would spin the thread; wait a little.
    core::log::error("{} listener cannot accept: {}; retrying in 100 ms", name_, ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  boost::system::error_code ignored;
  // Responses are written whole; Nagle would only hold the last segment back.
  socket.set_option(tcp::no_delay(true), ignored);
  on_accept_(std::move(socket));
  do_accept();
}

}  // namespace emu::server
