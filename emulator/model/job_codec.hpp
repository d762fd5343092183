#pragma once
// Job request bodies <-> JobBaseProperties, with the spec's validation (required fields, at most one
// toolkit, the toolkits' one-of rules, counts, directory ids, maxWallClockTime).
//   auto job = parse_job_create(body);  if (!job) return job.error();
//   json["properties"] = to_json(*job, Visibility::kPublic);  // includes toolType and constraints

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/job_types.hpp"
#include "emulator/model/visibility.hpp"

namespace emu::model {

// PUT body {"properties": {...}}; other top-level keys ($schema, experimentName) are ignored, and so is
// a toolType sent by the client (it is derived from the toolkit settings).
core::Result<JobBaseProperties> parse_job_create(const boost::json::value& body);
// The properties object alone (what to_json(..., kStored) wrote).
core::Result<JobBaseProperties> parse_job_properties(const boost::json::object& properties);

// Writes toolType (derived) and constraints.maxWallClockTime as ISO 8601 (P7D) as well.
boost::json::object to_json(const JobBaseProperties& value, Visibility visibility);

}  // namespace emu::model
