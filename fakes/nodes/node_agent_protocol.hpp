#pragma once
// The wire format between the MPI launch agent (node_agent_main.cpp, run by mpirun as its rsh agent)
// and NodeAgentServer (the backend, one per job). One SOCK_SEQPACKET connection per launch:
//   agent -> server: "EMU-NODE-AGENT/1\0<host>\0<command>" with the agent's stdin, stdout and
//                    stderr attached (SCM_RIGHTS, in that order)
//   server -> agent: "<exit code>\n<message for stderr, may be empty>", once the command has ended
// <host> is a node of the job, by address or hostname; <command> runs there with /bin/sh -c.
//   std::string request = std::string(kNodeAgentMagic, sizeof kNodeAgentMagic) + host + '\0' + command;

#include <cstddef>
#include <string_view>

namespace emu::fakes {

inline constexpr char kNodeAgentMagic[] = "EMU-NODE-AGENT/1";  // sent with its terminating NUL
inline constexpr std::size_t kNodeAgentMaxRequest = 64 * 1024;
inline constexpr std::size_t kNodeAgentMaxReply = 4096;
inline constexpr int kNodeAgentFailure = 255;  // what ssh returns when it cannot run the command

// The variable that names mpirun's rsh agent (an OpenMPI MCA parameter).
inline constexpr std::string_view kRshAgentVariable = "OMPI_MCA_plm_rsh_agent";

// Where a node sees the agent, and the socket of the job it runs (inside $AZ_BATCHAI_JOB_TEMP).
inline constexpr std::string_view kNodeAgentPathInNode = "/mnt/batch/emulator/node-agent";
inline constexpr std::string_view kNodeAgentSocketName = ".node-agent.sock";

}  // namespace emu::fakes
