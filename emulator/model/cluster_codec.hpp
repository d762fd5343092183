#pragma once
// Cluster request bodies <-> ClusterBaseProperties / ClusterUpdateProperties, with the spec's
// validation. Bodies are {"properties": {...}} (the CLI's cluster.json files have that shape too);
// other top-level keys ($schema, location) are ignored.
//   auto props = parse_cluster_create(body);  if (!props) return props.error();
//   json["properties"] = to_json(*props, Visibility::kPublic);  // then add the read-only state

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/cluster_types.hpp"
#include "emulator/model/json_reader.hpp"
#include "emulator/model/visibility.hpp"

namespace emu::model {

// PUT body. Applies defaults (vmPriority dedicated, scaleSettings manual 0 when absent, ...).
core::Result<ClusterBaseProperties> parse_cluster_create(const boost::json::value& body);
// The properties object alone (what to_json(..., kStored) wrote), errors targeted at properties.*.
core::Result<ClusterBaseProperties> parse_cluster_properties(const boost::json::object& properties);
// PATCH body {"properties": {"scaleSettings": {...}}}; a body without properties changes nothing.
core::Result<ClusterUpdateProperties> parse_cluster_update(const boost::json::value& body);

// The members of "properties", spec camelCase; absent optionals are left out.
boost::json::object to_json(const ClusterBaseProperties& value, Visibility visibility);
boost::json::object to_json(const ClusterUpdateProperties& value, Visibility visibility);
boost::json::object to_json(const ScaleSettings& value);

// Nested readers, exposed for tests and the other codecs.
ScaleSettings read_scale_settings(JsonReader reader);
NodeSetup read_node_setup(JsonReader reader);

}  // namespace emu::model
