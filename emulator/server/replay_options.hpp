#pragma once
// ReplayOptions: the command line of `batchai-emulator replay SCENARIO`, parsed purely (no file is
// opened here; the replay runner checks the scenario exists).
//   std::vector<std::string_view> args{"scenarios/basic.yaml", "--seed", "7", "--check-determinism"};
//   core::Result<ReplayOptions> options = parse_replay_options(args);

#include "emulator/core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace emu::server {

struct ReplayOptions {
  std::filesystem::path scenario;
  std::optional<std::uint64_t> seed;  // unset: the scenario's own seed
  std::optional<std::filesystem::path> out_dir;
  bool check_determinism = false;
  bool show_help = false;
};

// `args` are the words after "replay". Errors as parse_serve_options.
core::Result<ReplayOptions> parse_replay_options(std::span<const std::string_view> args);

std::string replay_usage();

}  // namespace emu::server
