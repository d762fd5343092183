#pragma once
// ArmApi: the 29 operations of Microsoft.BatchAI 2018-05-01 as ARM serves them. Matches the path
// (segments compared case-insensitively), checks api-version, parses bodies with the model's codecs,
// calls the engine and renders the answer with the live service's wire conventions: synchronous
// 200s, 202s with Azure-AsyncOperation/Location for long-running operations, nextLink paging.
//   ArmApi arm(engine);  if (auto res = arm.handle(request, target)) return *res;  // nullopt: not ARM

#include <optional>

#include "emulator/api/file_links.hpp"
#include "emulator/api/http_message.hpp"
#include "emulator/api/request_target.hpp"
#include "emulator/engine/engine.hpp"

namespace emu::api {

inline constexpr std::string_view kApiVersion = "2018-05-01";

class ArmApi {
 public:
  ArmApi(engine::Engine& engine, const FileLinks& links) : engine_(engine), links_(links) {}

  // The response, or nullopt when the path is not one of the ARM routes.
  std::optional<HttpResponse> handle(const HttpRequest& request, const RequestTarget& target);

 private:
  HttpResponse list_output_files(const HttpRequest& request, const RequestTarget& target,
                                 const engine::JobRecord& job, std::string_view directory_id);

  engine::Engine& engine_;
  const FileLinks& links_;
};

}  // namespace emu::api
