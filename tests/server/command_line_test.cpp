#include "emulator/server/command_line.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "emulator/server/token_command.hpp"

namespace emu::server {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string_view>;

core::Result<ServeOptions> serve(Args args) { return parse_serve_options(args); }
core::Result<CommandLine> command(Args args) { return parse_command_line(args); }

// The error of a parse that must fail, with the checks every command-line error must pass.
template <typename T>
core::Error failure(const core::Result<T>& result) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return {};
  const core::Error& error = result.error();
  EXPECT_EQ(error.kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(error.code, "InvalidCommandLine");
  EXPECT_EQ(error.message.find('\n'), std::string::npos) << "errors are one line: " << error.message;
  return error;
}

TEST(ServeOptionsTest, DefaultsMatchTheProductContract) {
  auto options = serve({});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->data_dir, "./.batchai-emulator");
  EXPECT_FALSE(options->data_dir_given);
  EXPECT_EQ(options->host, "127.0.0.1");
  EXPECT_EQ(options->https_port, 7443);
  EXPECT_EQ(options->http_port, 7080);
  EXPECT_EQ(options->backend, Backend::kAuto);
  EXPECT_EQ(options->seed, 1u);
  EXPECT_EQ(options->time_scale, 1.0);
  EXPECT_FALSE(options->in_memory);
  EXPECT_FALSE(options->config_file);
  EXPECT_FALSE(options->cert_file);
  EXPECT_EQ(options->max_body_bytes, 16u << 20);
  EXPECT_FALSE(options->show_help);
}

TEST(ServeOptionsTest, EveryFlagInBothForms) {
  const Args separate{"--data-dir",   "/var/emu",
                      "--host",       "::1",
                      "--https-port", "0",
                      "--http-port",  "8080",
                      "--backend",    "sim",
                      "--time-scale", "0",
                      "--seed",       "18446744073709551615",
                      "--in-memory",  "--config",
                      "emu.yaml",     "--cert",
                      "c.pem",        "--key",
                      "k.pem",        "--log-level",
                      "debug",        "--max-body-size",
                      "2M",           "--max-connections",
                      "10",           "--idle-timeout",
                      "PT5S",         "--request-timeout",
                      "1.5"};
  const Args joined{"--data-dir=/var/emu",
                    "--host=::1",
                    "--https-port=0",
                    "--http-port=8080",
                    "--backend=sim",
                    "--time-scale=0",
                    "--seed=18446744073709551615",
                    "--in-memory",
                    "--config=emu.yaml",
                    "--cert=c.pem",
                    "--key=k.pem",
                    "--log-level=debug",
                    "--max-body-size=2M",
                    "--max-connections=10",
                    "--idle-timeout=PT5S",
                    "--request-timeout=1.5"};
  for (const Args& args : {separate, joined}) {
    auto options = serve(args);
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->data_dir, "/var/emu");
    EXPECT_TRUE(options->data_dir_given);
    EXPECT_EQ(options->host, "::1");
    EXPECT_EQ(options->https_port, 0);
    EXPECT_EQ(options->http_port, 8080);
    EXPECT_EQ(options->backend, Backend::kSim);
    EXPECT_EQ(options->time_scale, 0.0);
    EXPECT_EQ(options->seed, 18446744073709551615u);
    EXPECT_TRUE(options->in_memory);
    EXPECT_EQ(options->config_file, "emu.yaml");
    EXPECT_EQ(options->cert_file, "c.pem");
    EXPECT_EQ(options->key_file, "k.pem");
    EXPECT_EQ(options->log_level, core::log::Level::kDebug);
    EXPECT_EQ(options->max_body_bytes, 2u << 20);
    EXPECT_EQ(options->max_connections, 10u);
    EXPECT_EQ(options->idle_timeout, 5s);
    EXPECT_EQ(options->request_timeout, 1500ms);
  }
}

