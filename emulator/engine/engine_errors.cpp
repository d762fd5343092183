#include "emulator/engine/engine_errors.hpp"

#include <fmt/format.h>

namespace emu::engine {

using core::Error;

// "WorkspaceNotFound", "The specified workspace ws is not found": the live service's wording.
Error resource_not_found(const ResourcePath& path) {
  switch (path.type) {
    case ResourceType::kWorkspace:
      return Error::not_found("WorkspaceNotFound", fmt::format("The specified workspace {} is not found", path.name));
    case ResourceType::kExperiment:
      return Error::not_found("ExperimentNotFound",
                              fmt::format("The specified experiment {} is not found", path.name));
    case ResourceType::kJob:
      return Error::not_found("JobNotFound", fmt::format("The specified job {} is not found", path.name));
    case ResourceType::kCluster:
      return Error::not_found("ClusterNotFound", fmt::format("The specified cluster {} is not found", path.name));
    case ResourceType::kFileServer:
      return Error::not_found("FileServerNotFound",
                              fmt::format("The specified file server {} is not found", path.name));
  }
  return Error::internal("unknown resource type");
}

Error resource_being_deleted(const ResourcePath& path) {
  return Error::conflict("ResourceBeingDeleted",
                         fmt::format("The {} {} is being deleted; wait for the delete operation to finish",
                                     path.noun(), path.name));
}

}  // namespace emu::engine
