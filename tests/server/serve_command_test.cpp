#include "emulator/server/serve_command.hpp"

#include <gtest/gtest.h>

namespace emu::server {
namespace {

TEST(ReadyLineTest, ExactFormat) {
  EXPECT_EQ(ready_line("127.0.0.1", 7443, 7080, "/data/tls/ca.pem", "sim"),
            "ready https=https://127.0.0.1:7443 http=http://127.0.0.1:7080 ca=/data/tls/ca.pem backend=sim");
  EXPECT_EQ(ready_line("localhost", 1, 2, "ca.pem", "container"),
            "ready https=https://localhost:1 http=http://localhost:2 ca=ca.pem backend=container");
}

TEST(ReadyLineTest, Ipv6HostIsBracketedAsUrlsNeed) {
  EXPECT_EQ(ready_line("::1", 7443, 7080, "ca.pem", "sim"),
            "ready https=https://[::1]:7443 http=http://[::1]:7080 ca=ca.pem backend=sim");
}

}  // namespace
}  // namespace emu::server
