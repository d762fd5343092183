#pragma once
// MountOptions: a volume's mountOptions as NFS reads them: ro/rw, soft/hard, and the attribute cache
// (acregmin 3 s, acregmax 60 s, acdirmin 30 s, acdirmax 60 s; actimeo=N sets all four, noac zero).
// Options this emulator does not model (vers=4, rsize=...) are accepted and ignored, as mount(8) would.
//   auto options = MountOptions::parse("-o ro,actimeo=1");
//   fuse_reply_attr(req, &st, to_seconds(options->file_attr_timeout(now, mtime)));

#include <string_view>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::fakes {

struct MountOptions {
  bool read_only = false;
  bool soft = false;  // I/O during an outage fails with EIO instead of waiting
  core::Duration acregmin = std::chrono::seconds(3);
  core::Duration acregmax = std::chrono::seconds(60);
  core::Duration acdirmin = std::chrono::seconds(30);
  core::Duration acdirmax = std::chrono::seconds(60);

  // Options separated by commas or blanks, with an optional leading "-o". An empty text gives the
  // defaults. A malformed number ("actimeo=x") is an InvalidMountOptions error naming the option.
  static core::Result<MountOptions> parse(std::string_view text);

  // How long a mount may trust what it knows of a file modified at `mtime`, as NFS does: a tenth of
  // the file's age, kept within [acregmin, acregmax] (directories: [acdirmin, acdirmax]).
  core::Duration file_attr_timeout(core::Time now, core::Time mtime) const;
  core::Duration dir_attr_timeout(core::Time now, core::Time mtime) const;
};

}  // namespace emu::fakes
