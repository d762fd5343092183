#include "fakes/nodes/node_agent_binary.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

// EMU_NODE_AGENT_EXECUTABLE is the path of the built agent (fakes/nodes/CMakeLists.txt); the
// assembler includes its bytes, and this file is recompiled whenever it changes.
asm(".pushsection .rodata\n"
    ".balign 16\n"
    ".hidden emu_node_agent_begin\n"
    ".hidden emu_node_agent_end\n"
    "emu_node_agent_begin:\n"
    ".incbin \"" EMU_NODE_AGENT_EXECUTABLE
    "\"\n"
    "emu_node_agent_end:\n"
    ".popsection\n");

extern "C" const unsigned char emu_node_agent_begin[];
extern "C" const unsigned char emu_node_agent_end[];

namespace emu::fakes {

std::span<const unsigned char> node_agent_binary() {
  return {emu_node_agent_begin, static_cast<std::size_t>(emu_node_agent_end - emu_node_agent_begin)};
}

core::Result<void> write_node_agent(const std::filesystem::path& path) {
  const int dir = ::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return core::Error::internal(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  auto written = write_node_agent(dir, path.filename().string());
  ::close(dir);
  return written;
}

core::Result<void> write_node_agent(int directory_fd, const std::string& name) {
  const std::string temporary = name + ".new";
  ::unlinkat(directory_fd, temporary.c_str(), 0);
  const int fd =
      ::openat(directory_fd, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
  if (fd < 0) {
    return core::Error::internal(fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
  }
  const auto bytes = node_agent_binary();
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlinkat(directory_fd, temporary.c_str(), 0);
      return core::Error::internal(fmt::format("cannot write {}: {}", temporary, std::strerror(saved)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0755);
  ::close(fd);
  // rename replaces whatever is at `name`, a link included, and never follows it.
  if (::renameat(directory_fd, temporary.c_str(), directory_fd, name.c_str()) != 0) {
    const int saved = errno;
    ::unlinkat(directory_fd, temporary.c_str(), 0);
    return core::Error::internal(fmt::format("cannot write {}: {}", name, std::strerror(saved)));
  }
  return {};
}

}  // namespace emu::fakes
