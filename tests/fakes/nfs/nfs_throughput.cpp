// nfs_throughput: one run comparing a FUSE mount of a store with the same directory without FUSE:
// sequential 1 MiB writes and reads, 8 KiB reads, 4 KiB random reads, creates/s and stats/s. Each workload
// runs twice: with the store on the disk (--dir, what a data dir on disk gives) and with the store on tmpfs
// (--tmpfs-dir, default /dev/shm: the disk taken out, so the figure is the emulator's own cost).
// Pinned to one core (the FUSE threads too) unless --all-cores. Run by hand; not a ctest test.
//   nfs_throughput [--size-mib 256] [--files 5000] [--passes 5] [--all-cores] [--dir D] [--tmpfs-dir D]
//                  [--backing disk,tmpfs] [--only write,read,reopen,small,random,create,stat,noac]
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
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

constexpr long kTmpfsMagic = 0x01021994;

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

void read_sequential(const std::filesystem::path& path, std::size_t block_size = 1 << 20) {
  std::vector<char> block(block_size);
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

// "<prefix><i>", built with snprintf: GCC 12 at -O3 warns falsely on "f" + std::to_string(i).
std::string numbered(const char* prefix, std::size_t i) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s%zu", prefix, i);
  return name;
}

void create_files(const std::filesystem::path& dir, std::size_t count) {
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < count; ++i) {
    const int fd = ::open((dir / numbered("f", i)).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("create");
    ::close(fd);
  }
}

