#include "emulator/core/time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace emu::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Time at(std::int64_t unix_seconds, std::int64_t extra_nanos = 0) {
  return Time{seconds(unix_seconds) + nanoseconds(extra_nanos)};
}

TEST(FormatTimestamp, WritesMillisecondsAndZ) {
  EXPECT_EQ(format_timestamp(kDefaultEpoch), "2018-06-01T00:00:00.000Z");
  // 2018-06-07T07:03:13.909Z, the form the recordings show.
  EXPECT_EQ(format_timestamp(at(1528354993, 909'000'000)), "2018-06-07T07:03:13.909Z");
  EXPECT_EQ(format_timestamp(Time{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatTimestamp, TruncatesBelowAMillisecond) {
  EXPECT_EQ(format_timestamp(at(1528354993, 909'999'999)), "2018-06-07T07:03:13.909Z");
}

TEST(FormatTimestamp, HandlesLeapDaysAndTimesBeforeTheEpoch) {
  EXPECT_EQ(format_timestamp(at(951782400)), "2000-02-29T00:00:00.000Z");
  // Half a second before the epoch floors into 1969, not up to 1970.
  EXPECT_EQ(format_timestamp(Time{milliseconds(-500)}), "1969-12-31T23:59:59.500Z");
}

TEST(ParseTimestamp, AcceptsWhatTheServiceWrote) {
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.909Z"), at(1528354993, 909'000'000));
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13Z"), at(1528354993));
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.9Z"), at(1528354993, 900'000'000));
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.9093412Z"), at(1528354993, 909'341'200));
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.123456789Z"), at(1528354993, 123'456'789));
  // Digits below a nanosecond are dropped.
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.1234567891Z"), at(1528354993, 123'456'789));
}

TEST(ParseTimestamp, AcceptsOffsets) {
  EXPECT_EQ(parse_timestamp("2018-06-07T07:03:13.909123+00:00"), at(1528354993, 909'123'000));
  EXPECT_EQ(parse_timestamp("2018-06-07T09:03:13+02:00"), at(1528354993));
  EXPECT_EQ(parse_timestamp("2018-06-07T02:33:13-04:30"), at(1528354993));
  EXPECT_EQ(parse_timestamp("2018-06-07T09:03:13+0200"), at(1528354993));
}

TEST(ParseTimestamp, RoundTripsWithFormat) {
  for (const Time t : {kDefaultEpoch, at(1528354993, 909'000'000), at(0), at(4102444799, 999'000'000)}) {
    const auto parsed = parse_timestamp(format_timestamp(t));
    ASSERT_TRUE(parsed.has_value()) << format_timestamp(t);
    EXPECT_EQ(*parsed, t);
  }
}

TEST(ParseTimestamp, RejectsGarbage) {
  for (const char* text :
       {"", "2018", "2018-06-07", "2018-06-07T07:03:13", "2018-06-07 07:03:13Z", "2018-6-07T07:03:13Z",
        "2018-06-07T07:03:13.Z", "2018-06-07T07:03:13.909", "2018-06-07T07:03:13.909ZZ",
        "2018-13-07T07:03:13Z", "2018-02-30T07:03:13Z", "2019-02-29T00:00:00Z", "2018-06-07T24:00:00Z",
        "2018-06-07T07:60:00Z", "2018-06-07T07:03:60Z", "2018-06-07T07:03:13+24:00", "x018-06-07T07:03:13Z",
        "2018-06-07T07:03:13+00", " 2018-06-07T07:03:13Z"}) {
    EXPECT_FALSE(parse_timestamp(text).has_value()) << text;
  }
}

TEST(ParseTimestamp, RejectsTimesOutsideTheNanosecondRange) {
  // int64 nanoseconds reach from 1677 to 2262.
  EXPECT_FALSE(parse_timestamp("2300-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(parse_timestamp("1600-01-01T00:00:00Z").has_value());
  EXPECT_TRUE(parse_timestamp("2262-01-01T00:00:00Z").has_value());
}

TEST(ParseDuration, Iso8601) {
  EXPECT_EQ(parse_duration("P7D"), hours(7 * 24));
  EXPECT_EQ(parse_duration("P150D"), hours(150 * 24));
  EXPECT_EQ(parse_duration("PT10M"), minutes(10));
  EXPECT_EQ(parse_duration("PT1H30M5.5S"), hours(1) + minutes(30) + milliseconds(5500));
  EXPECT_EQ(parse_duration("P1DT2H"), hours(26));
  EXPECT_EQ(parse_duration("P1W"), hours(7 * 24));
  EXPECT_EQ(parse_duration("P1W2D"), hours(9 * 24));
  EXPECT_EQ(parse_duration("PT0S"), nanoseconds(0));
  EXPECT_EQ(parse_duration("P0D"), nanoseconds(0));
  EXPECT_EQ(parse_duration("PT0.000000001S"), nanoseconds(1));
  EXPECT_EQ(parse_duration("PT1,5S"), milliseconds(1500));
  EXPECT_EQ(parse_duration("PT90M"), minutes(90));  // components need not be normalised
}

TEST(ParseDuration, FractionsOnAnyLastComponent) {
  EXPECT_EQ(parse_duration("PT1.5H"), minutes(90));
  EXPECT_EQ(parse_duration("P0.5D"), hours(12));
  EXPECT_EQ(parse_duration("PT0.25M"), seconds(15));
  EXPECT_EQ(parse_duration("P1.5W"), hours(252));
  // 1/3 day is not a whole number of nanoseconds: truncated, not rounded.
  EXPECT_EQ(parse_duration("P0.333333333333333333D"), nanoseconds(28'799'999'999'999));
}

TEST(ParseDuration, YearsAndMonthsAsDotNetCountsThem) {
  EXPECT_EQ(parse_duration("P1Y"), hours(365 * 24));
  EXPECT_EQ(parse_duration("P1M"), hours(30 * 24));
  EXPECT_EQ(parse_duration("P1MT1M"), hours(30 * 24) + minutes(1));
}

TEST(ParseDuration, DotNetTimeSpan) {
  EXPECT_EQ(parse_duration("7.00:00:00"), hours(7 * 24));
  EXPECT_EQ(parse_duration("01:30:00"), minutes(90));
  EXPECT_EQ(parse_duration("00:00:01.5"), milliseconds(1500));
  EXPECT_EQ(parse_duration("1.02:03:04.0050000"), hours(26) + minutes(3) + seconds(4) + milliseconds(5));
  EXPECT_EQ(parse_duration("10:30"), hours(10) + minutes(30));
  EXPECT_EQ(parse_duration("00:00:00"), nanoseconds(0));
}

TEST(ParseDuration, PlainSeconds) {
  EXPECT_EQ(parse_duration("90"), seconds(90));
  EXPECT_EQ(parse_duration("1.5"), milliseconds(1500));
  EXPECT_EQ(parse_duration("0"), nanoseconds(0));
  EXPECT_EQ(parse_duration("0.000000001"), nanoseconds(1));
}

TEST(ParseDuration, RejectsNegativesAndGarbage) {
  for (const char* text :
       {"",          "-1",       "-PT1S",      "-00:00:01", "P",    "PT",     "P1DT",     "P1",
        "PT1",       "P1H",      "PT1D",       "PT1W",      "P1S",  "PT1M1H", "P1D1D",    "PT1S1S",
        "PT1.5H30M", "P1.5DT1H", "PT.5S",      "PT1.S",     "pt1s", "P1dT",   "1e3",      "1.",
        ".5",        "abc",      "90s",        " 90",       "90 ",  "P 1D",   "24:00:00", "00:60:00",
        "00:00:60",  "1:2:3:4",  "1..2:00:00", "PT1H ",     "+90",  "P-1D"}) {
    EXPECT_FALSE(parse_duration(text).has_value()) << text;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_FALSE(parse_duration("99999999999999999999").has_value());
  EXPECT_FALSE(parse_duration("P999999D").has_value());  // about 2700 years
  EXPECT_FALSE(parse_duration("PT9223372037S").has_value());
  EXPECT_FALSE(parse_duration("P106751DT23H47M16.854775808S").has_value());
  EXPECT_FALSE(parse_duration("106752.00:00:00").has_value());
  EXPECT_FALSE(parse_duration("P18446744073709551616D").has_value());
  // The largest representable duration still parses.
  EXPECT_EQ(parse_duration("P106751DT23H47M16.854775807S"), nanoseconds::max());
}

TEST(FormatDuration, Canonical) {
  EXPECT_EQ(format_duration(hours(7 * 24)), "P7D");
  EXPECT_EQ(format_duration(minutes(10)), "PT10M");
  EXPECT_EQ(format_duration(hours(26) + minutes(3) + milliseconds(4500)), "P1DT2H3M4.5S");
  EXPECT_EQ(format_duration(nanoseconds(0)), "PT0S");
  EXPECT_EQ(format_duration(hours(1) + seconds(5)), "PT1H5S");
  EXPECT_EQ(format_duration(nanoseconds(1)), "PT0.000000001S");
  EXPECT_EQ(format_duration(milliseconds(250)), "PT0.25S");
  EXPECT_EQ(format_duration(hours(24) + seconds(1)), "P1DT1S");
  EXPECT_EQ(format_duration(-seconds(5)), "-PT5S");
}

TEST(FormatDuration, RoundTripsWithParse) {
  for (const Duration d : {Duration::zero(), Duration(1), Duration(seconds(1)), Duration(minutes(10)),
                           Duration(hours(7 * 24)), Duration(hours(26) + minutes(3) + milliseconds(4500)),
                           Duration(123'456'789'012'345), Duration::max()}) {
    const auto parsed = parse_duration(format_duration(d));
    ASSERT_TRUE(parsed.has_value()) << format_duration(d);
    EXPECT_EQ(*parsed, d) << format_duration(d);
  }
}

TEST(Seconds, ConvertBothWays) {
  EXPECT_DOUBLE_EQ(to_seconds(milliseconds(1500)), 1.5);
  EXPECT_EQ(from_seconds(2.25), milliseconds(2250));
}

}  // namespace
}  // namespace emu::core
