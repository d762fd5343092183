#pragma once
// How the engine's records are kept in the DocumentStore: JSON documents holding the client's spec
// (the model's stored form, secrets included) and the engine's status fields. Not the wire format:
// that is api/resource_view. A document that cannot be read back is an error naming what is wrong.
//   batch.put("clusters", key, encode(cluster));  auto back = decode_cluster(text);

#include <string>
#include <string_view>

#include "emulator/core/journal.hpp"
#include "emulator/core/result.hpp"
#include "emulator/engine/node_record.hpp"
#include "emulator/engine/resource_records.hpp"

namespace emu::engine {

std::string encode(const WorkspaceRecord& record);
std::string encode(const ExperimentRecord& record);
std::string encode(const ClusterRecord& record);
std::string encode(const FileServerRecord& record);
std::string encode(const JobRecord& record);
std::string encode(const OperationRecord& record);
std::string encode(const NodeRecord& record);

core::Result<WorkspaceRecord> decode_workspace(std::string_view text);
core::Result<ExperimentRecord> decode_experiment(std::string_view text);
core::Result<ClusterRecord> decode_cluster(std::string_view text);
core::Result<FileServerRecord> decode_file_server(std::string_view text);
core::Result<JobRecord> decode_job(std::string_view text);
core::Result<OperationRecord> decode_operation(std::string_view text);
core::Result<NodeRecord> decode_node(std::string_view text);
// Reads back a journal record stored as its canonical line.
core::Result<core::JournalRecord> decode_journal_record(std::string_view text);

}  // namespace emu::engine
