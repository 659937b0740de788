#include <hfrun/client/errors.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/space.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::hub {

namespace {

std::string space_api_url(const client::Client& client, const std::string& id) {
  return client.config().endpoint + "/api/spaces/" + http::percent_encode(id, /*keep_slash=*/true);
}

Error space_error(const http::Response& response, const std::string& id) {
  Error error = client::error_from_response(response, "Space " + id);
  if (response.status == 404) {
    error.kind = ErrorKind::not_found;
    error.hint = "check the name (OWNER/NAME, as in https://huggingface.co/spaces/OWNER/NAME); a "
                 "private Space needs a token with access to it";
  } else if (response.status == 401 || response.status == 403) {
    error.kind = ErrorKind::auth;
    error.hint = "the Space is private: it needs a token with access to it";
  }
  return error;
}

Result<nlohmann::json>
get_json(client::Client& client, const std::string& url, const std::string& id) {
  http::Request request;
  request.url = url;
  HFRUN_TRY_ASSIGN(response, client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(space_error(response, id));
  }
  auto body = util::parse_untrusted(response.body);
  if (!body.is_object()) {
    return fail(ErrorKind::bad_response, "Space " + id + ": the Hub answered " + url +
                                             " with a body that is not a JSON object");
  }
  return body;
}

} // namespace

StageAction stage_action(std::string_view stage) {
  if (stage == "RUNNING" || stage == "RUNNING_BUILDING" || stage == "RUNNING_APP_STARTING") {
    return StageAction::ready;
  }
  if (stage == "SLEEPING" || stage == "STOPPED") {
    return StageAction::wake;
  }
  if (stage == "BUILDING" || stage == "APP_STARTING") {
    return StageAction::wait;
  }
  return StageAction::fail;
}

Result<std::string> space_host(client::Client& client, const std::string& id) {
  auto host = get_json(client, space_api_url(client, id) + "/host", id);
  if (!host && host.error().kind == ErrorKind::not_found) {
    // Older Hub deployments lack /host; huggingface_hub reads the info's "host" instead. A Space
    // that does not exist is a 404 there too.
    HFRUN_TRY_ASSIGN(info, get_json(client, space_api_url(client, id), id));
    if (auto value = util::json_string(info, "host"); value && !value->empty()) {
      return *value;
    }
    return fail(ErrorKind::not_found, "Space " + id + " has no app host",
                "the Space may not be a Gradio app, or not be deployed yet");
  }
  if (!host) {
    return unexpected<Error>(host.error());
  }
  const auto value = util::json_string(*host, "host");
  if (!value || value->empty()) {
    return fail(ErrorKind::bad_response, "Space " + id + ": the Hub's /host answer names no host");
  }
  return *value;
}

Result<SpaceRuntime> space_runtime(client::Client& client, const std::string& id) {
  HFRUN_TRY_ASSIGN(body, get_json(client, space_api_url(client, id) + "/runtime", id));
  SpaceRuntime runtime;
  runtime.stage = util::string_or(body, "stage", "");
  if (const auto* hardware = util::json_object(body, "hardware")) {
    runtime.hardware = util::string_or(*hardware, "current", "");
    if (runtime.hardware.empty()) {
      runtime.hardware = util::string_or(*hardware, "requested", "");
    }
  }
  runtime.error_message = util::string_or(body, "errorMessage", "");
  if (runtime.stage.empty()) {
    return fail(ErrorKind::bad_response, "Space " + id + ": the runtime answer has no stage");
  }
  return runtime;
}

} // namespace hfrun::hub
