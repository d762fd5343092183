#include "emulator/server/http_server.hpp"

#include "emulator/core/log.hpp"
#include "emulator/server/http_session.hpp"
#include "emulator/server/listener.hpp"
#include "emulator/server/session_context.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <algorithm>
#include <chrono>

namespace emu::server {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

// Connections past max_connections that are still answered 503 (rather than closed unanswered),
// so a burst learns to back off without letting refusals pile up without bound.
constexpr std::size_t kRefusalSlots = 64;

void start_session(const std::shared_ptr<SessionContext>& context, tcp::socket socket, bool tls) {
  boost::system::error_code ignored;
  if (context->stopping || context->handler == nullptr) {
    socket.close(ignored);
    return;
  }
  const ConnectionRegistry& registry = context->registry;
  const bool refuse = registry.served_count() >= context->settings.max_connections;
  if (refuse && registry.refused_count() >= kRefusalSlots) {
    core::log::debug("over the connection limit and the refusal slots: closing a new connection unanswered");
    socket.close(ignored);
    return;
  }
  if (tls) {
    std::make_shared<HttpSession<ssl::stream<tcp::socket>>>(
        ssl::stream<tcp::socket>(std::move(socket), *context->tls), context, refuse)
        ->start();
  } else {
    std::make_shared<HttpSession<tcp::socket>>(std::move(socket), context, refuse)->start();
  }
}

// Every sweep closes connections whose deadline passed. Its period bounds how late a timeout fires.
void arm_sweep(const std::shared_ptr<SessionContext>& context) {
  const auto shortest = std::min(
      {context->settings.request_timeout, context->settings.idle_timeout, context->settings.linger_timeout});
  const auto period = std::clamp<std::chrono::steady_clock::duration>(
      shortest / 4, std::chrono::milliseconds(5), std::chrono::seconds(1));
  context->sweep_timer.expires_after(period);
  context->sweep_timer.async_wait(
      [weak = std::weak_ptr<SessionContext>(context)](const boost::system::error_code& ec) {
        const auto locked = weak.lock();
        if (ec || !locked || locked->handler == nullptr) return;
        locked->registry.expire(Connection::Clock::now());
        arm_sweep(locked);
      });
}

core::Error tls_error(std::string message) {
  return core::Error{core::ErrorKind::kInternal, "TlsMaterialError", std::move(message), {}};
}

core::Result<void> load_tls(ssl::context& tls, const HttpServerSettings& settings) {
  if (settings.cert_file.empty() || settings.key_file.empty()) {
    return tls_error("HTTPS needs a certificate and a key file");
  }
  boost::system::error_code ec;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                  ec);
  tls.use_certificate_chain_file(settings.cert_file.string(), ec);
  if (ec)
    return tls_error(
        fmt::format("cannot use {} as a certificate chain: {}", settings.cert_file.string(), ec.message()));
  tls.use_private_key_file(settings.key_file.string(), ssl::context::pem, ec);
  if (ec)
    return tls_error(
        fmt::format("cannot use {} as a private key: {}", settings.key_file.string(), ec.message()));
  if (SSL_CTX_check_private_key(tls.native_handle()) != 1) {
    return tls_error(fmt::format("the key in {} does not match the certificate in {}",
                                 settings.key_file.string(), settings.cert_file.string()));
  }
  return {};
}

core::Result<asio::ip::address> resolve_host(asio::io_context& io, const std::string& host) {
  boost::system::error_code ec;
  // IPv6 literals may carry a zone ("fe80::1%eth0"); make_address handles both forms.
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) return literal;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, "0", ec);
  if (ec || results.empty()) {
    return core::Error{core::ErrorKind::kInternal,
                       "HostNotFound",
                       fmt::format("cannot resolve --host {}: {}", host, ec ? ec.message() : "no address"),
                       {}};
  }
  // "localhost" usually gives both families; IPv4 first, as most clients try it first too.
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint().address();
  }
  return results.begin()->endpoint().address();
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, api::RequestHandler& handler, HttpServerSettings settings)
    : context_(std::make_shared<SessionContext>(io, handler, std::move(settings))) {
  context_->registry.set_on_empty([this] {
    if (context_->stopping) finish_stop();
  });
}

HttpServer::~HttpServer() {
  if (https_listener_) https_listener_->stop();
  if (http_listener_) http_listener_->stop();
  context_->stopping = true;
  context_->handler = nullptr;
  context_->registry.set_on_empty({});
  context_->registry.force_close_all();
  context_->sweep_timer.cancel();
  context_->stop_timer.cancel();
}

core::Result<void> HttpServer::start() {
  const HttpServerSettings& settings = context_->settings;
  if (settings.https_port) {
    context_->tls.emplace(ssl::context::tls_server);
    if (auto loaded = load_tls(*context_->tls, settings); !loaded) return std::move(loaded).error();
  }
  auto address = resolve_host(context_->io, settings.host);
  if (!address) return std::move(address).error();

  const auto open = [&](std::string name, std::uint16_t port,
                        bool tls) -> core::Result<std::shared_ptr<Listener>> {
    auto listener =
        std::make_shared<Listener>(context_->io, std::move(name),
                                   [weak = std::weak_ptr<SessionContext>(context_), tls](tcp::socket socket) {
                                     if (const auto context = weak.lock())
                                       start_session(context, std::move(socket), tls);
                                   });
    if (auto bound = listener->listen(tcp::endpoint(*address, port)); !bound) return std::move(bound).error();
    return listener;
  };
  if (settings.https_port) {
    auto listener = open("https", *settings.https_port, true);
    if (!listener) return std::move(listener).error();
    https_listener_ = std::move(*listener);
    https_port_ = https_listener_->port();
  }
  if (settings.http_port) {
    auto listener = open("http", *settings.http_port, false);
    if (!listener) {
      if (https_listener_) https_listener_->stop();
      return std::move(listener).error();
    }
    http_listener_ = std::move(*listener);
    http_port_ = http_listener_->port();
  }
  if (https_listener_) https_listener_->start();
  if (http_listener_) http_listener_->start();
  arm_sweep(context_);
  return {};
}

void HttpServer::set_commit_barrier(store::CommitBarrier* barrier) { context_->commits = barrier; }

std::size_t HttpServer::connection_count() const { return context_->registry.size(); }

void HttpServer::stop(std::function<void()> on_stopped) {
  if (stopped_) {  // already stopped: nothing left to wait for
    if (on_stopped) asio::post(context_->io, std::move(on_stopped));
    return;
  }
  if (on_stopped) on_stopped_ = std::move(on_stopped);
  if (context_->stopping) {
    context_->registry.force_close_all();
    return;
  }
  context_->stopping = true;
  if (https_listener_) https_listener_->stop();
  if (http_listener_) http_listener_->stop();
  context_->registry.begin_stop_all();
  if (context_->registry.size() == 0) {
    finish_stop();
    return;
  }
  core::log::info("stopping: waiting for {} connection(s) to finish", context_->registry.size());
  context_->stop_timer.expires_after(context_->settings.stop_deadline);
  context_->stop_timer.async_wait(
      [weak = std::weak_ptr<SessionContext>(context_)](const boost::system::error_code& ec) {
        const auto context = weak.lock();
        if (ec || !context) return;
        core::log::info("stop deadline passed: closing {} connection(s)", context->registry.size());
        context->registry.force_close_all();
      });
}

void HttpServer::finish_stop() {
  if (stopped_) return;
  stopped_ = true;
  context_->stop_timer.cancel();
  context_->sweep_timer.cancel();
  if (on_stopped_) asio::post(context_->io, on_stopped_);
}

}  // namespace emu::server
