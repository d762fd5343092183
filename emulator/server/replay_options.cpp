#include "emulator/server/replay_options.hpp"

#include "emulator/server/argument_reader.hpp"

#include <fmt/format.h>

namespace emu::server {

core::Result<ReplayOptions> parse_replay_options(std::span<const std::string_view> args) {
  ReplayOptions options;
  ArgumentReader reader("replay", args);
  bool have_scenario = false;
  while (!reader.done()) {
    const ArgumentReader::Word word = reader.next();
    if (!word.is_flag) {
      if (have_scenario) return reader.unexpected_argument();
      options.scenario = std::filesystem::path(word.name);
      have_scenario = true;
      continue;
    }
    if (word.name == "--help" || word.name == "-h") {
      options.show_help = true;
      if (auto ok = reader.no_value(); !ok) return std::move(ok).error();
    } else if (word.name == "--check-determinism") {
      options.check_determinism = true;
      if (auto ok = reader.no_value(); !ok) return std::move(ok).error();
    } else if (word.name == "--seed") {
      auto text = reader.value();
      if (!text) return std::move(text).error();
      auto seed = reader.unsigned_integer(*text, UINT64_MAX);
      if (!seed) return std::move(seed).error();
      options.seed = *seed;
    } else if (word.name == "--out") {
      auto text = reader.value();
      if (!text) return std::move(text).error();
      if (text->empty()) return reader.bad_value(*text, "a folder path");
      options.out_dir = std::filesystem::path(*text);
    } else {
      return reader.unknown_flag();
    }
  }
  if (!options.show_help && !have_scenario) {
    return reader.error(
        "replay needs a SCENARIO file, e.g. 'batchai-emulator replay scenarios/basic.yaml'; run "
        "'batchai-emulator replay --help' for usage",
        "SCENARIO");
  }
  return options;
}

std::string replay_usage() {
  return R"(Usage: batchai-emulator replay SCENARIO [--seed N] [--out DIR] [--check-determinism]

Runs a scenario on the virtual clock, prints "digest: <sha256 hex>" and a summary, and exits 0 only
if every expectation held.

Options (--flag VALUE and --flag=VALUE both work):
  --seed N               seed of every random choice (default: the scenario's seed)
  --out DIR              write the journal and report here
  --check-determinism    run twice with the same seed and fail unless both digests match
  -h, --help             show this help
)";
}

}  // namespace emu::server
