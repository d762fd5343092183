#include "emulator/server/serve_command.hpp"

#include "emulator/core/log.hpp"
#include "emulator/server/application_factory.hpp"
#include "emulator/server/http_server.hpp"
#include "emulator/server/temporary_directory.hpp"
#include "emulator/server/tls_material.hpp"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <optional>
#include <system_error>

namespace emu::server {

namespace {

namespace fs = std::filesystem;

std::string url_host(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]", host);
  return std::string(host);
}

core::Result<void> make_data_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  fs::create_directories(dir, ec);
  if (ec) {
    return core::Error::internal(fmt::format("cannot create the data dir {}: {}; pass a writable --data-dir",
                                             dir.string(), ec.message()));
  }
  return {};
}

// Each file a node's job keeps open on a file-server mount, and each connection, costs the server one
// descriptor; a soft limit of 1024 (many hosts' default) would fail jobs with EMFILE long before the
// hard limit. The soft limit is raised to the hard one, as servers commonly do.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    core::log::debug("open file limit raised from {} to {}", before, limit.rlim_cur);
  } else {
    core::log::warn("open file limit stays at {} ({}); jobs may hit EMFILE on file-server mounts", before,
                    std::strerror(errno));
  }
}

// Where the HTTPS certificate comes from; `temporary` keeps an --in-memory folder alive.
struct TlsSetup {
  TlsMaterial material;
  std::optional<TemporaryDirectory> temporary;
};

core::Result<TlsSetup> prepare_tls(const ServeOptions& options) {
  if (options.cert_file) {
    auto material = TlsMaterial::from_files(*options.cert_file, *options.key_file);
    if (!material) return std::move(material).error();
    core::log::info("HTTPS uses {} and {}", options.cert_file->string(), options.key_file->string());
    return TlsSetup{std::move(*material), std::nullopt};
  }
  std::optional<TemporaryDirectory> temporary;
  fs::path dir = options.data_dir / "tls";
  if (options.in_memory && !options.data_dir_given) {
    auto created = TemporaryDirectory::create("batchai-emulator-tls");
    if (!created) return std::move(created).error();
    temporary.emplace(std::move(*created));
    dir = temporary->path();
  }
  auto material = TlsMaterial::ensure(dir, options.host);
  if (!material) return std::move(material).error();
  if (material->created_ca())
    core::log::info("made a new CA: {} (clients verify HTTPS against it)", material->ca_file().string());
  if (material->created_server_certificate()) {
    core::log::info("made a new server certificate for localhost, 127.0.0.1, ::1 and {}", options.host);
  }
  return TlsSetup{std::move(*material), std::move(temporary)};
}

HttpServerSettings server_settings(const ServeOptions& options, const TlsMaterial& tls) {
  HttpServerSettings settings;
  settings.host = options.host;
  settings.https_port = options.https_port;
  settings.http_port = options.http_port;
  settings.cert_file = tls.cert_file();
  settings.key_file = tls.key_file();
  settings.max_body_bytes = options.max_body_bytes;
  settings.max_connections = options.max_connections;
  settings.idle_timeout =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.idle_timeout);
  settings.request_timeout =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.request_timeout);
  return settings;
}

int serve(const ServeOptions& options) {
  if (options.config_file) {
    std::ifstream config(*options.config_file);
    if (!config) {
      core::log::error("cannot read --config {}: {}", options.config_file->string(), std::strerror(errno));
      return 1;
    }
  }
  raise_open_file_limit();
  if (!options.in_memory) {
    if (auto made = make_data_dir(options.data_dir); !made) {
      core::log::error("{}", made.error().message);
      return 1;
    }
  }
  auto tls = prepare_tls(options);
  if (!tls) {
    core::log::error("{}", tls.error().message);
    return 1;
  }

  boost::asio::io_context io(1);
  std::unique_ptr<Application> application = make_application(options, io);
  if (options.backend == Backend::kAuto)
    core::log::info("backend auto: using {}", application->backend_name());

  HttpServer server(io, application->handler(), server_settings(options, tls->material));
  server.set_commit_barrier(application->commit_barrier());
  if (auto started = server.start(); !started) {
    core::log::error("{}", started.error().message);
    return 1;
  }

  int exit_code = 0;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  bool stopping = false;
  on_signal = [&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    if (stopping) {
      core::log::info("{} again: closing every connection now",
                      signal_number == SIGINT ? "SIGINT" : "SIGTERM");
      server.stop();
      signals.async_wait(on_signal);
      return;
    }
    stopping = true;
    core::log::info("{}: stopping (in-flight requests may finish)",
                    signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop([&] {
      try {
        application->shutdown();
      } catch (const std::exception& failure) {
        core::log::error("shutdown failed, state may not be saved: {}", failure.what());
        exit_code = 1;
      }
      signals.cancel();
      io.stop();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  const std::string line =
      ready_line(options.host, server.https_port(), server.http_port(),
                 fs::absolute(tls->material.ca_file()).lexically_normal(), application->backend_name());
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  core::log::info("serving https on port {} and http on port {}", server.https_port(), server.http_port());

  io.run();
  core::log::info("stopped");
  return exit_code;
}

}  // namespace

std::string ready_line(std::string_view host, std::uint16_t https_port, std::uint16_t http_port,
                       const std::filesystem::path& ca_file, std::string_view backend) {
  const std::string url = url_host(host);
  return fmt::format("ready https=https://{}:{} http=http://{}:{} ca={} backend={}", url, https_port, url,
                     http_port, ca_file.string(), backend);
}

int run_serve(const ServeOptions& options) {
  core::log::set_level(options.log_level);
  try {
    return serve(options);
  } catch (const std::exception& failure) {
    core::log::error("{}", failure.what());
    return 1;
  }
}

}  // namespace emu::server
