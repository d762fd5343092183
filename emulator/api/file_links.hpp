#pragma once
// FileLinks: the download URLs of listOutputFiles. A link carries the file's path and its expiry on
// the emulator's clock, signed with HMAC-SHA256 under a key made at start (like a SAS token), so a
// forged or expired link gets 403 and a link can only name what the emulator listed.
//   std::string token = links.sign(path, now + 60min);
//   auto path = links.verify(token, now);   // error: expired or forged

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::api {

class FileLinks {
 public:
  FileLinks();  // a fresh random key: links do not outlive the process, as SAS links outlive nothing here

  std::string sign(const std::filesystem::path& file, core::Time expires) const;
  core::Result<std::filesystem::path> verify(std::string_view token, core::Time now) const;

 private:
  std::string mac(std::string_view payload) const;
  std::array<unsigned char, 32> key_{};
};

}  // namespace emu::api
