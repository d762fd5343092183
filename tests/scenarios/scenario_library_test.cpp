// Every scenario of the library replays twice to the same digest with all expectations holding; the
// smoke set matches its golden digest (scenarios/golden/<file>.digest); every malformed scenario
// fails to load with the message its first line promises ("# expect: ...").
// EMU_UPDATE_GOLDEN=1 rewrites the golden digests of the smoke set.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/replay.hpp"
#include "harness/scenario_loader.hpp"

namespace emu::harness {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = EMU_SCENARIOS_DIR;

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

class LibraryScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(LibraryScenario, ReplaysTwiceToTheSameDigestWithEveryExpectationHeld) {
  const fs::path file = kDir / "library" / (GetParam() + ".yaml");
  auto scenario = load_scenario(file);
  ASSERT_TRUE(scenario.ok()) << scenario.error().message;
  Replay first(*scenario);
  const ReplayOutcome a = first.run();
  for (const auto& f : a.failures) ADD_FAILURE() << f;
  EXPECT_GT(a.expectations_checked, 0U);
  Replay second(*scenario);
  const ReplayOutcome b = second.run();
  EXPECT_EQ(a.digest, b.digest) << "same seed, different journals";

  const fs::path golden = kDir / "golden" / (GetParam() + ".digest");
  if (std::getenv("EMU_UPDATE_GOLDEN") != nullptr && fs::exists(golden)) {
    std::ofstream(golden) << a.digest << "\n";
  } else if (fs::exists(golden)) {
    EXPECT_EQ(read_first_line(golden), a.digest)
        << "the journal of " << file.string() << " changed; if intended, rerun with EMU_UPDATE_GOLDEN=1";
  }
}

INSTANTIATE_TEST_SUITE_P(Library, LibraryScenario, ::testing::ValuesIn(files_in(kDir / "library")), test_name);

class MalformedScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedScenario, FailsWithTheExpectedMessage) {
  const fs::path file = kDir / "malformed" / (GetParam() + ".yaml");
  const std::string first = read_first_line(file);
  ASSERT_TRUE(first.starts_with("# expect: ")) << file << " must start with '# expect: <message part>'";
  const std::string expected = first.substr(10);
  auto scenario = load_scenario(file);
  ASSERT_FALSE(scenario.ok()) << file << " loaded, expected: " << expected;
  EXPECT_NE(scenario.error().message.find(expected), std::string::npos)
      << "message: " << scenario.error().message << "\nexpected to contain: " << expected;
  EXPECT_NE(scenario.error().message.find(file.string() + ":"), std::string::npos) << "the error names the file";
}

INSTANTIATE_TEST_SUITE_P(Malformed, MalformedScenario, ::testing::ValuesIn(files_in(kDir / "malformed")), test_name);

}  // namespace
}  // namespace emu::harness
