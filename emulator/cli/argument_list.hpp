#pragma once
// ArgumentList: the flags of one `az batchai` command, parsed against the command's FlagSpecs:
// `--name value`, `--name=value`, `-n value`, switches without a value, and flags that take several
// values (`--tags a=1 b=2`). Unknown flags and missing values are usage errors that name the flag.
//   static constexpr FlagSpec kFlags[] = {{"--name", "-n", FlagKind::kValue, "name of the cluster"}};
//   auto args = ArgumentList::parse(words, kFlags);  auto name = args->value("--name");

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/core/result.hpp"

namespace emu::cli {

enum class FlagKind { kValue, kSwitch, kList };

struct FlagSpec {
  std::string_view name;   // long form, e.g. "--resource-group"
  std::string_view alias;  // short form such as "-g", or empty
  FlagKind kind = FlagKind::kValue;
  std::string_view help;
};

class ArgumentList {
 public:
  static core::Result<ArgumentList> parse(std::span<const std::string_view> words,
                                          std::span<const FlagSpec> flags);

  bool has(std::string_view name) const;
  // The last value given for the flag, if any.
  std::optional<std::string> value(std::string_view name) const;
  // Every value of a kList flag (or each repeat of a kValue flag), in order.
  std::vector<std::string> values(std::string_view name) const;
  // The value, or a usage error "argument --x is required".
  core::Result<std::string> required(std::string_view name) const;
  // The value as an integer within [min, max]; nullopt when absent.
  core::Result<std::optional<long long>> integer(std::string_view name, long long min, long long max) const;
  // The value as seconds (decimal allowed); nullopt when absent.
  core::Result<std::optional<double>> seconds(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> given_;  // (long name, value); switches have ""
};

// One line per flag, for --help.
std::string describe_flags(std::span<const FlagSpec> flags);

}  // namespace emu::cli
