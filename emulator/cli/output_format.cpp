#include "emulator/cli/output_format.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/serialize.hpp>

namespace emu::cli {
namespace {

namespace json = boost::json;

void write_pretty(std::string& out, const json::value& value, int depth) {
  const std::string pad(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string close_pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_object()) {
    const auto& object = value.get_object();
    if (object.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& [key, item] : object) {
      if (!first) out += ",\n";
      first = false;
      out += pad + json::serialize(json::string(key)) + ": ";
      write_pretty(out, item, depth + 1);
    }
    out += "\n" + close_pad + "}";
  } else if (value.is_array()) {
    const auto& array = value.get_array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& item : array) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      write_pretty(out, item, depth + 1);
    }
    out += "\n" + close_pad + "]";
  } else {
    out += json::serialize(value);
  }
}

std::string clean_cell(std::string text) {
  // A tab or newline inside a cell would break the row apart.
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return text;
}

}  // namespace

core::Result<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "json" || text == "jsonc") return OutputFormat::kJson;
  if (text == "table") return OutputFormat::kTable;
  if (text == "tsv") return OutputFormat::kTsv;
  return core::Error::bad_request(
      "InvalidArgument",
      "argument --output/-o: invalid choice '" + std::string(text) + "' (choose from json, table, tsv)",
      "--output");
}

std::string cell_text(const json::value& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return std::string(value.get_string());
  return json::serialize(value);
}

std::function<std::string(const json::value&)> field(std::string path) {
  return [path = std::move(path)](const json::value& row) -> std::string {
    const json::value* at = &row;
    std::string_view rest = path;
    while (!rest.empty()) {
      const auto dot = rest.find('.');
      const std::string_view key = rest.substr(0, dot);
      if (!at->is_object()) return "";
      const auto* next = at->get_object().if_contains(key);
      if (!next) return "";
      at = next;
      rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    }
    return cell_text(*at);
  };
}

std::string pretty_json(const json::value& value) {
  std::string out;
  write_pretty(out, value, 0);
  out += '\n';
  return out;
}

void print_result(std::ostream& out, OutputFormat format, const json::value& result,
                  std::span<const Column> columns) {
  if (format == OutputFormat::kJson || columns.empty()) {
    if (!result.is_null()) out << pretty_json(result);
    return;
  }
  std::vector<const json::value*> rows;
  if (result.is_array()) {
    for (const auto& item : result.get_array()) rows.push_back(&item);
  } else if (!result.is_null()) {
    rows.push_back(&result);
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto* row : rows) {
    std::vector<std::string> line;
    for (const auto& column : columns) line.push_back(clean_cell(column.cell(*row)));
    cells.push_back(std::move(line));
  }
  if (format == OutputFormat::kTsv) {
    for (const auto& line : cells) {
      for (std::size_t i = 0; i < line.size(); ++i) out << (i ? "\t" : "") << line[i];
      out << '\n';
    }
    return;
  }
  std::vector<std::size_t> widths;
  for (const auto& column : columns) widths.push_back(column.header.size());
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i) text += "  ";
      text += line[i];
      if (i + 1 < line.size()) text.append(widths[i] - line[i].size(), ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  std::vector<std::string> header, rule;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    header.push_back(columns[i].header);
    rule.push_back(std::string(widths[i], '-'));
  }
  print_line(header);
  print_line(rule);
  for (const auto& line : cells) print_line(line);
}

}  // namespace emu::cli
