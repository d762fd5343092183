// The trace converters reproduce the committed conversions of the committed samples, so a change to
// a converter shows up here; the conversions themselves are replayed by the library test.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const fs::path kDir = EMU_SCENARIOS_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_conversion(const std::string& tool, const std::string& input, const std::string& name,
                       const std::string& committed) {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "python3 is not installed";
  const fs::path out = fs::temp_directory_path() / ("emu-trace-" + std::to_string(::getpid()) + "-" + name + ".yaml");
  const std::string cmd = "TZ=UTC python3 '" + (kDir / "tools" / tool).string() + "' '" + (kDir / "traces" / input).string() +
                          "' --name " + name + " -o '" + out.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(read(out), read(kDir / "library" / committed))
      << "re-run the converter and commit library/" << committed << " if the change is intended";
  fs::remove(out);
}

TEST(TraceConverters, PhillyClusterJobLog) {
  expect_conversion("philly_to_scenario.py", "philly_sample_cluster_job_log.json", "philly-sample", "philly_sample.yaml");
}

TEST(TraceConverters, HeliosSlurmCsv) {
  expect_conversion("helios_to_scenario.py", "helios_sample_cluster_log.csv", "helios-sample", "helios_sample.yaml");
}

}  // namespace
