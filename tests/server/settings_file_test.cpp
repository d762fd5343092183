#include "emulator/server/settings_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace emu::server {
namespace {

// The error of a settings text that must be refused: InvalidSettings, "SOURCE:LINE: KEY: what".
core::Error refused(std::string_view yaml) {
  auto parsed = parse_settings(yaml, "emu.yaml");
  EXPECT_FALSE(parsed.ok()) << yaml;
  if (parsed.ok()) return {};
  EXPECT_EQ(parsed.error().code, "InvalidSettings");
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::kBadRequest);
  return parsed.error();
}

TEST(SettingsFileTest, LimitsHaveTheirDocumentedDefaultsInBothProfiles) {
  for (const char* text : {"", "profile: fast\n", "profile: realistic\n"}) {
    auto parsed = parse_settings(text, "emu.yaml");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->engine.max_operations_in_flight, 10'000) << text;
    EXPECT_EQ(parsed->engine.max_jobs_per_experiment, 200'000) << text;
  }
}

TEST(SettingsFileTest, LimitsAreRead) {
  auto parsed = parse_settings("profile: realistic\nlimits:\n  maxOperationsInFlight: 5\n  maxJobsPerExperiment: 7\n",
                               "emu.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->engine.max_operations_in_flight, 5);
  EXPECT_EQ(parsed->engine.max_jobs_per_experiment, 7);
  EXPECT_EQ(parsed->engine.profile, "realistic");

  auto flow = parse_settings("limits: {maxJobsPerExperiment: 1099511627776}", "emu.yaml");
  ASSERT_TRUE(flow.ok()) << flow.error().message;
  EXPECT_EQ(flow->engine.max_jobs_per_experiment, 1LL << 40);
}

TEST(SettingsFileTest, JournalRecordsInMemoryDefaultsTo100000AndZeroKeepsAll) {
  auto defaults = parse_settings("profile: fast\n", "emu.yaml");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->journal_records_in_memory, 100'000u);
  auto set = parse_settings("limits:\n  journalRecordsInMemory: 5000\n", "emu.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->journal_records_in_memory, 5000u);
  auto all = parse_settings("limits: {journalRecordsInMemory: 0}", "emu.yaml");
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->journal_records_in_memory, 0u);
  auto bad = parse_settings("limits:\n  journalRecordsInMemory: -1\n", "emu.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string expected = "emu.yaml:2: limits.journalRecordsInMemory: expected a number from 0 to";
  EXPECT_TRUE(bad.error().message.starts_with(expected)) << bad.error().message;
}

TEST(SettingsFileTest, BadLimitsNameTheFileTheLineAndTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"limits:\n  maxOperationsInFlight: 0\n",
       "emu.yaml:2: limits.maxOperationsInFlight: expected a number from 1 to"},
      {"limits:\n  maxOperationsInFlight: -3\n", "emu.yaml:2: limits.maxOperationsInFlight: expected a number"},
      {"nodes: {setupDuration: 1}\nlimits:\n  maxJobsPerExperiment: many\n",
       "emu.yaml:3: limits.maxJobsPerExperiment: expected a number from 1 to"},
      {"limits:\n  maxJobsPerExperiment: 2.5\n", "emu.yaml:2: limits.maxJobsPerExperiment: expected a number"},
      {"limits:\n  maxJobsPerExperiment: 1099511627777\n", "emu.yaml:2: limits.maxJobsPerExperiment:"},
      {"limits:\n  maxJobsPerExperiment: [1]\n", "emu.yaml:2: limits.maxJobsPerExperiment:"},
      {"limits:\n  maxJobs: 3\n", "emu.yaml:2: limits.maxJobs: unknown setting (docs/settings.md lists them)"},
      {"limits: 3\n", "emu.yaml:1: limits: unknown setting"},
  };
  for (const auto& [yaml, message] : cases) {
    const core::Error error = refused(yaml);
    EXPECT_TRUE(error.message.starts_with(message)) << yaml << "\n" << error.message;
  }
}

TEST(SettingsFileTest, AFileIsNamedByItsPath) {
  const auto file =
      std::filesystem::temp_directory_path() / ("settings-file-test-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(file);
    out << "limits:\n  maxOperationsInFlight: 2\n  maxJobsPerExperiment: 0\n";
  }
  auto loaded = load_settings_file(file);
  std::filesystem::remove(file);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.error().message.starts_with(file.string() + ":3: limits.maxJobsPerExperiment:"))
      << loaded.error().message;

  auto missing = load_settings_file(file);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(file.string()), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("--config"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace emu::server
