#pragma once
// RecordingHandler: a RequestHandler that passes every request on to another one and writes it, with
// the virtual time it arrived at and the status it got, as one JSON line to a file. `replay FILE` of
// such a recording sends the same requests at the same times and so reproduces the same state
// transitions (the sim backend's events follow from the requests, the seed and the settings).
//   RecordingHandler recorder(router, executor, "session.rec.jsonl", {.seed = 1, .profile = "fast"});
//   server.set_handler(recorder);

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "emulator/api/request_handler.hpp"
#include "emulator/core/executor.hpp"
#include "emulator/core/result.hpp"

namespace emu::harness {

// What a replay must know besides the requests: written as the recording's first line.
struct RecordingHeader {
  std::uint64_t seed = 1;
  std::string profile = "fast";
  core::Time epoch = core::kDefaultEpoch;
};

class RecordingHandler final : public api::RequestHandler {
 public:
  // Opens (truncates) `file`; check ok() before serving.
  RecordingHandler(api::RequestHandler& inner, const core::Executor& executor, const std::filesystem::path& file,
                   RecordingHeader header);

  core::Result<void> ok() const;
  api::HttpResponse handle(const api::HttpRequest& request) override;
  std::uint64_t requests_recorded() const { return recorded_; }

 private:
  api::RequestHandler& inner_;
  const core::Executor& executor_;
  std::filesystem::path file_;
  std::ofstream out_;
  std::uint64_t recorded_ = 0;
};

}  // namespace emu::harness
