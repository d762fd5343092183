#pragma once
// EmbeddedAsset: one file of the dashboard (HTML, CSS, JS), compiled into the binary by
// embed_assets.cmake so that the emulator serves its page with no files on disk and no network.
//   for (const auto& asset : embedded_assets()) std::cout << asset.name << " " << asset.data.size();

#include <span>
#include <string_view>

namespace emu::dashboard {

struct EmbeddedAsset {
  std::string_view name;  // file name under assets/, e.g. "dashboard.js"
  std::string_view data;  // the file's bytes
};

// Every file of emulator/dashboard/assets, in the order CMakeLists.txt lists them.
std::span<const EmbeddedAsset> embedded_assets();

}  // namespace emu::dashboard
