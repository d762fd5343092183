# Turns the dashboard's files into a C++ source so that the binary serves them without a file system.
# cmake -DOUTPUT=out.cpp -DASSET_DIR=dir -DASSETS="index.html;dashboard.js" -P embed_assets.cmake
set(body "")
set(table "")
set(index 0)
foreach(name IN LISTS ASSETS)
  file(READ "${ASSET_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "constexpr unsigned char kAsset${index}[] = {${bytes}};\n")
  string(APPEND table "    {\"${name}\", std::string_view(reinterpret_cast<const char*>(kAsset${index}), ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from emulator/dashboard/assets by embed_assets.cmake; do not edit.\n"
"#include \"emulator/dashboard/embedded_asset.hpp\"\n\n"
"namespace emu::dashboard {\nnamespace {\n${body}}  // namespace\n\n"
"std::span<const EmbeddedAsset> embedded_assets() {\n"
"  static const EmbeddedAsset kAssets[] = {\n${table}  };\n  return kAssets;\n}\n\n"
"}  // namespace emu::dashboard\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
