#pragma once
// The node-agent executable (node_agent_main.cpp, linked statically), built with the project and
// embedded in this library, so that the backend can put it where mpirun needs it: on the host for
// the launcher, and inside every node (where neither the build tree nor our libraries are).
//   if (auto written = write_node_agent(dir / "node-agent"); !written) log(written.error().message);

#include <filesystem>
#include <span>
#include <string>

#include "emulator/core/result.hpp"

namespace emu::fakes {

// The executable's bytes.
std::span<const unsigned char> node_agent_binary();

// Writes the executable to `path` (mode 0755), replacing what is there. Never follows a symbolic
// link at `path`: the file is written under a temporary name and renamed over it.
core::Result<void> write_node_agent(const std::filesystem::path& path);
// The same at `name` in the open directory `directory_fd` (a node's disk: no link is followed).
core::Result<void> write_node_agent(int directory_fd, const std::string& name);

}  // namespace emu::fakes
