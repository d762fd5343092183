#pragma once
// The rules every DocumentStore applies to one step of a WriteBatch before writing it, shared so the
// SQLite and the in-memory store refuse exactly the same batches with the same error.
//   if (auto r = check_step(doc, is_put, index); !r) { /* roll back, return r.error() */ }

#include <cstddef>

#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"

namespace emu::store {

// An empty collection or key is a bug in the caller, never client input; it is refused rather than
// stored because nothing could load or erase it sensibly afterwards. `index` is the step's position
// in the batch (0-based) and appears in the message.
core::Result<void> check_step(const engine::Document& doc, bool is_put, std::size_t index);

}  // namespace emu::store
