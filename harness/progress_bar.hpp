#pragma once
// ProgressBar: one self-rewriting line on a terminal with the fraction done and the virtual time, e.g.
//   [##########----------]  50%  sim 01:23:45
// It prints nothing when the stream is not a terminal, so logs and CI output stay clean.
//   ProgressBar bar(stderr);  replay.run([&](auto elapsed, double f) { bar.update(elapsed, f); });  bar.finish();

#include <cstdio>

#include "emulator/core/time.hpp"

namespace emu::harness {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out);
  void update(core::Duration elapsed, double fraction);
  void finish();  // clears the line
  bool active() const { return active_; }

 private:
  std::FILE* out_;
  bool active_;
  bool drawn_ = false;
};

}  // namespace emu::harness
