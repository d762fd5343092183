#include "emulator/api/arm_api.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "emulator/api/cloud_error.hpp"
#include "emulator/api/operation_catalog.hpp"
#include "emulator/api/output_files.hpp"
#include "emulator/api/resource_view.hpp"
#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "emulator/model/resource_name.hpp"
#include "emulator/model/workspace_codec.hpp"

namespace emu::api {

namespace json = boost::json;
using core::Error;
using engine::ResourcePath;

namespace {

// ---------------------------------------------------------------------------------------------------------------------
// Routes: "*" matches one segment. Literals compare case-insensitively.

enum class Route {
  kOperations,
  kUsages,
  kOperationResult,
  kOperationStatus,
  kSubscriptionWorkspaces,
  kGroupWorkspaces,
  kWorkspace,
  kExperiments,
  kExperiment,
  kJobs,
  kJob,
  kJobOutputFiles,
  kJobRemoteLogin,
  kJobTerminate,
  kFileServers,
  kFileServer,
  kClusters,
  kCluster,
  kClusterRemoteLogin,
};

struct RouteSpec {
  Route route;
  std::string_view pattern;
  std::string_view methods;  // space-separated
};

constexpr std::array kRoutes = {
    RouteSpec{Route::kOperations, "providers/microsoft.batchai/operations", "GET"},
    RouteSpec{Route::kUsages, "subscriptions/*/providers/microsoft.batchai/locations/*/usages", "GET"},
    RouteSpec{Route::kOperationResult,
              "subscriptions/*/providers/microsoft.batchai/locations/*/operationresults/*", "GET"},
    RouteSpec{Route::kOperationStatus,
              "subscriptions/*/providers/microsoft.batchai/locations/*/operationstatuses/*", "GET"},
    RouteSpec{Route::kSubscriptionWorkspaces, "subscriptions/*/providers/microsoft.batchai/workspaces",
              "GET"},
    RouteSpec{Route::kGroupWorkspaces,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces", "GET"},
    RouteSpec{Route::kWorkspace, "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*",
              "GET PUT PATCH DELETE"},
    RouteSpec{Route::kExperiments,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments", "GET"},
    RouteSpec{Route::kExperiment,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*",
              "GET PUT DELETE"},
    RouteSpec{Route::kJobs,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*/jobs",
              "GET"},
    RouteSpec{
        Route::kJob,
        "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*/jobs/*",
        "GET PUT DELETE"},
    RouteSpec{
        Route::kJobOutputFiles,
        "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*/jobs/*/"
        "listoutputfiles",
        "POST GET"},
    RouteSpec{
        Route::kJobRemoteLogin,
        "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*/jobs/*/"
        "listremotelogininformation",
        "POST GET"},
    RouteSpec{Route::kJobTerminate,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/experiments/*/jobs/"
              "*/terminate",
              "POST"},
    RouteSpec{Route::kFileServers,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/fileservers", "GET"},
    RouteSpec{Route::kFileServer,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/fileservers/*",
              "GET PUT DELETE"},
    RouteSpec{Route::kClusters,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/clusters", "GET"},
    RouteSpec{Route::kCluster,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/clusters/*",
              "GET PUT PATCH DELETE"},
    RouteSpec{Route::kClusterRemoteLogin,
              "subscriptions/*/resourcegroups/*/providers/microsoft.batchai/workspaces/*/clusters/*/"
              "listremotelogininformation",
              "POST GET"},
};

struct Match {
  const RouteSpec* spec = nullptr;
  std::vector<std::string_view> args;  // the "*" segments, in order
};

std::optional<Match> match_route(const std::vector<std::string>& segments) {
  for (const auto& spec : kRoutes) {
    Match m{&spec, {}};
    std::size_t i = 0;
    std::string_view rest = spec.pattern;
    bool ok = true;
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const std::string_view literal = rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
      if (i >= segments.size()) {
        ok = false;
        break;
      }
      if (literal == "*") {
        m.args.push_back(segments[i]);
      } else if (!iequals(literal, segments[i])) {
        ok = false;
        break;
      }
      ++i;
    }
    if (ok && i == segments.size()) return m;
  }
  return std::nullopt;
}

bool method_allowed(std::string_view methods, std::string_view method) {
  while (!methods.empty()) {
    const auto space = methods.find(' ');
    if (methods.substr(0, space) == method) return true;
    if (space == std::string_view::npos) break;
    methods.remove_prefix(space + 1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------------
// Responses

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse res;
  res.status = status;
  res.set_header("Content-Type", "application/json; charset=utf-8");
  res.body = json::serialize(body);
  return res;
}

std::string base_url(const HttpRequest& req) {
  std::string_view host = req.header("Host");
  if (host.empty()) host = "localhost";
  return req.scheme + "://" + std::string(host);
}

HttpResponse accepted(const engine::OperationRecord& op, const HttpRequest& req, int retry_after_seconds) {
  HttpResponse res;
  res.status = 202;
  const std::string prefix = base_url(req) + "/subscriptions/" + op.target.subscription +
                             "/providers/Microsoft.BatchAI/locations/" + op.location;
  const std::string query = fmt::format("?api-version={}", kApiVersion);
  res.set_header("Azure-AsyncOperation", prefix + "/operationresults/" + op.id + query);
  res.set_header("Location", prefix + "/operationstatuses/" + op.id + query);
  if (retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(retry_after_seconds));
  return res;
}

struct Paging {
  std::size_t limit = 1000;
  std::string after;
};

core::Result<Paging> paging_of(const RequestTarget& target, int default_limit) {
  Paging paging;
  paging.limit = static_cast<std::size_t>(default_limit);
  if (auto mr = target.query("maxresults")) {
    int value = 0;
    auto [end, ec] = std::from_chars(mr->data(), mr->data() + mr->size(), value);
    if (ec != std::errc{} || end != mr->data() + mr->size() || value < 1 || value > 1000) {
      return Error::bad_request("InvalidQueryParameterValue",
                                fmt::format("maxresults must be an integer from 1 to 1000; got '{}'", *mr),
                                "maxresults");
    }
    paging.limit = static_cast<std::size_t>(value);
  }
  if (auto token = target.query("$skiptoken")) paging.after = std::string(*token);
  return paging;
}

// The URL of the next page: this request's URL with every query parameter but the old skiptoken.
std::string next_link(const HttpRequest& req, const RequestTarget& target,
                      const std::string& continue_after) {
  std::string link = base_url(req) + target.path + "?";
  for (const auto& [key, value] : target.params) {
    if (iequals(key, "$skiptoken")) continue;
    link += encode_query_value(key) + "=" + encode_query_value(value) + "&";
  }
  return link + "$skiptoken=" + encode_query_value(continue_after);
}

// {"value": [...], "nextLink": "..."}
template <typename Record>
HttpResponse page_response(const engine::Page<Record>& page, const HttpRequest& req,
                           const RequestTarget& target) {
  json::array items;
  items.reserve(page.items.size());
  for (const Record* r : page.items) items.push_back(view(*r));
  json::object body{{"value", std::move(items)}};
  if (page.continue_after) body["nextLink"] = next_link(req, target, *page.continue_after);
  return json_response(200, body);
}

core::Result<json::value> parse_body(const HttpRequest& req, bool allow_empty) {
  if (req.body.empty() || req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return json::value(json::object{});
    return Error::bad_request("InvalidRequestContent", "The request has no body; a JSON object is required");
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value value = json::parse(req.body, ec, {}, options);
  if (ec) {
    return Error::bad_request(
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: " + ec.message());
  }
  if (!value.is_object()) {
    return Error::bad_request("InvalidRequestContent", "The request content must be a JSON object");
  }
  return value;
}

template <typename T>
HttpResponse respond(const core::Result<T>& result, auto&& on_success) {
  if (!result) return error_response(result.error());
  return on_success(*result);
}

// Names in the path of a PUT must be valid resource names; GET and DELETE of a bad name are 404s.
core::Result<void> validate_path_names(const ResourcePath& p) {
  if (auto r = model::validate_resource_group_name(p.resource_group); !r) return r;
  if (auto r = model::validate_resource_name(p.workspace, "workspace"); !r) return r;
  if (p.type == engine::ResourceType::kExperiment || p.type == engine::ResourceType::kJob) {
    if (auto r = model::validate_resource_name(p.experiment, "experiment"); !r) return r;
  }
  if (p.type != engine::ResourceType::kWorkspace && p.type != engine::ResourceType::kExperiment) {
    if (auto r = model::validate_resource_name(p.name, p.noun()); !r) return r;
  }
  return {};
}

std::string s(std::string_view v) { return std::string(v); }

}  // namespace

std::optional<HttpResponse> ArmApi::handle(const HttpRequest& req, const RequestTarget& target) {
  auto match = match_route(target.segments);
  if (!match) return std::nullopt;
  const std::string& method = req.method;
  const bool head = method == "HEAD";
  if (!method_allowed(match->spec->methods, head ? std::string_view("GET") : std::string_view(method))) {
    HttpResponse res = error_response({core::ErrorKind::kMethodNotAllowed,
                                       "MethodNotAllowed",
                                       fmt::format("The method {} is not allowed on {}; allowed: {}", method,
                                                   target.path, match->spec->methods),
                                       {}});
    std::string allow(match->spec->methods);
    std::replace(allow.begin(), allow.end(), ' ', ',');
    res.set_header("Allow", allow);
    return res;
  }
  auto version = target.query("api-version");
  if (!version) {
    return error_response(
        Error::bad_request("MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all "
                           "requests; this emulator serves api-version 2018-05-01",
                           "api-version"));
  }
  if (*version != kApiVersion) {
    return error_response(
        Error::bad_request("InvalidApiVersionParameter",
                           fmt::format("The api-version '{}' is invalid. The supported versions are '{}'",
                                       *version, kApiVersion),
                           "api-version"));
  }

  const auto& a = match->args;
  const int retry_after = engine_.settings().lro_retry_after_seconds;
  auto paging = [&]() { return paging_of(target, engine_.settings().default_max_results); };
  auto operation_answer = [&](const core::Result<const engine::OperationRecord*>& op) {
    if (!op && op.error().kind == core::ErrorKind::kTooManyRequests) {
      // limits.maxOperationsInFlight: a retry succeeds once an operation has finished.
      HttpResponse res = error_response(op.error());
      res.set_header("Retry-After", std::to_string(std::max(retry_after, 1)));
      return res;
    }
    return respond(op, [&](const engine::OperationRecord* record) {
      if (record == nullptr)
        return HttpResponse{};  // a finished job: 200 with an empty body, as the service did
      return accepted(*record, req, retry_after);
    });
  };

  switch (match->spec->route) {
    case Route::kOperations:
      return json_response(200, json::object{{"value", operation_catalog()}});

    case Route::kUsages: {
      json::array items;
      for (const auto& u : engine_.usages(s(a[0]), s(a[1]))) items.push_back(view(u));
      return json_response(200, json::object{{"value", std::move(items)}});
    }

    case Route::kOperationResult:
    case Route::kOperationStatus: {
      auto op = engine_.get_operation(s(a[2]));
      return respond(op, [&](const engine::OperationRecord* record) {
        const bool status_form = match->spec->route == Route::kOperationStatus;
        HttpResponse res = json_response(
            200, view(*record, base_url(req), status_form ? "operationstatuses" : "operationresults"));
        if (record->status == engine::OperationStatus::kInProgress) {
          // The Location form answers 202 while the operation runs, as ARM's Location polling expects.
          if (status_form) res.status = 202;
          if (retry_after > 0) res.set_header("Retry-After", std::to_string(retry_after));
        }
        return res;
      });
    }

    case Route::kSubscriptionWorkspaces:
    case Route::kGroupWorkspaces: {
      auto p = paging();
      if (!p) return error_response(p.error());
      std::optional<std::string> group;
      if (match->spec->route == Route::kGroupWorkspaces) group = s(a[1]);
      return page_response(engine_.list_workspaces(s(a[0]), group, p->after, p->limit), req, target);
    }

    case Route::kWorkspace: {
      auto path = ResourcePath::workspace_path(s(a[0]), s(a[1]), s(a[2]));
      if (method == "PUT") {
        if (auto v = validate_path_names(path); !v) return error_response(v.error());
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto params = model::parse_workspace_create(*body);
        if (!params) return error_response(params.error());
        return respond(engine_.put_workspace(path, *params),
                       [](const engine::WorkspaceRecord* r) { return json_response(200, view(*r)); });
      }
      if (method == "PATCH") {
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto params = model::parse_workspace_update(*body);
        if (!params) return error_response(params.error());
        return respond(engine_.update_workspace(path, *params),
                       [](const engine::WorkspaceRecord* r) { return json_response(200, view(*r)); });
      }
      if (method == "DELETE") return operation_answer(engine_.delete_workspace(path));
      return respond(engine_.get_workspace(path),
                     [](const engine::WorkspaceRecord* r) { return json_response(200, view(*r)); });
    }

    case Route::kExperiments: {
      auto p = paging();
      if (!p) return error_response(p.error());
      auto list = engine_.list_experiments(ResourcePath::workspace_path(s(a[0]), s(a[1]), s(a[2])), p->after,
                                           p->limit);
      return respond(list, [&](const auto& page) { return page_response(page, req, target); });
    }

    case Route::kExperiment: {
      auto path = ResourcePath::experiment_path(s(a[0]), s(a[1]), s(a[2]), s(a[3]));
      if (method == "PUT") {
        if (auto v = validate_path_names(path); !v) return error_response(v.error());
        auto body = parse_body(req, true);
        if (!body) return error_response(body.error());
        if (auto r = model::parse_experiment_create(*body); !r) return error_response(r.error());
        return respond(engine_.put_experiment(path),
                       [](const engine::ExperimentRecord* r) { return json_response(200, view(*r)); });
      }
      if (method == "DELETE") return operation_answer(engine_.delete_experiment(path));
      return respond(engine_.get_experiment(path),
                     [](const engine::ExperimentRecord* r) { return json_response(200, view(*r)); });
    }

    case Route::kJobs: {
      auto p = paging();
      if (!p) return error_response(p.error());
      auto list = engine_.list_jobs(ResourcePath::experiment_path(s(a[0]), s(a[1]), s(a[2]), s(a[3])),
                                    p->after, p->limit);
      return respond(list, [&](const auto& page) { return page_response(page, req, target); });
    }

    case Route::kJob: {
      auto path = ResourcePath::job(s(a[0]), s(a[1]), s(a[2]), s(a[3]), s(a[4]));
      if (method == "PUT") {
        if (auto v = validate_path_names(path); !v) return error_response(v.error());
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto spec = model::parse_job_create(*body);
        if (!spec) return error_response(spec.error());
        return operation_answer(engine_.create_job(path, std::move(*spec)));
      }
      if (method == "DELETE") return operation_answer(engine_.delete_job(path));
      return respond(engine_.get_job(path),
                     [](const engine::JobRecord* r) { return json_response(200, view(*r)); });
    }

    case Route::kJobTerminate:
      return operation_answer(
          engine_.terminate_job(ResourcePath::job(s(a[0]), s(a[1]), s(a[2]), s(a[3]), s(a[4]))));

    case Route::kJobRemoteLogin: {
      auto logins = engine_.job_remote_logins(ResourcePath::job(s(a[0]), s(a[1]), s(a[2]), s(a[3]), s(a[4])));
      return respond(logins, [](const std::vector<engine::RemoteLogin>& list) {
        json::array items;
        for (const auto& l : list) items.push_back(view(l));
        return json_response(200, json::object{{"value", std::move(items)}});
      });
    }

    case Route::kJobOutputFiles: {
      auto path = ResourcePath::job(s(a[0]), s(a[1]), s(a[2]), s(a[3]), s(a[4]));
      auto directory_id = target.query("outputdirectoryid");
      if (!directory_id || directory_id->empty()) {
        return error_response(
            Error::bad_request("MissingRequiredQueryParameter",
                               "The query parameter outputdirectoryid is required: 'stdouterr' or "
                               "the id of one of the job's outputDirectories",
                               "outputdirectoryid"));
      }
      if (auto expiry = target.query("linkexpiryinminutes")) {
        int minutes = 0;
        auto [end, ec] = std::from_chars(expiry->data(), expiry->data() + expiry->size(), minutes);
        if (ec != std::errc{} || end != expiry->data() + expiry->size() || minutes < 5 || minutes > 600) {
          return error_response(Error::bad_request(
              "InvalidQueryParameterValue",
              fmt::format("linkexpiryinminutes must be an integer from 5 to 600; got '{}'", *expiry),
              "linkexpiryinminutes"));
        }
      }
      return respond(engine_.get_job(path), [&](const engine::JobRecord* job) {
        bool known = iequals(*directory_id, "stdouterr");
        for (const auto& dir : job->spec.output_directories) known = known || iequals(dir.id, *directory_id);
        if (!known) {
          return error_response(Error::bad_request(
              "InvalidQueryParameterValue",
              fmt::format("The job {} has no output directory with id '{}'", job->path.name, *directory_id),
              "outputdirectoryid"));
        }
        return list_output_files(req, target, *job, *directory_id);
      });
    }

    case Route::kFileServers: {
      auto p = paging();
      if (!p) return error_response(p.error());
      auto list = engine_.list_file_servers(ResourcePath::workspace_path(s(a[0]), s(a[1]), s(a[2])), p->after,
                                            p->limit);
      return respond(list, [&](const auto& page) { return page_response(page, req, target); });
    }

    case Route::kFileServer: {
      auto path = ResourcePath::file_server(s(a[0]), s(a[1]), s(a[2]), s(a[3]));
      if (method == "PUT") {
        if (auto v = validate_path_names(path); !v) return error_response(v.error());
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto spec = model::parse_file_server_create(*body);
        if (!spec) return error_response(spec.error());
        return operation_answer(engine_.create_file_server(path, std::move(*spec)));
      }
      if (method == "DELETE") return operation_answer(engine_.delete_file_server(path));
      return respond(engine_.get_file_server(path),
                     [](const engine::FileServerRecord* r) { return json_response(200, view(*r)); });
    }

    case Route::kClusters: {
      auto p = paging();
      if (!p) return error_response(p.error());
      auto list =
          engine_.list_clusters(ResourcePath::workspace_path(s(a[0]), s(a[1]), s(a[2])), p->after, p->limit);
      return respond(list, [&](const auto& page) { return page_response(page, req, target); });
    }

    case Route::kCluster: {
      auto path = ResourcePath::cluster(s(a[0]), s(a[1]), s(a[2]), s(a[3]));
      if (method == "PUT") {
        if (auto v = validate_path_names(path); !v) return error_response(v.error());
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto spec = model::parse_cluster_create(*body);
        if (!spec) return error_response(spec.error());
        return operation_answer(engine_.create_cluster(path, std::move(*spec)));
      }
      if (method == "PATCH") {
        auto body = parse_body(req, false);
        if (!body) return error_response(body.error());
        auto update = model::parse_cluster_update(*body);
        if (!update) return error_response(update.error());
        return respond(engine_.update_cluster(path, *update),
                       [](const engine::ClusterRecord* r) { return json_response(200, view(*r)); });
      }
      if (method == "DELETE") return operation_answer(engine_.delete_cluster(path));
      return respond(engine_.get_cluster(path),
                     [](const engine::ClusterRecord* r) { return json_response(200, view(*r)); });
    }

    case Route::kClusterRemoteLogin: {
      auto logins = engine_.cluster_remote_logins(ResourcePath::cluster(s(a[0]), s(a[1]), s(a[2]), s(a[3])));
      return respond(logins, [](const std::vector<engine::RemoteLogin>& list) {
        json::array items;
        for (const auto& l : list) items.push_back(view(l));
        return json_response(200, json::object{{"value", std::move(items)}});
      });
    }
  }
  return std::nullopt;
}

HttpResponse ArmApi::list_output_files(const HttpRequest& req, const RequestTarget& target,
                                       const engine::JobRecord& job, std::string_view directory_id) {
  auto paging = paging_of(target, engine_.settings().default_max_results);
  if (!paging) return error_response(paging.error());
  int minutes = 60;  // checked to be 5..600 before we get here
  if (auto expiry = target.query("linkexpiryinminutes")) {
    std::from_chars(expiry->data(), expiry->data() + expiry->size(), minutes);
  }
  const core::Time expires = engine_.executor().now() + std::chrono::minutes(minutes);
  const auto root = engine_.job_output_directory(job, directory_id);
  json::array items;
  std::optional<std::string> next;
  if (root) {
    auto page =
        api::list_output_files(*root, target.query("directory").value_or("."), paging->after, paging->limit);
    if (!page) return error_response(page.error());
    for (const auto& file : page->files) {
      json::object item{{"name", file.name}, {"fileType", file.is_directory ? "directory" : "file"}};
      if (!file.is_directory) {
        item["downloadUrl"] =
            base_url(req) + "/emulator/v1/files/" + links_.sign({.root = *root, .file = file.path}, expires);
        item["properties"] = json::object{{"lastModified", core::format_timestamp(file.last_modified)},
                                          {"contentLength", file.size}};
      }
      items.push_back(std::move(item));
    }
    next = page->continue_after;
  }
  json::object body{{"value", std::move(items)}};
  if (next) body["nextLink"] = next_link(req, target, *next);
  return json_response(200, body);
}

}  // namespace emu::api
