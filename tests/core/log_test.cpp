#include "emulator/core/log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace emu::core {
namespace {

// Captures what the logger writes into a temporary file.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    log::set_output(file_);
    saved_level_ = log::level();
  }
  void TearDown() override {
    log::set_output(nullptr);
    log::set_level(saved_level_);
    std::fclose(file_);
  }
  std::string written() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file_)) out.append(buffer, n);
    return out;
  }

  std::FILE* file_ = nullptr;
  log::Level saved_level_ = log::Level::kInfo;
};

TEST_F(LogTest, WritesOneFormattedLinePerCall) {
  log::set_level(log::Level::kInfo);
  log::info("listening on {}:{}", "127.0.0.1", 7443);
  log::error("boom {}", 42);
  EXPECT_EQ(written(), "[info] listening on 127.0.0.1:7443\n[error] boom 42\n");
}

TEST_F(LogTest, DropsLinesBelowTheLevel) {
  log::set_level(log::Level::kWarn);
  log::debug("d");
  log::info("i");
  log::warn("w");
  EXPECT_EQ(written(), "[warn] w\n");
  log::set_level(log::Level::kOff);
  log::error("e");
  EXPECT_EQ(written(), "[warn] w\n");
  EXPECT_FALSE(log::enabled(log::Level::kOff));
}

TEST_F(LogTest, ParsesLevelNames) {
  EXPECT_EQ(log::parse_level("debug"), log::Level::kDebug);
  EXPECT_EQ(log::parse_level("INFO"), log::Level::kInfo);
  EXPECT_EQ(log::parse_level("Warning"), log::Level::kWarn);
  EXPECT_EQ(log::parse_level("error"), log::Level::kError);
  EXPECT_EQ(log::parse_level("off"), log::Level::kOff);
  EXPECT_FALSE(log::parse_level("verbose").has_value());
  EXPECT_EQ(log::level_name(log::Level::kWarn), "warn");
}

TEST_F(LogTest, ConcurrentWritersNeverInterleaveWithinALine) {
  log::set_level(log::Level::kInfo);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([t] {
      for (int i = 0; i < 200; ++i) log::info("writer {} line {} {}", t, i, std::string(100, 'x'));
    });
  }
  for (auto& w : writers) w.join();
  const std::string out = written();
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    const std::string line = out.substr(start, end - start);
    ASSERT_EQ(line.rfind("[info] writer ", 0), 0u) << line;
    ASSERT_EQ(line.substr(line.size() - 100), std::string(100, 'x')) << line;
    ++lines;
    start = end + 1;
  }
  EXPECT_EQ(lines, 800u);
}

}  // namespace
}  // namespace emu::core
