#pragma once
// Workspace request bodies ({location, tags} and {tags}) and the experiment PUT, which has no body in
// the spec (the examples send {"properties": {}}): anything is accepted there.
//   auto ws = parse_workspace_create(body);  if (!ws) return ws.error();
//   auto patch = parse_workspace_update(body);  if (patch->tags) tags = *patch->tags;

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/visibility.hpp"
#include "emulator/model/workspace_types.hpp"

namespace emu::model {

// location required and non-empty (any display form: normalize it with normalize_location), tags
// optional string -> string.
core::Result<WorkspaceCreateParameters> parse_workspace_create(const boost::json::value& body);
core::Result<WorkspaceUpdateParameters> parse_workspace_update(const boost::json::value& body);
// Accepts an empty (null) body or any JSON value: the spec declares none.
core::Result<void> parse_experiment_create(const boost::json::value& body);

// {"location": ..., "tags": {...}}; tags is always written (an empty object when there are none).
boost::json::object to_json(const WorkspaceCreateParameters& value, Visibility visibility);
boost::json::object to_json(const WorkspaceUpdateParameters& value, Visibility visibility);

}  // namespace emu::model
