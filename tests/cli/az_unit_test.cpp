// The parts of `az batchai` that need no server: flags, endpoints, output formats, config files.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "emulator/cli/argument_list.hpp"
#include "emulator/cli/az_command.hpp"
#include "emulator/cli/command_context.hpp"
#include "emulator/cli/endpoint.hpp"
#include "emulator/cli/output_format.hpp"

namespace emu::cli {
namespace {

namespace json = boost::json;

constexpr FlagSpec kFlags[] = {{"--name", "-n", FlagKind::kValue, ""},
                               {"--yes", "-y", FlagKind::kSwitch, ""},
                               {"--tags", "", FlagKind::kList, ""},
                               {"--target", "-t", FlagKind::kValue, ""}};

core::Result<ArgumentList> parse(std::vector<std::string_view> words) {
  return ArgumentList::parse(words, kFlags);
}

TEST(ArgumentList, LongShortInlineSwitchAndListForms) {
  auto args = parse({"-n", "a", "--yes", "--tags", "x=1", "y", "--target=-3"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->value("--name"), "a");
  EXPECT_TRUE(args->has("--yes"));
  EXPECT_EQ(args->values("--tags"), (std::vector<std::string>{"x=1", "y"}));
  auto target = args->integer("--target", -5, 5);
  ASSERT_TRUE(target);
  EXPECT_EQ(**target, -3);
  EXPECT_FALSE(args->has("--missing"));
}

TEST(ArgumentList, ErrorsNameTheFlag) {
  auto unknown = parse({"--nope", "1"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("--nope"), std::string::npos);
  auto no_value = parse({"--name"});
  ASSERT_FALSE(no_value);
  EXPECT_NE(no_value.error().message.find("--name: expected a value"), std::string::npos);
  auto stray = parse({"word"});
  ASSERT_FALSE(stray);
  auto args = parse({"-t", "x"});
  ASSERT_TRUE(args);
  auto bad = args->integer("--target", 0, 10);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'x' is not an integer from 0 to 10"), std::string::npos);
  EXPECT_FALSE(args->required("--name"));
}

TEST(Endpoint, ParsesSchemesPortsAndPrefixes) {
  auto https = parse_endpoint("https://127.0.0.1:7443");
  ASSERT_TRUE(https);
  EXPECT_TRUE(https->tls());
  EXPECT_EQ(https->host, "127.0.0.1");
  EXPECT_EQ(https->port, "7443");
  auto http = parse_endpoint("HTTP://localhost/base/");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->port, "80");
  EXPECT_EQ(http->prefix, "/base");
  auto v6 = parse_endpoint("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->origin(), "http://[::1]:8080");
  EXPECT_FALSE(parse_endpoint("127.0.0.1:7443"));
  EXPECT_FALSE(parse_endpoint("ftp://x"));
  EXPECT_FALSE(parse_endpoint("http://x:99999"));
}

TEST(OutputFormat, TableTsvAndJson) {
  auto rows = json::parse(R"([{"name":"a","properties":{"n":1}},{"name":"long-name","properties":{}}])");
  std::vector<Column> columns{{"Name", field("name")}, {"N", field("properties.n")}};
  std::ostringstream table, tsv, out_json;
  print_result(table, OutputFormat::kTable, rows, columns);
  EXPECT_EQ(table.str(), "Name       N\n---------  -\na          1\nlong-name\n");
  print_result(tsv, OutputFormat::kTsv, rows, columns);
  EXPECT_EQ(tsv.str(), "a\t1\nlong-name\t\n");
  print_result(out_json, OutputFormat::kJson, json::parse(R"({"a":[1,{"b":null}],"c":{}})"), columns);
  EXPECT_EQ(out_json.str(), "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {}\n}\n");
  EXPECT_FALSE(parse_output_format("yaml"));
}

TEST(ConfigFile, PropertiesAreReadAndUnknownKeysKept) {
  const auto path = std::filesystem::temp_directory_path() / "az-unit-config.json";
  {
    std::ofstream file(path);
    file << R"({"$schema": "x", "location": "eastus", "properties": {"vmSize": "STANDARD_D1",}})";
  }
  auto properties = load_properties(path.string());
  ASSERT_TRUE(properties) << properties.error().message;
  EXPECT_EQ(properties->at("vmSize"), "STANDARD_D1");
  std::filesystem::remove(path);
  auto missing = load_properties("/nonexistent/config.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/config.json"), std::string::npos);
}

TEST(RunAz, HelpAndUnknownCommands) {
  AzEnvironment none{[](std::string_view) -> std::optional<std::string> { return std::nullopt; }};
  std::ostringstream out, err;
  std::vector<std::string_view> help{"batchai", "--help"};
  EXPECT_EQ(run_az(help, none, out, err), 0);
  EXPECT_NE(out.str().find("job file stream"), std::string::npos);
  std::vector<std::string_view> group{"batchai", "cluster"};
  EXPECT_EQ(run_az(group, none, out, err), 2);
  EXPECT_NE(err.str().find("cluster auto-scale"), std::string::npos);
  std::vector<std::string_view> other{"vm", "list"};
  EXPECT_EQ(run_az(other, none, out, err), 2);
  // Nothing listens on port 1: a connection error with a hint, exit code 1.
  std::ostringstream out2, err2;
  std::vector<std::string_view> refused{"batchai", "workspace", "list", "--endpoint", "http://127.0.0.1:1"};
  EXPECT_EQ(run_az(refused, none, out2, err2), 1);
  EXPECT_NE(err2.str().find("ConnectionFailed"), std::string::npos) << err2.str();
}

}  // namespace
}  // namespace emu::cli