TEST(ServeOptionsTest, BackendsAndTheirNames) {
  for (const auto& [text, backend] : std::vector<std::pair<std::string, Backend>>{
           {"auto", Backend::kAuto}, {"container", Backend::kContainer}, {"sim", Backend::kSim}}) {
    auto options = serve({"--backend", text});
    ASSERT_TRUE(options);
    EXPECT_EQ(options->backend, backend);
    EXPECT_EQ(backend_name(backend), text);
  }
}

TEST(ServeOptionsTest, LaterFlagWins) {
  auto options = serve({"--seed", "3", "--seed=4"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->seed, 4u);
}

TEST(ServeOptionsTest, ByteSizes) {
  for (const auto& [text, bytes] : std::vector<std::pair<std::string, std::uint64_t>>{{"1", 1},
                                                                                      {"512K", 512u << 10},
                                                                                      {"16m", 16u << 20},
                                                                                      {"1G", 1u << 30},
                                                                                      {"4KiB", 4096},
                                                                                      {"10b", 10}}) {
    auto options = serve({"--max-body-size", text});
    ASSERT_TRUE(options) << text;
    EXPECT_EQ(options->max_body_bytes, bytes) << text;
  }
}

TEST(ServeOptionsTest, HelpIsRecognised) {
  for (const Args& args : {Args{"--help"}, Args{"-h"}, Args{"--seed", "2", "--help"}}) {
    auto options = serve(args);
    ASSERT_TRUE(options);
    EXPECT_TRUE(options->show_help);
  }
  // --help wins even over an otherwise incomplete line.
  auto options = serve({"--cert", "c.pem", "--help"});
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->show_help);
}

