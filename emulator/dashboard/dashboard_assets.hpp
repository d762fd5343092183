#pragma once
// DashboardAssets: answers GET / and GET /dashboard/... with the live dashboard's embedded files
// (content type, ETag, Cache-Control), and nothing else; other paths are left to the router.
//   DashboardAssets assets;
//   if (auto response = assets.serve(request)) return *response;  // else: the ARM/admin router

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/api/http_message.hpp"

namespace emu::dashboard {

class DashboardAssets {
 public:
  DashboardAssets();

  // The response for `/`, `/dashboard`, `/dashboard/` (the page) and `/dashboard/<file>`; 404 for an
  // unknown file under /dashboard/, 405 for methods other than GET and HEAD there; nullopt for any
  // other path (and for non-GET requests to `/`, which belong to the router).
  std::optional<api::HttpResponse> serve(const api::HttpRequest& request) const;

  // Names of the files served under /dashboard/, for tests and docs.
  std::vector<std::string> file_names() const;

 private:
  struct File {
    std::string name;
    std::string_view content_type;
    std::string_view data;
    std::string etag;  // quoted, from a hash of the bytes: stable across runs of the same build
  };

  const File* find(std::string_view name) const;
  api::HttpResponse respond(const api::HttpRequest& request, const File& file) const;

  std::vector<File> files_;
};

}  // namespace emu::dashboard
