#include "harness/replay_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>

namespace emu::harness {
namespace {

namespace json = boost::json;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;  // (seconds since start, value)
};

constexpr double kWidth = 900, kHeight = 220, kLeft = 60, kRight = 150, kTop = 28, kBottom = 30;

// A step chart: each value holds until the next point.
std::string line_chart(const std::string& title, const std::vector<Series>& series, double x_max, double y_max,
                       const std::string& y_unit) {
  x_max = std::max(x_max, 1e-9);
  y_max = std::max(y_max, 1.0);
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto X = [&](double x) { return kLeft + x / x_max * pw; };
  auto Y = [&](double y) { return kTop + ph - y / y_max * ph; };
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" class="chart">)",
                                kWidth, kHeight);
  svg += fmt::format(R"(<text x="{}" y="18" class="title">{}</text>)", kLeft, html_escape(title));
  svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="frame"/>)", kLeft, kTop, pw, ph);
  for (int i = 0; i <= 4; ++i) {
    const double y = y_max * i / 4;
    svg += fmt::format(R"(<text x="{}" y="{:.1f}" class="axis" text-anchor="end">{:.4g}{}</text>)", kLeft - 4,
                       Y(y) + 4, y, y_unit);
    const double x = x_max * i / 4;
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" class="axis" text-anchor="middle">{:.4g} s</text>)", X(x),
                       kHeight - 10, x);
  }
  int legend = 0;
  for (const auto& s : series) {
    std::string pts;
    double prev = 0;
    bool first = true;
    for (const auto& [x, y] : s.points) {
      if (!first) pts += fmt::format("{:.1f},{:.1f} ", X(x), Y(prev));
      pts += fmt::format("{:.1f},{:.1f} ", X(x), Y(y));
      prev = y;
      first = false;
    }
    if (!s.points.empty()) pts += fmt::format("{:.1f},{:.1f}", X(x_max), Y(prev));
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>)", s.color, pts);
    svg += fmt::format(R"(<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" class="axis">{}</text>)",
                       kWidth - kRight + 10, kTop + legend * 16, s.color, kWidth - kRight + 24, kTop + legend * 16 + 9,
                       html_escape(s.name));
    ++legend;
  }
  return svg + "</svg>";
}

std::string gantt(const std::vector<JobTimeline>& jobs, core::Time start, double x_max, std::size_t max_rows) {
  const std::size_t rows = std::min(jobs.size(), max_rows);
  const double row_h = 14, pw = kWidth - kLeft - kRight;
  const double height = kTop + kBottom + row_h * static_cast<double>(rows);
  x_max = std::max(x_max, 1e-9);
  auto X = [&](core::Time t) { return kLeft + core::to_seconds(t - start) / x_max * pw; };
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" class="chart">)",
                                kWidth, height);
  svg += fmt::format(R"(<text x="{}" y="18" class="title">Jobs: waiting (grey) and running (by final state){}</text>)",
                     kLeft, jobs.size() > rows ? fmt::format(", first {} of {}", rows, jobs.size()) : "");
  const core::Time end = start + core::from_seconds(x_max);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& j = jobs[i];
    const double y = kTop + row_h * static_cast<double>(i);
    const core::Time run_from = j.started.value_or(end);
    const core::Time run_to = j.ended.value_or(end);
    svg += fmt::format(R"(<text x="{}" y="{:.1f}" class="axis" text-anchor="end">{}</text>)", kLeft - 4, y + 10,
                       html_escape(j.name.substr(0, 12)));
    svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="10" fill="#ccc"><title>{} waited</title></rect>)",
                       X(j.submitted), y, std::max(0.5, X(run_from) - X(j.submitted)), html_escape(j.name));
    if (j.started) {
      const char* color = j.state == "succeeded" ? "#2a9d8f" : j.state == "failed" ? "#e63946" : "#457b9d";
      svg += fmt::format(
          R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="10" fill="{}"><title>{}: {} on {} node(s), {:.1f} s</title></rect>)",
          X(run_from), y, std::max(0.5, X(run_to) - X(run_from)), color, html_escape(j.name), j.state, j.nodes,
          core::to_seconds(run_to - run_from));
    }
  }
  return svg + "</svg>";
}

