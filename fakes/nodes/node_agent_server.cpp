#include "fakes/nodes/node_agent_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "fakes/nodes/node_agent_protocol.hpp"

namespace emu::fakes {

struct NodeAgentServer::Listener {
  int directory_fd = -1;  // where the socket's name lives, to remove it
  std::string name;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket;
};

struct NodeAgentServer::Connection {
  std::uint64_t id = 0;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket;
  pid_t pid = 0;  // the command, once started
};

namespace {

bool same_host(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void close_all(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

}  // namespace

NodeAgentServer::NodeAgentServer(boost::asio::io_context& io, SandboxProcessWatcher& watcher,
                                 std::vector<NodeAgentTarget> nodes, CommandOnNode command_on_node)
    : io_(io), watcher_(watcher), nodes_(std::move(nodes)), command_on_node_(std::move(command_on_node)) {}

NodeAgentServer::~NodeAgentServer() {
  alive_.reset();
  for (auto& [id, connection] : connections_) {
    if (connection->pid > 0) {
      watcher_.forget(connection->pid);
      ::kill(-connection->pid, SIGKILL);
    }
  }
  connections_.clear();
  for (auto& listener : listeners_) {
    listener->socket.reset();
    ::unlinkat(listener->directory_fd, listener->name.c_str(), 0);
    ::close(listener->directory_fd);
  }
}

core::Result<void> NodeAgentServer::listen(int directory_fd, const std::string& name) {
  auto failed = [&](std::string_view what) {
    return core::Error::internal(
        fmt::format("node agent socket {}: {}: {}", name, what, std::strerror(errno)));
  };
  auto listener = std::make_unique<Listener>();
  listener->name = name;
  listener->directory_fd = ::fcntl(directory_fd, F_DUPFD_CLOEXEC, 0);
  if (listener->directory_fd < 0) return failed("dup");
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::close(listener->directory_fd);
    return failed("socket");
  }
  // Through /proc/self/fd: sun_path holds 108 bytes, a node's job temp dir on the host is longer.
  const std::string path = fmt::format("/proc/self/fd/{}/{}", listener->directory_fd, name);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    ::close(fd);
    ::close(listener->directory_fd);
    errno = ENAMETOOLONG;
    return failed("bind");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ::unlinkat(listener->directory_fd, name.c_str(), 0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 64) != 0) {
    const auto error = failed("bind");
    ::close(fd);
    ::close(listener->directory_fd);
    return error;
  }
  // A job may have swapped the socket for a link since bind: never chmod its target.
  ::fchmodat(listener->directory_fd, name.c_str(), 0600, AT_SYMLINK_NOFOLLOW);
  listener->socket = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
  listeners_.push_back(std::move(listener));
  do_accept(*listeners_.back());
  return {};
}

std::size_t NodeAgentServer::running() const {
  std::size_t n = 0;
  for (const auto& [id, c] : connections_) n += c->pid > 0 ? 1 : 0;
  return n;
}

void NodeAgentServer::replace_agent(std::string launcher_agent, std::string node_agent) {
  launcher_agent_ = std::move(launcher_agent);
  node_agent_ = std::move(node_agent);
}

void NodeAgentServer::do_accept(Listener& listener) {
  listener.socket->async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [alive = std::weak_ptr<bool>(alive_), this, &listener](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        on_accept(listener);
      });
}

void NodeAgentServer::on_accept(Listener& listener) {
  for (;;) {
    const int fd =
        ::accept4(listener.socket->native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    auto connection = std::make_unique<Connection>();
    connection->id = next_id_++;
    connection->socket = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    const std::uint64_t id = connection->id;
    if (connections_.size() >= kMaxConnections) {
      reply(*connection, kNodeAgentFailure, "node-agent: too many launches at once for this job");
      continue;
    }
    connections_[id] = std::move(connection);
    do_read(id);
  }
  do_accept(listener);
}

void NodeAgentServer::do_read(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second->socket->async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [alive = std::weak_ptr<bool>(alive_), this, id](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        on_read(id);
      });
}

void NodeAgentServer::on_read(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  const int fd = connection.socket->native_handle();
  if (connection.pid > 0) {
    // While the command runs the caller only waits; readable means it went away (or misbehaves).
    char ignored[64];
    const ssize_t n = ::recv(fd, ignored, sizeof ignored, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return do_read(id);
    if (n > 0) return do_read(id);
    watcher_.forget(connection.pid);
    ::kill(-connection.pid, SIGKILL);
    return close(id);
  }
  std::string request(kNodeAgentMaxRequest, '\0');
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)];
  iovec io{request.data(), request.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return do_read(id);
  std::vector<int> fds;
  for (cmsghdr* h = CMSG_FIRSTHDR(&message); h != nullptr; h = CMSG_NXTHDR(&message, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
      fds.push_back(received);
    }
  }
  if (n <= 0) {
    close_all(fds);
    return close(id);
  }
  request.resize(static_cast<std::size_t>(n));
  const std::string_view magic(kNodeAgentMagic, sizeof kNodeAgentMagic);
  const auto host_end = request.find('\0', magic.size());
  if ((message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || fds.size() != 3 || !request.starts_with(magic) ||
      host_end == std::string::npos) {
    close_all(fds);
    reply(connection, kNodeAgentFailure, "node-agent: malformed launch request");
    return close(id);
  }
  const std::string host = request.substr(magic.size(), host_end - magic.size());
  const std::string command = request.substr(host_end + 1);
  const int stdio[3] = {fds[0], fds[1], fds[2]};
  start(connection, host, command, stdio);
  close_all(fds);  // the command has its own copies
}

void NodeAgentServer::start(Connection& connection, const std::string& host, const std::string& command,
                            const int (&stdio)[3]) {
  const std::uint64_t id = connection.id;
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < nodes_.size() && !index; ++i) {
    if (host == nodes_[i].ip || same_host(host, nodes_[i].node_id)) index = i;
  }
  if (!index) {
    reply(connection, kNodeAgentFailure, fmt::format("node-agent: {} is not a node of this job", host));
    return close(id);
  }
  std::string rewritten = command;
  if (!launcher_agent_.empty()) {
    for (auto at = rewritten.find(launcher_agent_); at != std::string::npos;
         at = rewritten.find(launcher_agent_, at + node_agent_.size())) {
      rewritten.replace(at, launcher_agent_.size(), node_agent_);
    }
  }
  std::optional<SpawnSpec> spec = command_on_node_(*index, rewritten);
  if (!spec) {
    reply(connection, kNodeAgentFailure, fmt::format("node-agent: node {} no longer runs this job", host));
    return close(id);
  }
  spec->stdin_fd = stdio[0];
  spec->stdout_fd = stdio[1];
  spec->stderr_fd = stdio[2];
  auto pid = watcher_.spawn(*spec, [alive = std::weak_ptr<bool>(alive_), this, id](int code) {
    if (!alive.expired()) on_exit(id, code);
  });
  if (!pid) {
    reply(connection, kNodeAgentFailure, fmt::format("node-agent: {}", pid.error().message));
    return close(id);
  }
  connection.pid = *pid;
  do_read(id);
}

void NodeAgentServer::on_exit(std::uint64_t id, int code) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second->pid = 0;
  reply(*it->second, code, "");
  close(id);
}

void NodeAgentServer::reply(Connection& connection, int code, const std::string& message) {
  const std::string text = fmt::format("{}\n{}", code, message);
  // Never blocks: a caller that does not read its reply does not hold up the emulator.
  (void)::send(connection.socket->native_handle(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void NodeAgentServer::close(std::uint64_t id) { connections_.erase(id); }

}  // namespace emu::fakes
