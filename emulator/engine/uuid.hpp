#pragma once
// deterministic_uuid: version-4-shaped GUIDs derived from (seed, counter) with SplitMix64, so that
// operation ids and output folders are the same on every run with one seed, and never repeat as
// long as the counter is persisted.
//   deterministic_uuid(1, 0);  // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", always the same

#include <cstdint>
#include <string>

namespace emu::engine {

std::string deterministic_uuid(std::uint64_t seed, std::uint64_t counter);

}  // namespace emu::engine
