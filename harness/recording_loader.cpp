#include "harness/recording_loader.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>

#include "emulator/engine/engine_settings.hpp"

namespace emu::harness {

namespace json = boost::json;

bool is_recording(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string first;
  if (!in || !std::getline(in, first)) return false;
  return first.starts_with("{") && first.find("\"recording\":\"batchai-emulator\"") != std::string::npos;
}

core::Result<Scenario> load_recording(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return core::Error::bad_request("InvalidRecording", fmt::format("cannot read the recording {}", file.string()));
  }
  auto bad = [&](std::size_t line, const std::string& what) {
    return core::Error::bad_request("InvalidRecording", fmt::format("{}:{}: {}", file.string(), line, what));
  };
  Scenario scenario;
  scenario.source = file.string();
  scenario.name = file.stem().string();
  scenario.create_workspace = false;
  std::string text;
  std::size_t line_no = 0;
  try {
    while (std::getline(in, text)) {
      ++line_no;
      if (text.empty()) continue;
      boost::system::error_code ec;
      const json::value v = json::parse(text, ec);
      if (ec || !v.is_object()) return bad(line_no, "not a JSON object");
      const json::object& o = v.as_object();
      if (line_no == 1) {
        if (!o.contains("recording")) return bad(1, "no recording header (is this a RecordingHandler file?)");
        scenario.seed = json::value_to<std::uint64_t>(o.at("seed"));
        auto settings = engine::EngineSettings::profile_named(json::value_to<std::string>(o.at("profile")));
        if (!settings) return bad(1, "unknown profile");
        scenario.settings = *settings;
        scenario.epoch = core::Time(core::Duration(json::value_to<std::int64_t>(o.at("epoch_ns"))));
        continue;
      }
      Step step;
      step.kind = Step::Kind::kRequest;
      step.origin = fmt::format("{}:{}", file.string(), line_no);
      step.at = core::Duration(json::value_to<std::int64_t>(o.at("time_ns"))) - scenario.epoch.time_since_epoch();
      step.method = json::value_to<std::string>(o.at("method"));
      step.target = json::value_to<std::string>(o.at("target"));
      step.body = json::value_to<std::string>(o.at("body"));
      step.expect_status = json::value_to<int>(o.at("status"));
      for (const auto& h : o.at("headers").as_array()) {
        step.headers.emplace_back(json::value_to<std::string>(h.as_array().at(0)),
                                  json::value_to<std::string>(h.as_array().at(1)));
      }
      if (step.target.starts_with("/emulator/v1/clock")) continue;
      if (step.at < core::Duration::zero()) return bad(line_no, "time before the recording's epoch");
      scenario.steps.push_back(std::move(step));
    }
  } catch (const std::exception& e) {
    return bad(line_no, fmt::format("missing or malformed field: {}", e.what()));
  }
  if (line_no == 0) return bad(1, "the recording is empty");
  scenario.sort_steps();
  // A recording says nothing about the end; stop where the last request was made.
  scenario.until = scenario.steps.empty() ? core::Duration{} : scenario.steps.back().at;
  return scenario;
}

}  // namespace emu::harness
