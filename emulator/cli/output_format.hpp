#pragma once
// Output of `az batchai` commands: `-o json` (indented, as az printed it), `-o table` (the columns the
// retired module showed, with a header) and `-o tsv` (the same columns, tab-separated, no header).
//   std::vector<Column> columns{{"Name", field("name")}};
//   print_result(std::cout, OutputFormat::kTable, list, columns);

#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "emulator/core/result.hpp"

namespace emu::cli {

enum class OutputFormat { kJson, kTable, kTsv };

core::Result<OutputFormat> parse_output_format(std::string_view text);

struct Column {
  std::string header;
  std::function<std::string(const boost::json::value&)> cell;
};

// A column cell that reads a dotted path ("properties.vmSize"); missing or null gives "".
std::function<std::string(const boost::json::value&)> field(std::string path);
// A JSON value as a cell: strings bare, numbers and booleans as JSON, null as "".
std::string cell_text(const boost::json::value& value);

// Prints `result` (an object, or an array of rows) in the format; columns are used by table and tsv.
void print_result(std::ostream& out, OutputFormat format, const boost::json::value& result,
                  std::span<const Column> columns);

// JSON with two-space indentation and a final newline.
std::string pretty_json(const boost::json::value& value);

}  // namespace emu::cli
