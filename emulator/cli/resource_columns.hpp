#pragma once
// The table/tsv columns of each resource, after the retired az batchai module's table formats.
//   print_result(out, OutputFormat::kTable, clusters, cluster_columns());

#include <vector>

#include "emulator/cli/output_format.hpp"

namespace emu::cli {

std::vector<Column> workspace_columns();
std::vector<Column> experiment_columns();
std::vector<Column> cluster_columns();
std::vector<Column> file_server_columns();
std::vector<Column> job_columns();
std::vector<Column> file_columns();
std::vector<Column> node_columns();
std::vector<Column> usage_columns();

// Path segments of an ARM id: resource_group_of("/subscriptions/s/resourceGroups/rg/...") == "rg".
std::string id_segment(const std::string& id, std::string_view after);

}  // namespace emu::cli
