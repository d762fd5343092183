#include "emulator/store/document_check.hpp"

#include <fmt/format.h>

namespace emu::store {

core::Result<void> check_step(const engine::Document& doc, bool is_put, std::size_t index) {
  const char* verb = is_put ? "put" : "erase";
  if (doc.collection.empty()) {
    auto error = core::Error::internal(
        fmt::format("write batch step {} ({} of key '{}') has an empty collection name; nothing of the "
                    "batch was written",
                    index, verb, doc.key));
    error.target = "collection";
    return error;
  }
  if (doc.key.empty()) {
    auto error = core::Error::internal(
        fmt::format("write batch step {} ({} in collection '{}') has an empty key; nothing of the batch "
                    "was written",
                    index, verb, doc.collection));
    error.target = "key";
    return error;
  }
  return {};
}

}  // namespace emu::store
