#include "emulator/api/output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
    return core::Error::bad_request(
        "InvalidQueryParameterValue",
        fmt::format("directory '{}' must stay inside the output directory", directory), "directory");
  }
  const fs::path dir = relative == "." ? root : root / relative;
  OutputFilePage page;
  std::error_code ec;
  if (!fs::exists(root, ec)) return page;  // nothing written yet
  if (!is_inside(root, dir)) {
    return core::Error::bad_request(
        "InvalidQueryParameterValue",
        fmt::format("directory '{}' leads outside the output directory", directory), "directory");
  }
  if (!fs::is_directory(dir, ec)) {
    return core::Error::not_found(
        "DirectoryNotFound", fmt::format("The directory '{}' does not exist in the job's output", directory));
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

namespace {

// Closes the descriptor when the read is over, whatever the path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

core::Error file_gone() {
  return core::Error::not_found("FileNotFound", "The file behind this link no longer exists");
}

}  // namespace

core::Result<OutputFileContent> read_output_file(const fs::path& root, const fs::path& file,
                                                 std::uint64_t max_bytes, bool with_content) {
  // O_NONBLOCK: opening a FIFO a job left in place of the file must not block the server thread.
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return file_gone();
  std::error_code ec;
  const fs::path opened = fs::read_symlink(fmt::format("/proc/self/fd/{}", fd.get()), ec);
  const fs::path real_root = fs::weakly_canonical(root, ec);
  if (opened.empty() || real_root.empty() || !is_inside(real_root, opened)) {
    return core::Error{
        core::ErrorKind::kForbidden,
        "FileOutsideOutputDirectory",
        "The file behind this link now leads outside the job's output directory; it is not served",
        {}};
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) return file_gone();
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size > max_bytes) {
    return core::Error{
        core::ErrorKind::kPayloadTooLarge,
        "FileTooLarge",
        fmt::format("Files over {} MiB cannot be downloaded through the emulator; read them from the "
                    "job's output directory on this host",
                    max_bytes >> 20),
        {}};
  }
  OutputFileContent content{.name = file.filename().string(), .bytes = {}};
  if (!with_content) return content;
  content.bytes.resize(static_cast<std::size_t>(size));
  std::size_t filled = 0;
  while (filled < content.bytes.size()) {
    const ssize_t n = ::pread(fd.get(), content.bytes.data() + filled, content.bytes.size() - filled,
                              static_cast<off_t>(filled));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank while it was read: serve what is there
    filled += static_cast<std::size_t>(n);
  }
  content.bytes.resize(filled);
  return content;
}

}  // namespace emu::api
