#include "fakes/nfs/mount_options.hpp"

#include <gtest/gtest.h>

namespace emu::fakes {
namespace {

using std::chrono::seconds;

TEST(MountOptions, DefaultsAreNfsDefaults) {
  auto options = MountOptions::parse("");
  ASSERT_TRUE(options);
  EXPECT_FALSE(options->read_only);
  EXPECT_FALSE(options->soft);
  EXPECT_EQ(options->acregmin, seconds(3));
  EXPECT_EQ(options->acregmax, seconds(60));
  EXPECT_EQ(options->acdirmin, seconds(30));
  EXPECT_EQ(options->acdirmax, seconds(60));
}

TEST(MountOptions, ReadsRoSoftActimeoAndNoac) {
  auto options = MountOptions::parse("-o ro,soft,actimeo=7 vers=4.1");
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->read_only);
  EXPECT_TRUE(options->soft);
  EXPECT_EQ(options->acregmin, seconds(7));
  EXPECT_EQ(options->acdirmax, seconds(7));

  auto noac = MountOptions::parse("rw,noac,hard");
  ASSERT_TRUE(noac);
  EXPECT_FALSE(noac->read_only);
  EXPECT_FALSE(noac->soft);
  EXPECT_EQ(noac->acregmax, seconds(0));
  EXPECT_EQ(noac->acdirmin, seconds(0));

  auto each = MountOptions::parse("acregmin=1,acregmax=2,acdirmin=3,acdirmax=4");
  ASSERT_TRUE(each);
  EXPECT_EQ(each->acregmin, seconds(1));
  EXPECT_EQ(each->acregmax, seconds(2));
  EXPECT_EQ(each->acdirmin, seconds(3));
  EXPECT_EQ(each->acdirmax, seconds(4));
}

TEST(MountOptions, RejectsMalformedNumbersNamingTheOption) {
  for (const char* bad : {"actimeo=", "actimeo=x", "acregmin=-1", "acdirmax=3s"}) {
    auto options = MountOptions::parse(bad);
    ASSERT_FALSE(options) << bad;
    EXPECT_EQ(options.error().code, "InvalidMountOptions");
    EXPECT_EQ(options.error().target, "mountOptions");
    EXPECT_NE(options.error().message.find(std::string(bad).substr(0, 6)), std::string::npos);
  }
}

TEST(MountOptions, AttributeTimeoutIsATenthOfTheAgeWithinBounds) {
  auto options = *MountOptions::parse("");
  const core::Time now = core::kDefaultEpoch + std::chrono::hours(1);
  EXPECT_EQ(options.file_attr_timeout(now, now), seconds(3));
  EXPECT_EQ(options.file_attr_timeout(now, now - seconds(100)), seconds(10));
  EXPECT_EQ(options.file_attr_timeout(now, now - seconds(3600)), seconds(60));
  EXPECT_EQ(options.dir_attr_timeout(now, now - seconds(100)), seconds(30));
  EXPECT_EQ(options.file_attr_timeout(now, now + seconds(100)), seconds(3)) << "mtime in the future";
  auto noac = *MountOptions::parse("noac");
  EXPECT_EQ(noac.file_attr_timeout(now, now - seconds(3600)), seconds(0));
}

}  // namespace
}  // namespace emu::fakes