TEST(ServeOptionsTest, UnknownFlagNamesItAndTheHelpCommand) {
  const core::Error error = failure(serve({"--bogus", "1"}));
  EXPECT_EQ(error.target, "--bogus");
  EXPECT_NE(error.message.find("'--bogus'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("batchai-emulator serve --help"), std::string::npos) << error.message;
  EXPECT_EQ(failure(serve({"--bogus=1"})).target, "--bogus");
  EXPECT_EQ(failure(serve({"-x"})).target, "-x");
}

TEST(ServeOptionsTest, PositionalArgumentIsRejected) {
  const core::Error error = failure(serve({"extra"}));
  EXPECT_NE(error.message.find("'extra'"), std::string::npos) << error.message;
}

TEST(ServeOptionsTest, MissingValues) {
  for (const std::string_view flag :
       {"--data-dir", "--host", "--https-port", "--http-port", "--backend", "--time-scale", "--seed",
        "--config", "--cert", "--key", "--log-level", "--max-body-size", "--max-connections",
        "--idle-timeout", "--request-timeout"}) {
    const core::Error at_end = failure(serve({flag}));
    EXPECT_EQ(at_end.target, flag);
    EXPECT_NE(at_end.message.find("needs a value"), std::string::npos) << at_end.message;
    // The next flag is not taken as the value.
    EXPECT_EQ(failure(serve({flag, "--in-memory"})).target, flag);
  }
}

TEST(ServeOptionsTest, SwitchesTakeNoValue) {
  EXPECT_EQ(failure(serve({"--in-memory=yes"})).target, "--in-memory");
  EXPECT_EQ(failure(serve({"--help=1"})).target, "--help");
}

TEST(ServeOptionsTest, BadValuesNameTheFlagAndTheValue) {
  const std::vector<std::pair<Args, std::string>> cases{
      {{"--https-port", "65536"}, "--https-port"},
      {{"--https-port", "-1"}, "--https-port"},
      {{"--http-port", "80a"}, "--http-port"},
      {{"--http-port="}, "--http-port"},
      {{"--backend", "docker"}, "--backend"},
      {{"--time-scale", "-1"}, "--time-scale"},
      {{"--time-scale", "fast"}, "--time-scale"},
      {{"--time-scale", "inf"}, "--time-scale"},
      {{"--seed", "1.5"}, "--seed"},
      {{"--seed", "18446744073709551616"}, "--seed"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--max-body-size", "0"}, "--max-body-size"},
      {{"--max-body-size", "12X"}, "--max-body-size"},
      {{"--max-connections", "0"}, "--max-connections"},
      {{"--idle-timeout", "0"}, "--idle-timeout"},
      {{"--request-timeout", "soon"}, "--request-timeout"},
      {{"--host", "bad host"}, "--host"},
      {{"--host", "http://x"}, "--host"},
      {{"--data-dir="}, "--data-dir"},
      {{"--config="}, "--config"},
  };
  for (const auto& [args, flag] : cases) {
    const core::Error error = failure(serve(args));
    EXPECT_EQ(error.target, flag) << error.message;
    EXPECT_NE(error.message.find(flag), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("--help"), std::string::npos) << error.message;
  }
}

TEST(ServeOptionsTest, CertAndKeyComeTogether) {
  EXPECT_EQ(failure(serve({"--cert", "c.pem"})).target, "--key");
  EXPECT_EQ(failure(serve({"--key", "k.pem"})).target, "--cert");
}

TEST(ServeOptionsTest, PortsMustDifferUnlessZero) {
  EXPECT_FALSE(serve({"--https-port", "9000", "--http-port", "9000"}).ok());
  EXPECT_TRUE(serve({"--https-port", "0", "--http-port", "0"}).ok());
}

TEST(ServeOptionsTest, UsageListsEveryFlag) {
  const std::string usage = serve_usage();
  for (const std::string_view flag :
       {"--data-dir", "--host", "--https-port", "--http-port", "--backend", "--time-scale", "--seed",
        "--in-memory", "--config", "--cert", "--key", "--log-level", "--max-body-size", "--max-connections",
        "--idle-timeout", "--request-timeout", "--help", "ready https="}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

TEST(ServeOptionsTest, AuthModes) {
  auto defaults = serve({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->auth, AuthMode::kNone);
  const std::vector<std::pair<Args, AuthMode>> cases{{{"--auth", "none"}, AuthMode::kNone},
                                                     {{"--auth", "token"}, AuthMode::kToken},
                                                     {{"--auth=token"}, AuthMode::kToken},
                                                     {{"--auth=token", "--auth", "none"}, AuthMode::kNone}};
  for (const auto& [args, mode] : cases) {
    auto options = serve(args);
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->auth, mode);
  }
}

TEST(ServeOptionsTest, BadAuthModesAreNamed) {
  for (const Args& args : {Args{"--auth", "basic"}, Args{"--auth", "Token"}, Args{"--auth="}}) {
    const core::Error error = failure(serve(args));
    EXPECT_EQ(error.target, "--auth") << error.message;
    EXPECT_NE(error.message.find("--auth"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("none or token"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("--help"), std::string::npos) << error.message;
  }
  EXPECT_NE(failure(serve({"--auth", "basic"})).message.find("'basic'"), std::string::npos);
  const core::Error missing = failure(serve({"--auth"}));
  EXPECT_EQ(missing.target, "--auth");
  EXPECT_NE(missing.message.find("needs a value"), std::string::npos) << missing.message;
  EXPECT_EQ(failure(serve({"--auth", "--in-memory"})).target, "--auth");
}

TEST(ServeOptionsTest, TokenAuthNeedsADataDirForItsKey) {
  const core::Error error = failure(serve({"--auth", "token", "--in-memory"}));
  EXPECT_EQ(error.target, "--auth");
  EXPECT_NE(error.message.find("--data-dir"), std::string::npos) << error.message;
  EXPECT_TRUE(serve({"--auth", "token", "--in-memory", "--data-dir", "d"}).ok());
  EXPECT_TRUE(serve({"--auth", "none", "--in-memory"}).ok());
  EXPECT_NE(serve_usage().find("--auth MODE"), std::string::npos);
}

// `batchai-emulator token ...` (run_token_command): exit code, stdout and stderr.
struct TokenRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

TokenRun run_token(Args args) {
  TokenRun run;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  run.exit_code = run_token_command(args);
  run.out = ::testing::internal::GetCapturedStdout();
  run.err = ::testing::internal::GetCapturedStderr();
  return run;
}

class TokenCommandTest : public ::testing::Test {
 protected:
  TokenCommandTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("token-command-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(dir_);
  }
  ~TokenCommandTest() override { std::filesystem::remove_all(dir_); }

  static std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The claims of the one token `run` printed, verified with the data dir's key.
  TokenClaims claims_of(const TokenRun& run) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(run.err.empty()) << run.err;
    EXPECT_TRUE(run.out.ends_with("\n")) << run.out;
    const std::string token = run.out.substr(0, run.out.find('\n'));
    auto signer = TokenSigner::open(dir_);
    EXPECT_TRUE(signer.ok());
    if (!signer.ok()) return {};
    auto claims = signer->verify(token, unix_now());
    EXPECT_TRUE(claims.ok()) << (claims.ok() ? "" : claims.error().message);
    return claims.ok() ? *claims : TokenClaims{};
  }

  // A usage error: exit code 2, nothing on stdout, one line on stderr saying `what` and where help is.
  void expect_usage_error(const Args& args, const std::string& what) {
    const TokenRun run = run_token(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_TRUE(run.err.starts_with("batchai-emulator: token: ")) << run.err;
    EXPECT_NE(run.err.find(what), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("'batchai-emulator token --help'"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "one line: " << run.err;
  }

  std::filesystem::path dir_;
};

TEST_F(TokenCommandTest, PrintsATokenForTheSubscriptionSignedWithTheDataDirsKey) {
  const std::string dir = dir_.string();
  const TokenClaims claims = claims_of(run_token({"--subscription", "sub-1", "--data-dir", dir}));
  EXPECT_EQ(claims.subscription, "sub-1");
  EXPECT_NEAR(static_cast<double>(claims.expires), static_cast<double>(unix_now() + 24 * 3600), 5.0)
      << "24 hours by default";
  EXPECT_TRUE(std::filesystem::exists(dir_ / "auth" / "token.key"));

  const TokenClaims joined = claims_of(run_token({"--expires=2h", "--subscription=sub-2", "--data-dir=" + dir}));
  EXPECT_EQ(joined.subscription, "sub-2");
  EXPECT_NEAR(static_cast<double>(joined.expires), static_cast<double>(unix_now() + 7200), 5.0);
  const std::vector<std::pair<std::string, std::int64_t>> lifetimes{
      {"90", 90}, {"30m", 1800}, {"7d", 7 * 86400}, {"PT2H", 7200}};
  for (const auto& [text, seconds] : lifetimes) {
    const TokenClaims c = claims_of(run_token({"--subscription", "s", "--data-dir", dir, "--expires", text}));
    EXPECT_NEAR(static_cast<double>(c.expires), static_cast<double>(unix_now() + seconds), 5.0) << text;
  }
}

TEST_F(TokenCommandTest, HelpGoesToStdout) {
  for (const Args& args : {Args{"--help"}, Args{"-h"}, Args{"--subscription", "s", "--help"}}) {
    const TokenRun run = run_token(args);
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, kTokenUsage);
    EXPECT_TRUE(run.err.empty());
  }
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(TokenCommandTest, MissingAndBadArgumentsAreUsageErrors) {
  const std::string dir = dir_.string();
  expect_usage_error({}, "--subscription ID is required");
  expect_usage_error({"--data-dir", dir}, "--subscription ID is required");
  expect_usage_error({"--subscription"}, "--subscription needs a value");
  // The next flag is never taken as the subscription.
  expect_usage_error({"--subscription", "--data-dir", dir}, "--subscription needs a value");
  expect_usage_error({"--subscription="}, "--subscription needs a subscription id without '/'");
  expect_usage_error({"--subscription", "a/b"}, "--subscription needs a subscription id without '/'");
  expect_usage_error({"--subscription", "s", "--data-dir"}, "--data-dir needs a value");
  expect_usage_error({"--subscription", "s", "--data-dir="}, "--data-dir needs a folder path");
  expect_usage_error({"--subscription", "s", "--expires"}, "--expires needs a value");
  expect_usage_error({"--subscription", "s", "--expires", "soon"}, "--expires needs a duration of at least 1 s");
  expect_usage_error({"--subscription", "s", "--expires", "0"}, "got '0'");
  expect_usage_error({"--subscription", "s", "--bogus", "1"}, "unexpected '--bogus'");
  expect_usage_error({"sub-1"}, "unexpected 'sub-1'");
  // Nothing was written for a refused command line.
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST(ReplayOptionsTest, ScenarioAndFlags) {
  const Args args{"scenarios/basic.yaml", "--seed", "7", "--out=report", "--check-determinism"};
  auto options = parse_replay_options(args);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->scenario, "scenarios/basic.yaml");
  EXPECT_EQ(options->seed, 7u);
  EXPECT_EQ(options->out_dir, "report");
  EXPECT_TRUE(options->check_determinism);

  auto minimal = parse_replay_options(Args{"s.yaml"});
  ASSERT_TRUE(minimal);
  EXPECT_FALSE(minimal->seed);
  EXPECT_FALSE(minimal->out_dir);
  EXPECT_FALSE(minimal->check_determinism);
}

TEST(ReplayOptionsTest, Errors) {
  EXPECT_EQ(failure(parse_replay_options(Args{})).target, "SCENARIO");
  EXPECT_EQ(failure(parse_replay_options(Args{"--seed", "1"})).target, "SCENARIO");
  EXPECT_EQ(failure(parse_replay_options(Args{"a.yaml", "b.yaml"})).target, "b.yaml");
  EXPECT_EQ(failure(parse_replay_options(Args{"a.yaml", "--seed", "x"})).target, "--seed");
  EXPECT_EQ(failure(parse_replay_options(Args{"a.yaml", "--check-determinism=1"})).target,
            "--check-determinism");
  const core::Error unknown = failure(parse_replay_options(Args{"a.yaml", "--fast"}));
  EXPECT_NE(unknown.message.find("batchai-emulator replay --help"), std::string::npos) << unknown.message;
  EXPECT_TRUE(parse_replay_options(Args{"--help"}).ok());
}

TEST(CommandLineTest, Subcommands) {
  auto serve_line = command({"serve", "--seed=5"});
  ASSERT_TRUE(serve_line);
  EXPECT_EQ(serve_line->command, Command::kServe);
  EXPECT_EQ(serve_line->serve.seed, 5u);

  auto replay_line = command({"replay", "s.yaml", "--check-determinism"});
  ASSERT_TRUE(replay_line);
  EXPECT_EQ(replay_line->command, Command::kReplay);
  EXPECT_TRUE(replay_line->replay.check_determinism);

  auto version = command({"--version"});
  ASSERT_TRUE(version);
  EXPECT_EQ(version->command, Command::kVersion);
  EXPECT_TRUE(version_text().starts_with("batchai-emulator "));
}

TEST(CommandLineTest, HelpEverywhere) {
  const std::vector<std::pair<Args, std::string>> cases{
      {{"--help"}, program_usage()},        {{"-h"}, program_usage()},
      {{"help"}, program_usage()},          {{"serve", "--help"}, serve_usage()},
      {{"help", "serve"}, serve_usage()},   {{"replay", "-h"}, replay_usage()},
      {{"help", "replay"}, replay_usage()},
  };
  for (const auto& [args, text] : cases) {
    auto line = command(args);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->command, Command::kHelp);
    EXPECT_EQ(line->help_text, text);
  }
  EXPECT_NE(program_usage().find("serve"), std::string::npos);
  EXPECT_NE(program_usage().find("replay"), std::string::npos);
  EXPECT_NE(program_usage().find("--version"), std::string::npos);
}

TEST(CommandLineTest, Errors) {
  EXPECT_NE(failure(command({})).message.find("--help"), std::string::npos);
  EXPECT_EQ(failure(command({"server"})).target, "server");
  EXPECT_EQ(failure(command({"--verbose"})).target, "--verbose");
  EXPECT_EQ(failure(command({"--version=2"})).target, "--version");
  EXPECT_EQ(failure(command({"--version", "extra"})).target, "extra");
  EXPECT_EQ(failure(command({"help", "fly"})).target, "fly");
  EXPECT_EQ(failure(command({"serve", "--port", "1"})).target, "--port");
}

}  // namespace
}  // namespace emu::server