void stat_files(const std::filesystem::path& dir, std::size_t count, std::size_t rounds) {
  struct stat st {};
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < count; ++i) {
      if (::stat((dir / numbered("f", i)).c_str(), &st) != 0) die("stat");
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

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Rates measured in passes, native and FUSE one after the other in each: the machine may be shared,
// and the pairing keeps a busy moment from landing on one side only.
class Passes {
 public:
  static Passes one(double native, double fuse) {
    Passes passes;
    passes.add(native, fuse);
    return passes;
  }
  void add(double native, double fuse) {
    native_.push_back(native);
    fuse_.push_back(fuse);
    ratios_.push_back(fuse / native);
  }
  double native() const { return median(native_); }
  double fuse() const { return median(fuse_); }
  double ratio() const { return median(ratios_); }

 private:
  std::vector<double> native_;
  std::vector<double> fuse_;
  std::vector<double> ratios_;
};

struct Settings {
  std::size_t mib = 256;
  std::size_t files = 5000;
  std::size_t passes = 5;
  bool one_core = true;
  std::filesystem::path disk_dir = std::filesystem::temp_directory_path();
  std::filesystem::path tmpfs_dir = "/dev/shm";
  std::string backings = "disk,tmpfs";
  std::string only = "write,read,reopen,small,random,create,stat,noac";
};

bool listed(const std::string& list, const std::string& item) {
  return ("," + list + ",").find("," + item + ",") != std::string::npos;
}

class Run {
 public:
  Run(const Settings& settings, const char* backing) : settings_(settings), backing_(backing) {}

  void row(const char* name, const Passes& passes, const char* unit) const {
    const std::string label = std::string(name) + " (" + backing_ + ")";
    std::printf("%-44s %12.0f %12.0f %-8s %6.1f%%\n", label.c_str(), passes.native(), passes.fuse(), unit,
                100.0 * passes.ratio());
    std::fflush(stdout);
  }
  bool wanted(const char* workload) const { return listed(settings_.only, workload); }

  // All workloads against one store in `base`. Sequential and random I/O run in passes, native and
  // FUSE side by side, each FUSE pass on a fresh mount (its caches cold, the host's warm); a row gives
  // the medians of the passes and the median of their FUSE/native ratios.
  void all(const std::filesystem::path& base) {
    std::string pattern = (base / "emu-nfs-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp");
    const std::filesystem::path data = pattern;
    auto store = NfsStore::open(emu::fakes::StoreKind::kFileServer, "bench", data / "store", 0);
    if (!store) std::exit(1);
    const auto native = (*store)->root();
    const std::size_t mib = settings_.mib;
    const double mb = static_cast<double>(mib);
    Passes write;
    Passes read;
    Passes reopen;
    for (std::size_t pass = 0; pass < settings_.passes; ++pass) {
      auto m = mount_store(*store, data / numbered("w", pass), "");
      const double w_native = seconds_of([&] { write_sequential(native / "seq-native", mib); });
      const double w_fuse = seconds_of([&] { write_sequential(m->path() / "seq-fuse", mib); });
      write.add(mb / w_native, mb / w_fuse);
    }
    if (wanted("write")) row("sequential write 1 MiB", write, "MiB/s");
    read_sequential(native / "seq-native");  // both files hot in the host's page cache
    read_sequential(native / "seq-fuse");
    for (std::size_t pass = 0; pass < settings_.passes; ++pass) {
      auto m = mount_store(*store, data / numbered("r", pass), "");
      const double r_native = seconds_of([&] { read_sequential(native / "seq-native"); });
      const double r_fuse = seconds_of([&] { read_sequential(m->path() / "seq-native"); });
      const double r_again = seconds_of([&] { read_sequential(m->path() / "seq-native"); });
      read.add(mb / r_native, mb / r_fuse);
      reopen.add(mb / r_native, mb / r_again);
    }
    if (wanted("read")) row("sequential read 1 MiB (first open)", read, "MiB/s");
    if (wanted("reopen")) row("sequential read 1 MiB (reopen)", reopen, "MiB/s");
    if (wanted("small")) {
      // What C stdio, Java and Rust buffered readers ask for: each read is a round trip to FUSE when the
      // mount bypasses its page cache.
      constexpr std::size_t kSmall = 8 << 10;
      Passes small;
      for (std::size_t pass = 0; pass < settings_.passes; ++pass) {
        auto m = mount_store(*store, data / numbered("s", pass), "");
        const double n = seconds_of([&] { read_sequential(native / "seq-native", kSmall); });
        const double f = seconds_of([&] { read_sequential(m->path() / "seq-native", kSmall); });
        small.add(mb / n, mb / f);
      }
      row("sequential read 8 KiB (first open)", small, "MiB/s");
    }
    if (wanted("random")) {
      const std::size_t count = 20000;
      Passes random;
      for (std::size_t pass = 0; pass < settings_.passes; ++pass) {
        auto m = mount_store(*store, data / numbered("x", pass), "");
        const double n = seconds_of([&] { read_random(native / "seq-fuse", mib, count); });
        const double f = seconds_of([&] { read_random(m->path() / "seq-fuse", mib, count); });
        random.add(static_cast<double>(count) / n, static_cast<double>(count) / f);
      }
      row("random read 4 KiB (first open)", random, "reads/s");
    }
    if (wanted("create") || wanted("stat") || wanted("noac")) {
      const std::size_t files = settings_.files;
      auto m = mount_store(*store, data / "m3", "");
      auto noac = mount_store(*store, data / "m4", "noac");
      const double c_native = seconds_of([&] { create_files(native / "native-files", files); });
      const double c_fuse = seconds_of([&] { create_files(m->path() / "fuse-files", files); });
      if (wanted("create")) {
        row("creates",
            Passes::one(static_cast<double>(files) / c_native, static_cast<double>(files) / c_fuse),
            "files/s");
      }
      const std::size_t rounds = 10;
      const double stats = static_cast<double>(files * rounds);
      const double s_native = seconds_of([&] { stat_files(native / "fuse-files", files, rounds); });
      if (wanted("stat")) {
        const double s_fuse = seconds_of([&] { stat_files(m->path() / "fuse-files", files, rounds); });
        row("stats (default attribute cache)", Passes::one(stats / s_native, stats / s_fuse), "stats/s");
      }
      if (wanted("noac")) {
        const double s_noac = seconds_of([&] { stat_files(noac->path() / "fuse-files", files, rounds); });
        row("stats (noac: each one to FUSE)", Passes::one(stats / s_native, stats / s_noac), "stats/s");
      }
    }
    (void)emu::fakes::cleanup_stale_mounts(data);
    std::error_code ec;
    std::filesystem::remove_all(data, ec);
  }

 private:
  const Settings& settings_;
  const char* backing_;
};

bool is_tmpfs(const std::filesystem::path& dir) {
  struct statfs st {};
  return ::statfs(dir.c_str(), &st) == 0 && st.f_type == kTmpfsMagic;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--size-mib" && has_value) {
      settings.mib = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--files" && has_value) {
      settings.files = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--passes" && has_value) {
      settings.passes = std::max<std::size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--all-cores") {
      settings.one_core = false;
    } else if (arg == "--dir" && has_value) {
      settings.disk_dir = argv[++i];
    } else if (arg == "--tmpfs-dir" && has_value) {
      settings.tmpfs_dir = argv[++i];
    } else if (arg == "--backing" && has_value) {
      settings.backings = argv[++i];
    } else if (arg == "--only" && has_value) {
      settings.only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: nfs_throughput [--size-mib N] [--files N] [--passes N] [--all-cores] [--dir D] "
                   "[--tmpfs-dir D]\n"
                   "                      [--backing disk,tmpfs] [--only "
                   "write,read,reopen,small,random,create,stat,noac]\n");
      return 2;
    }
  }
  if (settings.one_core) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(static_cast<int>(sched_getcpu()), &cpus);
    if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0) die("sched_setaffinity");
  }
  std::printf("%zu MiB file, %zu files, %zu passes, %s\n", settings.mib, settings.files, settings.passes,
              settings.one_core ? "one core" : "all cores");
  std::printf("%-44s %12s %12s %-8s %7s\n", "", "native", "FUSE", "", "ratio");
  if (listed(settings.backings, "disk")) Run(settings, "disk").all(settings.disk_dir);
  if (listed(settings.backings, "tmpfs")) {
    if (is_tmpfs(settings.tmpfs_dir)) {
      Run(settings, "tmpfs").all(settings.tmpfs_dir);
    } else {
      std::printf("tmpfs: skipped, %s is not a tmpfs\n", settings.tmpfs_dir.c_str());
    }
  }
  return 0;
}
