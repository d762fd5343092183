#pragma once
// FileLinks: the download URLs of listOutputFiles. A link carries the file's path, the output directory
// it was listed in and its expiry on the emulator's clock, signed with HMAC-SHA256 under a key made at
// start (like a SAS token), so a forged or expired link gets 403 and a link can only name what the
// emulator listed. The download checks the opened file against that directory again (open_output_file).
//   std::string token = links.sign({.root = out_dir, .file = path}, now + 60min);
//   auto linked = links.verify(token, now);   // error: expired or forged

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::api {

struct LinkedFile {
  std::filesystem::path root;  // the output directory the file was listed in
  std::filesystem::path file;  // the file, as listed (inside root)
};

class FileLinks {
 public:
  FileLinks();  // a fresh random key: links do not outlive the process, as SAS links outlive nothing here

  std::string sign(const LinkedFile& target, core::Time expires) const;
  core::Result<LinkedFile> verify(std::string_view token, core::Time now) const;

 private:
  std::string mac(std::string_view payload) const;
  std::array<unsigned char, 32> key_{};
};

}  // namespace emu::api
