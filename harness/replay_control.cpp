#include "harness/replay_control.hpp"

namespace emu::harness {

core::Result<core::Time> ReplayControl::advance_clock(core::Duration /*by*/) {
  return core::Error::conflict("ClockDrivenByReplay",
                               "the replay moves the clock itself from the scenario's timeline; give the step a "
                               "later 'at:' instead of advancing the clock");
}

}  // namespace emu::harness
