#include "fakes/nfs/mount_options.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace emu::fakes {

namespace {

core::Duration adaptive_timeout(core::Time now, core::Time mtime, core::Duration low, core::Duration high) {
  const core::Duration age = now > mtime ? now - mtime : core::Duration::zero();
  return std::clamp(age / 10, low, std::max(low, high));
}

core::Result<core::Duration> parse_seconds(std::string_view name, std::string_view value) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0 ||
      seconds > 3600L * 24 * 365) {
    return core::Error::bad_request("InvalidMountOptions",
                                    "The mount option " + std::string(name) +
                                        " needs a whole number of seconds, got '" + std::string(value) + "'",
                                    "mountOptions");
  }
  return core::Duration(std::chrono::seconds(seconds));
}

}  // namespace

core::Result<MountOptions> MountOptions::parse(std::string_view text) {
  MountOptions options;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find_first_of(", \t\n", pos);
    const std::string_view token = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (token.empty() || token == "-o") continue;
    const std::size_t eq = token.find('=');
    const std::string_view name = token.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : token.substr(eq + 1);
    if (name == "ro") {
      options.read_only = true;
    } else if (name == "rw") {
      options.read_only = false;
    } else if (name == "soft") {
      options.soft = true;
    } else if (name == "hard") {
      options.soft = false;
    } else if (name == "noac") {
      options.acregmin = options.acregmax = options.acdirmin = options.acdirmax = core::Duration::zero();
    } else if (name == "actimeo" || name == "acregmin" || name == "acregmax" || name == "acdirmin" ||
               name == "acdirmax") {
      auto seconds = parse_seconds(name, value);
      if (!seconds) return std::move(seconds).error();
      if (name == "actimeo") {
        options.acregmin = options.acregmax = options.acdirmin = options.acdirmax = *seconds;
      } else if (name == "acregmin") {
        options.acregmin = *seconds;
      } else if (name == "acregmax") {
        options.acregmax = *seconds;
      } else if (name == "acdirmin") {
        options.acdirmin = *seconds;
      } else {
        options.acdirmax = *seconds;
      }
    }
    // Anything else (vers, rsize, nolock, _netdev, ...) changes nothing an emulated store can show.
  }
  return options;
}

core::Duration MountOptions::file_attr_timeout(core::Time now, core::Time mtime) const {
  return adaptive_timeout(now, mtime, acregmin, acregmax);
}

core::Duration MountOptions::dir_attr_timeout(core::Time now, core::Time mtime) const {
  return adaptive_timeout(now, mtime, acdirmin, acdirmax);
}

}  // namespace emu::fakes
