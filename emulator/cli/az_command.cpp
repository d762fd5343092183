#include "emulator/cli/az_command.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "emulator/cli/commands.hpp"
#include "emulator/cli/rest_client.hpp"

namespace emu::cli {
namespace {

using enum FlagKind;

constexpr std::string_view kDefaultEndpoint = "https://127.0.0.1:7443";
constexpr std::string_view kDefaultSubscription = "00000000-0000-0000-0000-000000000000";

constexpr FlagSpec kGlobalFlags[] = {
    {"--output", "-o", kValue, "json (default), table or tsv"},
    {"--endpoint", "", kValue, "emulator URL (default $BATCHAI_EMULATOR_ENDPOINT or https://127.0.0.1:7443)"},
    {"--ca-file", "", kValue, "CA of the server (default $BATCHAI_EMULATOR_CA or DATA_DIR/tls/ca.pem)"},
    {"--data-dir", "", kValue,
     "the server's data dir, for its CA (default $BATCHAI_EMULATOR_DATA_DIR or ./.batchai-emulator)"},
    {"--insecure", "", kSwitch, "do not check the server's certificate"},
    {"--subscription", "", kValue, "subscription id (default $AZURE_SUBSCRIPTION_ID or all zeros)"},
    {"--poll-interval", "", kValue, "seconds between polls of operations and streamed files (default 1)"},
    {"--help", "-h", kSwitch, "show help"},
    {"--verbose", "", kSwitch, "accepted for compatibility"},
    {"--debug", "", kSwitch, "accepted for compatibility"},
    {"--only-show-errors", "", kSwitch, "accepted for compatibility"},
};

std::string overview() {
  std::string text =
      "usage: batchai-emulator az batchai <group> <command> [flags]\n\n"
      "The commands of the retired 'az batchai' CLI module, against the emulator's REST API.\n\ncommands:\n";
  for (const auto& command : command_table()) {
    std::string left = "  " + std::string(command.path);
    if (left.size() < 24) left.resize(24, ' ');
    text += left + " " + std::string(command.help) + "\n";
  }
  text += "\nglobal flags:\n" + describe_flags(kGlobalFlags);
  return text;
}

std::string command_help(const CommandSpec& command) {
  return "usage: batchai-emulator az batchai " + std::string(command.path) + " [flags]\n\n" +
         std::string(command.help) + "\n\nflags:\n" + describe_flags(command.flags) + "\nglobal flags:\n" +
         describe_flags(kGlobalFlags);
}

int report(std::ostream& err, const core::Error& error) {
  if (error.kind == core::ErrorKind::kBadRequest && error.code == "InvalidArgument") {
    err << "ERROR: " << error.message << "\n";
    return 2;
  }
  err << "ERROR: (" << error.code << ") " << error.message << "\n";
  return error.code == "InvalidEndpoint" || error.code == "InvalidCaFile" ? 2 : 1;
}

}  // namespace

AzEnvironment AzEnvironment::process() {
  return AzEnvironment{[](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  }};
}

int run_az(std::span<const std::string_view> args) {
  return run_az(args, AzEnvironment::process(), std::cout, std::cerr);
}

int run_az(std::span<const std::string_view> args, const AzEnvironment& environment, std::ostream& out,
           std::ostream& err) {
  if (args.empty() || args.front() != "batchai") {
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
      out << overview();
      return 0;
    }
    err << "ERROR: only the 'batchai' command group is emulated: batchai-emulator az batchai <group> "
           "<command>\n";
    return 2;
  }
  // The command is the longest run of leading words that names one; the rest are flags.
  std::size_t words = 1;
  while (words < args.size() && !args[words].starts_with("-")) ++words;
  std::string path;
  for (std::size_t i = 1; i < words; ++i) path += (i > 1 ? " " : "") + std::string(args[i]);
  const CommandSpec* command = nullptr;
  for (const auto& candidate : command_table()) {
    if (candidate.path == path) command = &candidate;
  }
  const auto flag_words = args.subspan(words);
  const bool wants_help = std::any_of(flag_words.begin(), flag_words.end(),
                                      [](std::string_view w) { return w == "--help" || w == "-h"; });
  if (!command) {
    std::string prefix = path.empty() ? "" : path + " ";
    std::string matches;
    for (const auto& candidate : command_table()) {
      if (candidate.path.starts_with(prefix)) matches += "  " + std::string(candidate.path) + "\n";
    }
    if (!matches.empty()) {
      if (wants_help || path.empty()) {
        out << (path.empty() ? overview() : "commands of 'batchai " + path + "':\n" + matches);
        return 0;
      }
      err << "ERROR: 'batchai " << path << "' needs a command:\n" << matches;
      return 2;
    }
    err << "ERROR: 'batchai " << path << "' is not a command; see 'batchai-emulator az batchai --help'\n";
    return 2;
  }
  if (wants_help) {
    out << command_help(*command);
    return 0;
  }

  std::vector<FlagSpec> flags(command->flags.begin(), command->flags.end());
  flags.insert(flags.end(), std::begin(kGlobalFlags), std::end(kGlobalFlags));
  auto parsed = ArgumentList::parse(flag_words, flags);
  if (!parsed) return report(err, parsed.error());
  const ArgumentList& arguments = *parsed;

  auto format = parse_output_format(
      arguments.value("--output").value_or(environment.variable("AZURE_CORE_OUTPUT").value_or("json")));
  if (!format) return report(err, format.error());
  auto poll = arguments.seconds("--poll-interval");
  if (!poll) return report(err, poll.error());

  const std::string endpoint_url =
      arguments.value("--endpoint")
          .value_or(
              environment.variable("BATCHAI_EMULATOR_ENDPOINT").value_or(std::string(kDefaultEndpoint)));
  auto endpoint = parse_endpoint(endpoint_url);
  if (!endpoint) return report(err, endpoint.error());
  const std::string data_dir =
      arguments.value("--data-dir")
          .value_or(environment.variable("BATCHAI_EMULATOR_DATA_DIR").value_or(".batchai-emulator"));
  RestClientOptions options;
  options.verify = !arguments.has("--insecure");
  options.token = environment.variable("BATCHAI_EMULATOR_TOKEN").value_or("emulator");
  if (auto ca = arguments.value("--ca-file")) {
    options.ca_file = *ca;
  } else if (auto ca_env = environment.variable("BATCHAI_EMULATOR_CA")) {
    options.ca_file = *ca_env;
  } else {
    const std::string data_dir_ca = data_dir + "/tls/ca.pem";
    if (std::filesystem::exists(data_dir_ca)) options.ca_file = data_dir_ca;
  }
  RestClient rest(std::move(*endpoint), std::move(options));
  BatchAiClient arm(
      rest,
      arguments.value("--subscription")
          .value_or(
              environment.variable("AZURE_SUBSCRIPTION_ID").value_or(std::string(kDefaultSubscription))));
  CommandContext context{arm, out, err, environment.variable("BATCHAI_EMULATOR_LOCATION").value_or("eastus"),
                         data_dir};
  if (*poll) context.poll_interval = std::chrono::milliseconds(static_cast<long long>(**poll * 1000));
  arm.set_poll_interval(context.poll_interval);

  auto output = command->run(context, arguments);
  if (!output) return report(err, output.error());
  print_result(out, *format, output->value, output->columns);
  out.flush();
  return output->exit_code;
}

}  // namespace emu::cli
