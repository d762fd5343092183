#pragma once
// File server request bodies <-> FileServerBaseProperties, with the spec's validation, and the
// read-only MountSettings the engine reports.
//   auto props = parse_file_server_create(body);  if (!props) return props.error();
//   json["properties"] = to_json(*props, Visibility::kPublic);

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"
#include "emulator/model/file_server_types.hpp"
#include "emulator/model/visibility.hpp"

namespace emu::model {

inline constexpr std::size_t kMaxPublicIpsToAllow = 400;

// PUT body {"properties": {...}}; other top-level keys are ignored.
core::Result<FileServerBaseProperties> parse_file_server_create(const boost::json::value& body);
// The properties object alone (what to_json(..., kStored) wrote).
core::Result<FileServerBaseProperties> parse_file_server_properties(const boost::json::object& properties);

boost::json::object to_json(const FileServerBaseProperties& value, Visibility visibility);
boost::json::object to_json(const MountSettings& value);
core::Result<MountSettings> parse_mount_settings(const boost::json::value& json);

}  // namespace emu::model
