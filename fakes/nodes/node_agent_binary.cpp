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
  const std::filesystem::path temporary = path.string() + ".new";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
  if (fd < 0) {
    return core::Error::internal(
        fmt::format("cannot write {}: {}", temporary.string(), std::strerror(errno)));
  }
  const auto bytes = node_agent_binary();
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return core::Error::internal(
          fmt::format("cannot write {}: {}", temporary.string(), std::strerror(saved)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0755);
  ::close(fd);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    return core::Error::internal(fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)));
  }
  return {};
}

}  // namespace emu::fakes
