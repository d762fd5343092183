#pragma once
// BatchAiClient: the ARM calls `az batchai` makes, over a RestClient: api-version on every request,
// CloudErrors turned into core::Errors, long-running operations polled to the end (as az did, via
// Azure-AsyncOperation), lists followed through nextLink.
//   BatchAiClient arm(rest, "00000000-0000-0000-0000-000000000000");
//   auto cluster = arm.put_lro(arm.group_path("rg") + "/workspaces/ws/clusters/c", body, true);

#include <chrono>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "emulator/cli/rest_client.hpp"
#include "emulator/core/result.hpp"

namespace emu::cli {

class BatchAiClient {
 public:
  static constexpr std::string_view kApiVersion = "2018-05-01";

  BatchAiClient(RestClient& rest, std::string subscription)
      : rest_(rest), subscription_(std::move(subscription)) {}

  // /subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.BatchAI
  std::string group_path(std::string_view group) const;
  // /subscriptions/{sub}/providers/Microsoft.BatchAI
  std::string subscription_path() const;
  const std::string& subscription() const { return subscription_; }

  core::Result<boost::json::value> get(std::string_view path);
  // Every item of a list, following nextLink.
  core::Result<boost::json::array> list(std::string_view path);
  // A synchronous PUT or PATCH (workspace, experiment, cluster update): the resource from the body.
  core::Result<boost::json::value> send_sync(std::string_view method, std::string_view path,
                                             const boost::json::value& body);
  // PUT of a cluster, file server or job: waits for the operation (unless !wait) and returns the resource.
  core::Result<boost::json::value> put_lro(std::string_view path, const boost::json::value& body, bool wait);
  // DELETE, or a POST action such as terminate: waits for the operation unless !wait.
  core::Result<void> action_lro(std::string_view method, std::string_view path, bool wait);
  // A POST action with a JSON answer (listOutputFiles, listRemoteLoginInformation); `query` has no '?'.
  core::Result<boost::json::value> post(std::string_view path, std::string_view query = {});
  // A request outside ARM (admin API, download links): status and body as they are.
  core::Result<RestResponse> raw(std::string_view method, std::string_view target, std::string_view body = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {});

  // How long to sleep between polls of an operation when the server does not say (Retry-After).
  void set_poll_interval(std::chrono::milliseconds interval) { poll_interval_ = interval; }

 private:
  std::string with_version(std::string_view path, std::string_view query = {}) const;
  core::Result<void> wait_operation(const RestResponse& accepted);

  RestClient& rest_;
  std::string subscription_;
  std::chrono::milliseconds poll_interval_{1000};
};

// The core::Error for a non-2xx answer: the CloudError's code and message when the body has one.
core::Error error_from_response(const RestResponse& response);

}  // namespace emu::cli
