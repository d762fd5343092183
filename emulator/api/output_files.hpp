#pragma once
// Listing a job's output directory for listOutputFiles: entries in name order, paged, and never a
// path outside the directory (no "..", no symbolic link that points out of it).
//   auto page = list_output_files(root, "logs", after, 100);  // names like "logs/a.txt"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

namespace emu::api {

struct OutputFile {
  std::string name;  // relative to the output directory, with '/' separators
  bool is_directory = false;
  std::filesystem::path path;  // on this host (files only are downloadable)
  std::uint64_t size = 0;
  core::Time last_modified{};
};

struct OutputFilePage {
  std::vector<OutputFile> files;
  std::optional<std::string> continue_after;
};

core::Result<OutputFilePage> list_output_files(const std::filesystem::path& root, std::string_view directory,
                                               const std::string& after, std::size_t limit);

// True when `path`, with every symbolic link resolved, lies inside `root`.
bool is_inside(const std::filesystem::path& root, const std::filesystem::path& path);

// The content of an output file behind a download link, read through one open file descriptor whose
// real path is checked to lie inside `root`: a job that swaps a listed file (or a folder on its path)
// for a link after the listing gets 403, and a FIFO or device gets 404, never a blocked server.
// Files over `max_bytes` get 413.
struct OutputFileContent {
  std::string name;  // the file name, for Content-Disposition
  std::string bytes;
};
core::Result<OutputFileContent> read_output_file(const std::filesystem::path& root,
                                                 const std::filesystem::path& file, std::uint64_t max_bytes,
                                                 bool with_content);

}  // namespace emu::api
