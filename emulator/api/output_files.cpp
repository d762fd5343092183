#include "emulator/api/output_files.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

namespace emu::api {

namespace fs = std::filesystem;

bool is_inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  const fs::path real_root = fs::weakly_canonical(root, ec);
  if (ec) return false;
  const fs::path real = fs::weakly_canonical(path, ec);
  if (ec) return false;
  auto r = real_root.begin();
  auto p = real.begin();
  for (; r != real_root.end(); ++r, ++p) {
    if (p == real.end() || *r != *p) return false;
  }
  return true;
}

core::Result<OutputFilePage> list_output_files(const fs::path& root, std::string_view directory,
                                               const std::string& after, std::size_t limit) {
  const fs::path relative = fs::path(std::string(directory)).lexically_normal();
  if (relative.is_absolute() || (!relative.empty() && *relative.begin() == "..")) {
    return core::Error::bad_request("InvalidQueryParameterValue",
                                    fmt::format("directory '{}' must stay inside the output directory", directory),
                                    "directory");
  }
  const fs::path dir = relative == "." ? root : root / relative;
  OutputFilePage page;
  std::error_code ec;
  if (!fs::exists(root, ec)) return page;  // nothing written yet
  if (!is_inside(root, dir)) {
    return core::Error::bad_request("InvalidQueryParameterValue",
                                    fmt::format("directory '{}' leads outside the output directory", directory),
                                    "directory");
  }
  if (!fs::is_directory(dir, ec)) {
    return core::Error::not_found("DirectoryNotFound",
                                  fmt::format("The directory '{}' does not exist in the job's output", directory));
  }
  std::vector<OutputFile> entries;
  for (const auto& entry : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec)) {
    // Links pointing out of the output directory are not listed, so their targets cannot be fetched.
    if (!is_inside(root, entry.path())) continue;
    OutputFile file;
    const fs::path name = relative == "." ? entry.path().filename() : relative / entry.path().filename();
    file.name = name.generic_string();
    file.path = entry.path();
    std::error_code stat_error;
    file.is_directory = entry.is_directory(stat_error);
    if (!file.is_directory) {
      file.size = entry.file_size(stat_error);
      const auto written = entry.last_write_time(stat_error);
      if (!stat_error) {
        file.last_modified =
            std::chrono::time_point_cast<core::Duration>(std::chrono::file_clock::to_sys(written));
      }
    }
    entries.push_back(std::move(file));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& entry : entries) {
    if (!after.empty() && entry.name <= after) continue;
    if (page.files.size() == limit) {
      page.continue_after = page.files.back().name;
      break;
    }
    page.files.push_back(std::move(entry));
  }
  return page;
}

}  // namespace emu::api
