#pragma once
// Chooses and builds node backends for `serve --backend auto|container|sim`, and opens a shell in a
// running container node (`nsenter` into its namespaces).
//   std::string why;
//   if (container_backend_available(why)) backend = make_container_backend(ex, io, s, data, &storage);
//   else log("sim backend: " + why);

#include <filesystem>
#include <optional>
#include <memory>
#include <string>

#include "emulator/core/executor.hpp"
#include "emulator/engine/engine_settings.hpp"
#include "emulator/engine/node_backend.hpp"
#include "fakes/nfs/storage_service.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace emu::fakes {

// True when this host can make node sandboxes (root, namespaces, nsenter, ip). `why_not` says what is
// missing; when true it may still carry notes (no cgroup limits, no mpirun).
bool container_backend_available(std::string& why_not);

std::unique_ptr<engine::NodeBackend> make_container_backend(core::Executor& executor, boost::asio::io_context& io,
                                                            const engine::EngineSettings& settings,
                                                            std::filesystem::path data_dir, StorageService* storage);

// Runs an interactive login shell inside the node's namespaces, as root, and returns its exit code
// (or 1 with a message on stderr when the node is not running under that data dir). With `command`,
// runs that command line (sh -c) there instead, with the caller's stdin, stdout and stderr.
int open_node_shell(const std::filesystem::path& data_dir, const std::string& node_id,
                    const std::optional<std::string>& command = std::nullopt);
// True when a container-backed node of that id runs under the data dir.
bool node_sandbox_running(const std::filesystem::path& data_dir, const std::string& node_id);

}  // namespace emu::fakes
