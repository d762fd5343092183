#pragma once
// Whether a process whose command line matches `marker` (a pgrep -f regular expression) is running on
// this host. Write the marker so that it does not match the probing shell's own command line:
//   EXPECT_FALSE(process_with("[s]leep 1013"));

#include <cstdlib>
#include <string>

namespace emu::fakes::testing {

inline bool process_with(const std::string& marker) {
  return std::system(("pgrep -f '" + marker + "' >/dev/null").c_str()) == 0;
}

}  // namespace emu::fakes::testing
