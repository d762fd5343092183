// listOutputFiles over a real directory: listing, paging, download links that expire or are forged,
// and paths that try to leave the output directory.

#include "emulator/api/output_files.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include <boost/json.hpp>

#include "emulator/api/file_links.hpp"
#include "emulator/api/router.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "harness/simulated_control.hpp"

namespace emu::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("output-files-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative) << text;
  }

 private:
  fs::path path_;
};

TEST(OutputFilesTest, ListsFilesAndFoldersInNameOrderAndPages) {
  TempDir dir;
  dir.write("out/stdout.txt", "hello");
  dir.write("out/stderr.txt", "");
  dir.write("out/logs/a.txt", "a");
  auto page = list_output_files(dir.path() / "out", ".", "", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->files.size(), 2u);
  EXPECT_EQ(page->files[0].name, "logs");
  EXPECT_TRUE(page->files[0].is_directory);
  EXPECT_EQ(page->files[1].name, "stderr.txt");
  ASSERT_TRUE(page->continue_after.has_value());
  auto rest = list_output_files(dir.path() / "out", ".", *page->continue_after, 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->files.size(), 1u);
  EXPECT_EQ(rest->files[0].name, "stdout.txt");
  EXPECT_EQ(rest->files[0].size, 5u);
  auto inner = list_output_files(dir.path() / "out", "logs", "", 10);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->files.at(0).name, "logs/a.txt");
}

TEST(OutputFilesTest, NeverLeavesTheOutputDirectory) {
  TempDir dir;
  dir.write("out/ok.txt", "ok");
  dir.write("secret/key.txt", "secret");
  fs::create_symlink(dir.path() / "secret", dir.path() / "out" / "escape");
  fs::create_symlink(dir.path() / "secret" / "key.txt", dir.path() / "out" / "key-link.txt");
  EXPECT_FALSE(list_output_files(dir.path() / "out", "..", "", 10).ok());
  EXPECT_FALSE(list_output_files(dir.path() / "out", "../secret", "", 10).ok());
  EXPECT_FALSE(list_output_files(dir.path() / "out", "/etc", "", 10).ok());
  EXPECT_FALSE(list_output_files(dir.path() / "out", "escape", "", 10).ok());
  auto page = list_output_files(dir.path() / "out", ".", "", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->files.size(), 1u) << "links out of the directory are not listed";
  EXPECT_EQ(page->files[0].name, "ok.txt");
}

TEST(FileLinksTest, LinksVerifyUntilTheyExpireAndForgeriesFail) {
  FileLinks links;
  const core::Time now = core::kDefaultEpoch;
  const std::string token =
      links.sign({.root = "/data/out", .file = "/data/out/new\nline.txt"}, now + std::chrono::minutes(5));
  auto ok = links.verify(token, now + std::chrono::minutes(4));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->root.string(), "/data/out");
  EXPECT_EQ(ok->file.string(), "/data/out/new\nline.txt") << "a newline in a file name survives the link";
  auto expired = links.verify(token, now + std::chrono::minutes(6));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().kind, core::ErrorKind::kForbidden);
  std::string forged = token;
  forged[3] = forged[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(links.verify(forged, now).ok());
  EXPECT_FALSE(FileLinks().verify(token, now).ok()) << "another emulator's key";
  EXPECT_FALSE(links.verify("garbage", now).ok());
}

TEST(ReadOutputFileTest, ServesAFileInsideTheDirectory) {
  TempDir dir;
  dir.write("out/logs/a.txt", "inside\n");
  auto content = read_output_file(dir.path() / "out", dir.path() / "out/logs/a.txt", 1 << 20, true);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content->bytes, "inside\n");
  EXPECT_EQ(content->name, "a.txt");
  auto head = read_output_file(dir.path() / "out", dir.path() / "out/logs/a.txt", 1 << 20, false);
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(head->bytes.empty());
}

TEST(ReadOutputFileTest, AFileSwappedForALinkOutOfTheDirectoryIsRefused) {
  TempDir dir;
  dir.write("secret.txt", "secret\n");
  dir.write("out/a.txt", "listed\n");
  fs::remove(dir.path() / "out/a.txt");
  fs::create_symlink(dir.path() / "secret.txt", dir.path() / "out/a.txt");
  auto content = read_output_file(dir.path() / "out", dir.path() / "out/a.txt", 1 << 20, true);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().kind, core::ErrorKind::kForbidden);
  EXPECT_EQ(content.error().code, "FileOutsideOutputDirectory");
}

TEST(ReadOutputFileTest, AFolderOnThePathSwappedForALinkIsRefused) {
  TempDir dir;
  dir.write("elsewhere/a.txt", "secret\n");
  dir.write("out/logs/a.txt", "listed\n");
  fs::remove_all(dir.path() / "out/logs");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "out/logs");
  auto content = read_output_file(dir.path() / "out", dir.path() / "out/logs/a.txt", 1 << 20, true);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, "FileOutsideOutputDirectory");
}

