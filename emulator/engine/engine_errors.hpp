#pragma once
// The engine's errors about resources, worded as the live service worded them
// ("The specified job j1 is not found"), shared by the engine's source files.
//   return resource_not_found(path);

#include "emulator/core/error.hpp"
#include "emulator/engine/resource_path.hpp"

namespace emu::engine {

// WorkspaceNotFound, ExperimentNotFound, JobNotFound, ClusterNotFound or FileServerNotFound (404).
core::Error resource_not_found(const ResourcePath& path);
// ResourceBeingDeleted (409): the resource or its parent has a delete operation in flight.
core::Error resource_being_deleted(const ResourcePath& path);

}  // namespace emu::engine
