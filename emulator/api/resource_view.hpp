#pragma once
// How the engine's records look on the wire: the ARM envelope (id, name, type, location, tags) around
// `properties`, with the client's spec (secrets removed) and the emulator's status fields, in the
// shapes the live service returned (recordings/).
//   boost::json::object body = view(cluster_record);

#include <boost/json/object.hpp>

#include "emulator/engine/engine.hpp"
#include "emulator/engine/resource_records.hpp"

namespace emu::api {

boost::json::object view(const engine::WorkspaceRecord& record);
boost::json::object view(const engine::ExperimentRecord& record);
boost::json::object view(const engine::ClusterRecord& record);
boost::json::object view(const engine::FileServerRecord& record);
boost::json::object view(const engine::JobRecord& record);
// The body of .../operationresults/{id} (or operationstatuses: `kind`); `base_url` is scheme://host.
boost::json::object view(const engine::OperationRecord& record, std::string_view base_url,
                         std::string_view kind = "operationresults");
boost::json::object view(const engine::RemoteLogin& login);
boost::json::object view(const engine::UsageFigure& usage);

}  // namespace emu::api
