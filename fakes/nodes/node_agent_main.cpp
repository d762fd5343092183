// node-agent: the rsh agent that mpirun (OMPI_MCA_plm_rsh_agent) runs to start a daemon on another
// node of the job, since nodes run no sshd. It asks the backend's NodeAgentServer, over the job's
// unix socket, to run the command on that node, hands over its own stdin/stdout/stderr, and exits
// with the command's exit code, as ssh would. A static executable: it also runs inside images.
//   node-agent --socket=/mnt/.../jobs/<job>/.node-agent.sock 10.0.0.5 orted -mca ...

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fakes/nodes/node_agent_protocol.hpp"

namespace {

using emu::fakes::kNodeAgentFailure;

int fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "node-agent: %s%s\n", what, detail.c_str());
  return kNodeAgentFailure;
}

// Connects to a socket whose path may be longer than sun_path: from inside its directory.
int connect_to(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    ::close(fd);
    return -1;
  }
  std::memcpy(address.sun_path, name.c_str(), name.size() + 1);
  const int here = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = ::chdir(dir.c_str());
  if (rc == 0) rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int saved = errno;
  if (here >= 0) {
    (void)!::fchdir(here);
    ::close(here);
  }
  if (rc != 0) {
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path;
  int i = 1;
  // Options come first: ours, then whatever rsh/ssh options mpirun adds (ignored).
  for (; i < argc && argv[i][0] == '-'; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--socket=")) socket_path = arg.substr(9);
  }
  if (socket_path.empty()) return fail("no --socket=PATH given", "");
  if (i >= argc) return fail("usage: node-agent --socket=PATH HOST COMMAND...", "");
  const std::string host = argv[i++];
  std::string command;
  for (; i < argc; ++i) {
    if (!command.empty()) command += ' ';
    command += argv[i];
  }
  if (command.empty()) return fail("no command for ", host);

  std::string request(emu::fakes::kNodeAgentMagic, sizeof emu::fakes::kNodeAgentMagic);
  request += host;
  request += '\0';
  request += command;
  if (request.size() > emu::fakes::kNodeAgentMaxRequest) return fail("command too long for ", host);

  const int fd = connect_to(socket_path);
  if (fd < 0)
    return fail("cannot reach the job's launch service at ", socket_path + ": " + std::strerror(errno));

  int fds[3] = {0, 1, 2};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec io{request.data(), request.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(header), fds, sizeof fds);
  ssize_t sent = 0;
  do {
    sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail("cannot send the launch request: ", std::strerror(errno));

  char reply[emu::fakes::kNodeAgentMaxReply + 1];
  ssize_t got = 0;
  do {
    got = ::recv(fd, reply, sizeof reply - 1, 0);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return fail("the launch service closed the connection to ", host);
  reply[got] = '\0';
  char* end = nullptr;
  const long code = std::strtol(reply, &end, 10);
  if (end == reply || *end != '\n') return fail("unreadable reply from the launch service for ", host);
  if (end[1] != '\0') std::fprintf(stderr, "%s\n", end + 1);
  return static_cast<int>(code & 0xff);
}