// At most `n` evenly spread samples (always the first and the last), so that big traces stay readable.
std::vector<StatsSample> thin(const std::vector<StatsSample>& all, std::size_t n) {
  if (all.size() <= n) return all;
  std::vector<StatsSample> out;
  const double stride = static_cast<double>(all.size() - 1) / static_cast<double>(n - 1);
  for (std::size_t i = 0; i < n; ++i) out.push_back(all[static_cast<std::size_t>(static_cast<double>(i) * stride)]);
  return out;
}

}  // namespace

std::string format_summary(const Scenario& scenario, const ReplayOutcome& o) {
  const auto& s = o.summary;
  const double sim = core::to_seconds(o.sim_elapsed);
  std::string out;
  out += fmt::format("scenario: {}{}\n", scenario.name, scenario.source.empty() ? "" : " (" + scenario.source + ")");
  out += fmt::format("seed: {}\n", o.seed);
  out += fmt::format("digest: {}\n", o.digest);
  out += fmt::format("jobs: {} (succeeded {}, failed {}, unfinished {}), requeues {}\n", s.jobs, s.succeeded, s.failed,
                     s.unfinished, s.requeues);
  out += fmt::format("makespan: {:.1f} s; GPU utilization: {:.1f}%; peak queue {}; peak nodes {}\n", s.makespan_s,
                     s.gpu_utilization * 100, s.max_queue, s.max_nodes);
  out += fmt::format("wait p50/p90/p99/max: {:.1f} / {:.1f} / {:.1f} / {:.1f} s\n", s.wait_p50_s, s.wait_p90_s,
                     s.wait_p99_s, s.wait_max_s);
  const double wall = std::max(o.wall_seconds, 1e-9);
  out += fmt::format("simulated {:.1f} s in {:.3f} s wall: {} events ({:.0f}/s), {} journal records, {:.0f} jobs/s\n",
                     sim, o.wall_seconds, o.events, static_cast<double>(o.events) / wall, s.journal_records,
                     static_cast<double>(s.jobs) / wall);
  if (o.ok()) {
    out += fmt::format("expectations: {} checked, all held\n", o.expectations_checked);
  } else {
    out += fmt::format("expectations: {} checked, {} FAILED:\n", o.expectations_checked, o.failures.size());
    for (const auto& f : o.failures) out += "  " + f + "\n";
  }
  return out;
}

std::string summary_json(const Scenario& scenario, const ReplayOutcome& o) {
  const auto& s = o.summary;
  json::array failures;
  for (const auto& f : o.failures) failures.emplace_back(f);
  json::object root{
      {"scenario", scenario.name},
      {"source", scenario.source},
      {"seed", o.seed},
      {"digest", o.digest},
      {"ok", o.ok()},
      {"expectationsChecked", o.expectations_checked},
      {"failures", failures},
      {"simulatedSeconds", core::to_seconds(o.sim_elapsed)},
      {"wallSeconds", o.wall_seconds},
      {"events", o.events},
      {"journalRecords", s.journal_records},
      {"jobs", {{"total", s.jobs}, {"succeeded", s.succeeded}, {"failed", s.failed}, {"unfinished", s.unfinished},
                {"requeues", s.requeues}}},
      {"makespanSeconds", s.makespan_s},
      {"gpuUtilization", s.gpu_utilization},
      {"waitSeconds", {{"p50", s.wait_p50_s}, {"p90", s.wait_p90_s}, {"p99", s.wait_p99_s}, {"max", s.wait_max_s}}},
      {"peakQueue", s.max_queue},
      {"peakNodes", s.max_nodes},
  };
  return json::serialize(root) + "\n";
}

