#pragma once
// `batchai-emulator token --subscription S [--data-dir D] [--expires T]`: prints one JWT that a
// `serve --auth token` on data dir D accepts for subscription S until T from now (default 24h).
// Header-only: main() is its one caller.
//   batchai-emulator token --subscription 00000000-0000-0000-0000-000000000000 --expires 2h

#include "emulator/server/token_signer.hpp"
#include "harness/scenario_loader.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace emu::server {

inline constexpr std::string_view kTokenUsage =
    R"(Usage: batchai-emulator token --subscription ID [--data-dir DIR] [--expires T]

Prints a bearer token (a JWT signed with the key in DIR/auth/token.key, made when missing) that
'serve --auth token --data-dir DIR' accepts for subscription ID only.

Options (--flag VALUE and --flag=VALUE both work):
  --subscription ID   the subscription the token is limited to (required)
  --data-dir DIR      the server's data dir (default ./.batchai-emulator)
  --expires T         lifetime: 90 (seconds), 30m, 2h, 7d or PT2H (default 24h)
  -h, --help          show this help
)";

// Exit codes as main's: 0 printed, 1 the key could not be read or made, 2 a usage error.
inline int run_token_command(std::span<const std::string_view> args) {
  std::filesystem::path data_dir = "./.batchai-emulator";
  std::string subscription;
  std::chrono::seconds lifetime = std::chrono::hours(24);
  auto usage_error = [](const std::string& message) {
    std::fprintf(stderr, "batchai-emulator: token: %s; see 'batchai-emulator token --help'\n", message.c_str());
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::optional<std::string_view> value;
    bool value_is_next_argument = false;
    if (name == "--help" || name == "-h") {
      std::fputs(std::string(kTokenUsage).c_str(), stdout);
      return 0;
    }
    if (const std::size_t eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      // The next flag is never taken as a value: `--subscription --data-dir D` lacks a subscription.
      value = args[i + 1];
      value_is_next_argument = true;
    }
    if (name != "--subscription" && name != "--data-dir" && name != "--expires")
      return usage_error("unexpected '" + std::string(args[i]) + "'");
    if (!value) return usage_error(std::string(name) + " needs a value");
    if (value_is_next_argument) ++i;
    if (name == "--subscription") {
      if (value->empty() || value->find('/') != std::string_view::npos)
        return usage_error("--subscription needs a subscription id without '/'");
      subscription = std::string(*value);
    } else if (name == "--data-dir") {
      if (value->empty()) return usage_error("--data-dir needs a folder path");
      data_dir = std::string(*value);
    } else {
      const auto duration = harness::parse_sim_duration(*value);
      if (!duration || *duration < std::chrono::seconds(1))
        return usage_error("--expires needs a duration of at least 1 s, e.g. 90, 30m, 2h or 7d; got '" +
                           std::string(*value) + "'");
      lifetime = std::chrono::duration_cast<std::chrono::seconds>(*duration);
    }
  }
  if (subscription.empty()) return usage_error("--subscription ID is required");
  auto signer = TokenSigner::open(data_dir);
  if (!signer) {
    std::fprintf(stderr, "batchai-emulator: token: %s\n", signer.error().message.c_str());
    return 1;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const std::string token = signer->issue(subscription, (now + lifetime).count());
  std::printf("%s\n", token.c_str());
  return 0;
}

}  // namespace emu::server
