// libFuzzer target: harness::parse_scenario on arbitrary YAML (bodyFile paths resolve inside an
// empty folder, so nothing outside the input is read).
//   ./scenario_parser_fuzzer corpus/scenario

#include "harness/scenario_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto parsed = emu::harness::parse_scenario(yaml, "fuzz.yaml", "/nonexistent-fuzz-dir");
  (void)parsed;
  return 0;
}
