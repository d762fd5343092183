#include "emulator/dashboard/dashboard_assets.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "emulator/dashboard/embedded_asset.hpp"

namespace emu::dashboard {
namespace {

constexpr std::string_view kPrefix = "/dashboard";
constexpr std::string_view kIndex = "index.html";
// The page loads only its own files and talks only to its own origin; data: is the empty favicon.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

std::string_view content_type_of(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
  }};
  for (const auto& [suffix, type] : kTypes) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return type;
  }
  return "application/octet-stream";
}

// FNV-1a: the ETag only has to change when the bytes do, and must not differ between runs.
std::string etag_of(std::string_view data) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0xf];
  tag += '"';
  return tag;
}

api::HttpResponse error_response(int status, std::string_view code, std::string message) {
  api::HttpResponse response;
  response.status = status;
  boost::json::value body{{"error", {{"code", code}, {"message", std::move(message)}}}};
  response.body = boost::json::serialize(body);
  response.set_header("Content-Type", "application/json; charset=utf-8");
  response.set_header("Cache-Control", "no-store");
  return response;
}

}  // namespace

DashboardAssets::DashboardAssets() {
  for (const auto& asset : embedded_assets()) {
    files_.push_back(
        File{std::string(asset.name), content_type_of(asset.name), asset.data, etag_of(asset.data)});
  }
}

std::vector<std::string> DashboardAssets::file_names() const {
  std::vector<std::string> names;
  for (const auto& file : files_) names.push_back(file.name);
  return names;
}

const DashboardAssets::File* DashboardAssets::find(std::string_view name) const {
  for (const auto& file : files_) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

std::optional<api::HttpResponse> DashboardAssets::serve(const api::HttpRequest& request) const {
  std::string_view path = request.target;
  // A plain loop: find_first_of("?#") costs a memchr per character, on every request that reaches here.
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '?' || path[i] == '#') {
      path = path.substr(0, i);
      break;
    }
  }
  const bool read = request.method == "GET" || request.method == "HEAD";

  if (path == "/") {
    // Only reads of the root are ours; anything else at "/" is the router's to refuse.
    if (!read) return std::nullopt;
    if (const File* index = find(kIndex)) return respond(request, *index);
    return std::nullopt;
  }
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;  // e.g. /dashboards: not ours
  if (!read) {
    auto response = error_response(405, "MethodNotAllowed",
                                   "The dashboard's files answer GET and HEAD only, not " + request.method);
    response.set_header("Allow", "GET, HEAD");
    return response;
  }
  if (rest.empty() || rest == "/")
    rest = kIndex;
  else
    rest.remove_prefix(1);
  if (const File* file = find(rest)) return respond(request, *file);
  return error_response(
      404, "NotFound",
      "The dashboard has no file named '" + std::string(rest) + "'; the page is at /dashboard/");
}

api::HttpResponse DashboardAssets::respond(const api::HttpRequest& request, const File& file) const {
  api::HttpResponse response;
  response.set_header("ETag", file.etag);
  // no-cache: the browser keeps the file but asks each time, so a new build's page is never stale.
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Content-Type-Options", "nosniff");
  if (file.name == kIndex)
    response.set_header("Content-Security-Policy", std::string(kContentSecurityPolicy));
  if (request.header("If-None-Match") == file.etag) {
    response.status = 304;
    return response;
  }
  response.set_header("Content-Type", std::string(file.content_type));
  response.body = std::string(file.data);
  return response;
}

}  // namespace emu::dashboard
