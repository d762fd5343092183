#include "harness/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>

namespace emu::harness {

ProgressBar::ProgressBar(std::FILE* out) : out_(out), active_(out != nullptr && ::isatty(::fileno(out)) == 1) {}

void ProgressBar::update(core::Duration elapsed, double fraction) {
  if (!active_) return;
  constexpr int kCells = 30;
  const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kCells);
  const auto total = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kCells - filled), '-');
  std::fprintf(out_, "\r[%s] %3d%%  sim %lldd %02lld:%02lld:%02lld ", bar.c_str(), static_cast<int>(fraction * 100),
               static_cast<long long>(total / 86400), static_cast<long long>(total / 3600 % 24),
               static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!active_ || !drawn_) return;
  std::fprintf(out_, "\r%60s\r", "");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace emu::harness
