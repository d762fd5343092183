// nfs_throughput: one run comparing a FUSE mount of a store with the same directory without FUSE:
// sequential 1 MiB writes and reads, 4 KiB random reads, creates/s and stats/s. Pinned to one core
// (the FUSE threads too) unless --all-cores. Run by hand; not a ctest test.
//   nfs_throughput [--size-mib 256] [--files 5000] [--all-cores] [--dir /somewhere]
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fakes/nfs/fuse_mount.hpp"
#include "fakes/nfs/mount_table.hpp"
#include "fakes/nfs/nfs_store.hpp"

namespace {

using emu::fakes::FuseMount;
using emu::fakes::FuseMountConfig;
using emu::fakes::NfsStore;
using Clock = std::chrono::steady_clock;

double seconds_of(const std::function<void()>& work) {
  const auto start = Clock::now();
  work();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void die(const char* what) {
  std::fprintf(stderr, "nfs_throughput: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

void write_sequential(const std::filesystem::path& path, std::size_t mib) {
  std::vector<char> block(1 << 20, 'w');
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open for write");
  for (std::size_t i = 0; i < mib; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) die("write");
  }
  ::close(fd);
}

void read_sequential(const std::filesystem::path& path) {
  std::vector<char> block(1 << 20);
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) die("open for read");
  while (::read(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}

void read_random(const std::filesystem::path& path, std::size_t mib, std::size_t count) {
  std::mt19937_64 rng(42);
  const std::uint64_t pages = mib * 256;
  char page[4096];
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) die("open for random read");
  for (std::size_t i = 0; i < count; ++i) {
    const auto offset = static_cast<off_t>((rng() % pages) * 4096);
    if (::pread(fd, page, sizeof(page), offset) != static_cast<ssize_t>(sizeof(page))) die("pread");
  }
  ::close(fd);
}

void create_files(const std::filesystem::path& dir, std::size_t count) {
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < count; ++i) {
    const int fd = ::open((dir / ("f" + std::to_string(i))).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("create");
    ::close(fd);
  }
}

void stat_files(const std::filesystem::path& dir, std::size_t count, std::size_t rounds) {
  struct stat st {};
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < count; ++i) {
      if (::stat((dir / ("f" + std::to_string(i))).c_str(), &st) != 0) die("stat");
    }
  }
}

std::unique_ptr<FuseMount> mount_store(const std::shared_ptr<NfsStore>& store,
                                       const std::filesystem::path& at, const std::string& options) {
  FuseMountConfig config;
  config.store = store;
  config.source = store->root();
  config.mount_point = at;
  config.options = *emu::fakes::MountOptions::parse(options);
  auto mounted = FuseMount::start(std::move(config));
  if (!mounted) {
    std::fprintf(stderr, "nfs_throughput: %s\n", mounted.error().message.c_str());
    std::exit(1);
  }
  return std::move(*mounted);
}

void row(const char* name, double native, double fuse, const char* unit) {
  std::printf("%-34s %12.0f %12.0f %-8s %6.1f%%\n", name, native, fuse, unit, 100.0 * fuse / native);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mib = 256;
  std::size_t files = 5000;
  bool one_core = true;
  std::filesystem::path base = std::filesystem::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--size-mib" && i + 1 < argc)
      mib = std::strtoul(argv[++i], nullptr, 10);
    else if (arg == "--files" && i + 1 < argc)
      files = std::strtoul(argv[++i], nullptr, 10);
    else if (arg == "--all-cores")
      one_core = false;
    else if (arg == "--dir" && i + 1 < argc)
      base = argv[++i];
    else {
      std::fprintf(stderr, "usage: nfs_throughput [--size-mib N] [--files N] [--all-cores] [--dir D]\n");
      return 2;
    }
  }
  if (one_core) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(static_cast<int>(sched_getcpu()), &cpus);
    if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0) die("sched_setaffinity");
  }
  std::string pattern = (base / "emu-nfs-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp");
  const std::filesystem::path data = pattern;
  auto store = NfsStore::open(emu::fakes::StoreKind::kFileServer, "bench", data / "store", 0);
  if (!store) return 1;
  const auto native = (*store)->root();

  std::printf("%zu MiB file, %zu files, %s\n", mib, files, one_core ? "one core" : "all cores");
  std::printf("%-34s %12s %12s %-8s %7s\n", "", "native", "FUSE", "", "ratio");
  const double mb = static_cast<double>(mib);
  {
    auto m = mount_store(*store, data / "m1", "");
    const double w_native = seconds_of([&] { write_sequential(native / "seq-native", mib); });
    const double w_fuse = seconds_of([&] { write_sequential(m->path() / "seq-fuse", mib); });
    row("sequential write 1 MiB", mb / w_native, mb / w_fuse, "MiB/s");
    read_sequential(native / "seq-native");  // both files hot in the host's page cache
    read_sequential(native / "seq-fuse");
    const double r_native = seconds_of([&] { read_sequential(native / "seq-native"); });
    const double r_fuse = seconds_of([&] { read_sequential(m->path() / "seq-native"); });
    row("sequential read 1 MiB (first open)", mb / r_native, mb / r_fuse, "MiB/s");
    const double r_again = seconds_of([&] { read_sequential(m->path() / "seq-native"); });
    row("sequential read 1 MiB (reopen)", mb / r_native, mb / r_again, "MiB/s");
  }
  {
    auto m = mount_store(*store, data / "m2", "");  // pages of this mount are cold, the host's hot
    const double count = 20000;
    const double n = seconds_of([&] { read_random(native / "seq-fuse", mib, 20000); });
    const double f = seconds_of([&] { read_random(m->path() / "seq-fuse", mib, 20000); });
    row("random read 4 KiB (first open)", count / n, count / f, "reads/s");
  }
  {
    auto m = mount_store(*store, data / "m3", "");
    auto noac = mount_store(*store, data / "m4", "noac");
    const double c_native = seconds_of([&] { create_files(native / "native-files", files); });
    const double c_fuse = seconds_of([&] { create_files(m->path() / "fuse-files", files); });
    row("creates", static_cast<double>(files) / c_native, static_cast<double>(files) / c_fuse, "files/s");
    const std::size_t rounds = 10;
    const double stats = static_cast<double>(files * rounds);
    const double s_native = seconds_of([&] { stat_files(native / "fuse-files", files, rounds); });
    const double s_fuse = seconds_of([&] { stat_files(m->path() / "fuse-files", files, rounds); });
    row("stats (default attribute cache)", stats / s_native, stats / s_fuse, "stats/s");
    const double s_noac = seconds_of([&] { stat_files(noac->path() / "fuse-files", files, rounds); });
    row("stats (noac: each one to FUSE)", stats / s_native, stats / s_noac, "stats/s");
  }
  (void)emu::fakes::cleanup_stale_mounts(data);
  std::error_code ec;
  std::filesystem::remove_all(data, ec);
  return 0;
}
