#include "emulator/api/response_cache.hpp"

#include <string_view>

namespace emu::api {

namespace {

bool starts_with_ascii_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace

bool ResponseCache::cacheable(const HttpRequest& request) {
  if (request.method != "GET") return false;
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (!starts_with_ascii_ci(path, "/subscriptions/") && !starts_with_ascii_ci(path, "/providers/")) {
    return false;
  }
  // The check below reads the path as sent; a percent-encoded one is simply not cached.
  if (path.find('%') != std::string_view::npos) return false;
  // Signed download URLs expire relative to the clock, which moves without the state changing. The
  // router ignores empty segments, so ".../listoutputfiles/" is that route too.
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return !iequals(path.substr(path.rfind('/') + 1), "listoutputfiles");
}

const std::string& ResponseCache::key_of(const HttpRequest& request) {
  // The three things besides the state that an ARM GET answer depends on: base URLs in bodies
  // (operation ids, nextLink) are built from the scheme and Host.
  key_.assign(request.scheme);
  key_ += '\n';
  key_ += request.header("Host");
  key_ += '\n';
  key_ += request.target;
  return key_;
}

void ResponseCache::drop_all(std::uint64_t revision) {
  entries_.clear();
  bytes_ = 0;
  revision_ = revision;
}

const HttpResponse* ResponseCache::find(const HttpRequest& request, std::uint64_t revision) {
  if (revision != revision_) {
    drop_all(revision);
    return nullptr;
  }
  if (entries_.empty()) return nullptr;
  const auto found = entries_.find(key_of(request));
  return found == entries_.end() ? nullptr : &found->second;
}

void ResponseCache::store(const HttpRequest& request, std::uint64_t revision, const HttpResponse& response) {
  if (response.status < 200 || response.status > 299 || response.body.size() > kMaxBodyBytes) return;
  if (revision != revision_) drop_all(revision);
  const std::string& key = key_of(request);
  std::size_t bytes = key.size() + response.body.size();
  for (const auto& [name, value] : response.headers) bytes += name.size() + value.size();
  if (entries_.size() >= kMaxEntries || bytes_ + bytes > kMaxBytes) drop_all(revision);
  if (entries_.try_emplace(key, response).second) bytes_ += bytes;
}

}  // namespace emu::api