TEST(ReadOutputFileTest, AFifoOrAMissingFileIsNotFoundAndNeverBlocks) {
  TempDir dir;
  fs::create_directories(dir.path() / "out");
  ASSERT_EQ(::mkfifo((dir.path() / "out/pipe").c_str(), 0600), 0);
  auto fifo = read_output_file(dir.path() / "out", dir.path() / "out/pipe", 1 << 20, true);
  ASSERT_FALSE(fifo.ok());
  EXPECT_EQ(fifo.error().kind, core::ErrorKind::kNotFound);
  auto missing = read_output_file(dir.path() / "out", dir.path() / "out/gone.txt", 1 << 20, true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "FileNotFound");
}

TEST(ReadOutputFileTest, AFileOverTheLimitIs413) {
  TempDir dir;
  dir.write("out/big.bin", std::string(2048, 'x'));
  auto content = read_output_file(dir.path() / "out", dir.path() / "out/big.bin", 1024, true);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().kind, core::ErrorKind::kPayloadTooLarge);
}

// A backend that keeps every job's files in one folder and never finishes a job.
class FolderBackend final : public engine::NodeBackend {
 public:
  explicit FolderBackend(core::Executor& ex, fs::path root) : ex_(ex), root_(std::move(root)) {}
  std::string name() const override { return "folder"; }
  void set_events(engine::NodeEvents* events) override { events_ = events; }
  void start_node(const engine::NodeRecord& node, const engine::ClusterRecord&,
                  const engine::VmSize&) override {
    ex_.post([this, id = node.id] {
      if (events_) events_->node_ready(id);
    });
  }
  void stop_node(const engine::NodeRecord&) override {}
  void start_job(const engine::JobLaunch&) override {}
  void stop_job(const std::string&) override {}
  std::optional<fs::path> job_output_directory(const engine::JobRecord&, std::string_view id) const override {
    return root_ / std::string(id);
  }

 private:
  core::Executor& ex_;
  fs::path root_;
  engine::NodeEvents* events_ = nullptr;
};

TEST(ListOutputFilesTest, ListsTheJobsFilesWithDownloadLinksThatWorkThenExpire) {
  TempDir dir;
  dir.write("stdouterr/stdout.txt", "hello from the job\n");
  core::SimulatedExecutor ex;
  store::MemoryDocumentStore store;
  engine::EngineSettings settings;
  FolderBackend backend(ex, dir.path());
  core::Journal journal;
  engine::Engine engine(ex, store, backend, journal, engine::VmSizeCatalog::builtin(), settings, 1);
  harness::SimulatedControl control(ex, "folder");
  Router router(engine, control);
  auto call = [&](std::string method, std::string target, std::string body = {}) {
    HttpRequest req{.method = std::move(method),
                    .target = std::move(target),
                    .headers = {{"Host", "h:1"}},
                    .body = std::move(body),
                    .scheme = "http",
                    .remote = {}};
    auto res = router.handle(req);
    ex.run_until(ex.now());
    return res;
  };
  const std::string ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/w";
  const std::string v = "?api-version=2018-05-01";
  ASSERT_EQ(call("PUT", ws + v, R"({"location":"eastus"})").status, 200);
  ASSERT_EQ(call("PUT", ws + "/clusters/c" + v,
                 R"({"properties":{"vmSize":"STANDARD_D1","userAccountSettings":{"adminUserName":"u"}}})")
                .status,
            202);
  ASSERT_EQ(call("PUT", ws + "/experiments/e" + v).status, 200);
  ASSERT_EQ(call("PUT", ws + "/experiments/e/jobs/j" + v,
                 R"({"properties":{"cluster":{"id":")" + ws +
                     R"(/clusters/c"},"nodeCount":1,"stdOutErrPathPrefix":"/x"}})")
                .status,
            202);
  auto list = call("POST", ws + "/experiments/e/jobs/j/listOutputFiles" + v +
                               "&outputdirectoryid=stdouterr&linkexpiryinminutes=5");
  ASSERT_EQ(list.status, 200) << list.body;
  auto item = json::parse(list.body).at("value").at(0);
  EXPECT_EQ(item.at("name"), "stdout.txt");
  EXPECT_EQ(item.at("properties").at("contentLength"), 19);
  const std::string url(item.at("downloadUrl").as_string());
  ASSERT_EQ(url.rfind("http://h:1/emulator/v1/files/", 0), 0u) << url;
  auto download = call("GET", url.substr(std::string("http://h:1").size()));
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, "hello from the job\n");
  ex.run_until(ex.now() + std::chrono::minutes(6));
  EXPECT_EQ(call("GET", url.substr(std::string("http://h:1").size())).status, 403);
  EXPECT_EQ(call("POST", ws + "/experiments/e/jobs/j/listOutputFiles" + v + "&outputdirectoryid=nope").status,
            400);
  EXPECT_EQ(call("POST", ws + "/experiments/e/jobs/j/listOutputFiles" + v +
                             "&outputdirectoryid=stdouterr&directory=../..")
                .status,
            400);
}

}  // namespace
}  // namespace emu::api
