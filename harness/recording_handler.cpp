#include "harness/recording_handler.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace emu::harness {

namespace json = boost::json;

RecordingHandler::RecordingHandler(api::RequestHandler& inner, const core::Executor& executor,
                                   const std::filesystem::path& file, RecordingHeader header)
    : inner_(inner), executor_(executor), file_(file), out_(file, std::ios::binary | std::ios::trunc) {
  if (!out_) return;
  json::object first{{"recording", "batchai-emulator"},
                     {"version", 1},
                     {"seed", header.seed},
                     {"profile", header.profile},
                     {"epoch", core::format_timestamp(header.epoch)},
                     {"epoch_ns", header.epoch.time_since_epoch().count()}};
  out_ << json::serialize(first) << '\n';
  out_.flush();
}

core::Result<void> RecordingHandler::ok() const {
  if (out_) return {};
  return core::Error::bad_request("InvalidRecordingFile",
                                  fmt::format("cannot write the recording file {}", file_.string()), "--record");
}

api::HttpResponse RecordingHandler::handle(const api::HttpRequest& request) {
  // The time is taken before the request runs: replaying it at that time gives the same state.
  const core::Time at = executor_.now();
  api::HttpResponse response = inner_.handle(request);
  if (out_) {
    json::array headers;
    for (const auto& [name, value] : request.headers) {
      // Credentials never go to disk; Host and Content-Type the replay sets itself.
      if (api::iequals(name, "Authorization") || api::iequals(name, "Host") || api::iequals(name, "Content-Type") ||
          api::iequals(name, "Content-Length")) {
        continue;
      }
      headers.push_back(json::array{json::string(name), json::string(value)});
    }
    json::object line{{"time_ns", at.time_since_epoch().count()},
                      {"time", core::format_timestamp(at)},
                      {"method", request.method},
                      {"target", request.target},
                      {"headers", headers},
                      {"body", request.body},
                      {"status", response.status}};
    out_ << json::serialize(line) << '\n';
    out_.flush();  // a crash of the server keeps everything up to the last answer
    ++recorded_;
  }
  return response;
}

}  // namespace emu::harness
