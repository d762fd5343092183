#include "emulator/api/http_message.hpp"

namespace emu::api {

bool iequals(std::string_view a, std::string_view b) {
  // ASCII only, without the locale: header names and ARM path segments are ASCII, and the router
  // calls this for every segment of every request.
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + ('a' - 'A'));
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + ('a' - 'A'));
    if (x != y) return false;
  }
  return true;
}

namespace {
std::string_view find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}
}  // namespace

std::string_view HttpRequest::header(std::string_view name) const { return find_header(headers, name); }

std::string_view HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

void HttpResponse::set_header(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (iequals(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace emu::api