std::string report_html(const Replay& replay, const ReplayOutcome& o) {
  const Scenario& sc = replay.scenario();
  const core::Time start = sc.epoch;
  const double x_max = core::to_seconds(o.sim_elapsed);
  const auto samples = thin(replay.stats().samples(), 1500);
  Series prep{"preparing", "#f4a261", {}}, idle{"idle", "#8ab17d", {}}, run{"running", "#2a9d8f", {}},
      leave{"leaving", "#9d4edd", {}}, unus{"unusable", "#e63946", {}}, queue{"queued jobs", "#264653", {}},
      util{"GPU utilization", "#e76f51", {}}, busy{"GPUs busy", "#2a9d8f", {}}, total{"GPUs allocated", "#264653", {}};
  double node_max = 0, queue_max = 0, gpu_max = 0;
  for (const auto& p : samples) {
    const double t = core::to_seconds(p.time - start);
    prep.points.emplace_back(t, p.preparing);
    idle.points.emplace_back(t, p.idle);
    run.points.emplace_back(t, p.running);
    leave.points.emplace_back(t, p.leaving);
    unus.points.emplace_back(t, p.unusable);
    queue.points.emplace_back(t, static_cast<double>(p.queued));
    busy.points.emplace_back(t, static_cast<double>(p.gpus_busy));
    total.points.emplace_back(t, static_cast<double>(p.gpus_total));
    util.points.emplace_back(t, p.gpus_total > 0 ? 100.0 * static_cast<double>(p.gpus_busy) / static_cast<double>(p.gpus_total) : 0);
    node_max = std::max({node_max, double(p.preparing), double(p.idle), double(p.running), double(p.leaving),
                         double(p.unusable)});
    queue_max = std::max(queue_max, static_cast<double>(p.queued));
    gpu_max = std::max(gpu_max, static_cast<double>(p.gpus_total));
  }
  const std::string summary = format_summary(sc, o);
  std::string html = R"(<!DOCTYPE html><html><head><meta charset="utf-8"><title>Replay report: )" +
                     html_escape(sc.name) + R"(</title><style>
body{font-family:sans-serif;margin:20px;color:#222} pre{background:#f6f6f6;padding:10px}
.chart{display:block;margin:12px 0} .title{font-size:14px;font-weight:bold} .axis{font-size:11px;fill:#444}
.frame{fill:none;stroke:#bbb} .ok{color:#2a9d8f} .bad{color:#e63946}
</style></head><body>)";
  html += fmt::format("<h1>Replay report: {}</h1>", html_escape(sc.name));
  if (!sc.description.empty()) html += "<p>" + html_escape(sc.description) + "</p>";
  html += o.ok() ? R"(<p class="ok">Every expectation held.</p>)"
                 : fmt::format(R"(<p class="bad">{} expectation(s) failed.</p>)", o.failures.size());
  html += "<pre>" + html_escape(summary) + "</pre>";
  html += line_chart("Nodes by state", {prep, idle, run, leave, unus}, x_max, node_max, "");
  html += line_chart("Queue length", {queue}, x_max, queue_max, "");
  html += line_chart("GPU utilization (% of allocated GPUs busy)", {util}, x_max, 100, "%");
  html += line_chart("GPUs", {busy, total}, x_max, gpu_max, "");
  html += gantt(replay.stats().jobs(), start, x_max, 300);
  html += "</body></html>\n";
  return html;
}

core::Result<void> write_replay_report(const std::filesystem::path& dir, const Replay& replay,
                                       const ReplayOutcome& outcome) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return core::Error::bad_request("InvalidOutputDirectory",
                                    fmt::format("cannot create {}: {}", dir.string(), ec.message()), "--out");
  }
  auto write = [&](const char* name, auto&& fill) -> core::Result<void> {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    if (!out) {
      return core::Error::bad_request("InvalidOutputDirectory",
                                      fmt::format("cannot write {}", (dir / name).string()), "--out");
    }
    fill(out);
    out.flush();
    if (!out) return core::Error::internal(fmt::format("writing {} failed", (dir / name).string()));
    return {};
  };
  if (auto r = write("journal.jsonl", [&](std::ofstream& out) {
        std::string line;
        for (const auto& record : replay.journal().since(0)) {
          line.clear();
          core::Journal::append_canonical_line(line, record);
          line += '\n';
          out << line;
        }
      });
      !r) {
    return r;
  }
  if (auto r = write("summary.json", [&](std::ofstream& out) { out << summary_json(replay.scenario(), outcome); }); !r) {
    return r;
  }
  return write("report.html", [&](std::ofstream& out) { out << report_html(replay, outcome); });
}

}  // namespace emu::harness
