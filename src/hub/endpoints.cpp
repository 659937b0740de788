#include <algorithm>
#include <array>
#include <hfrun/client/errors.hpp>
#include <hfrun/http/bodies.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/endpoints.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::hub {

namespace {

using nlohmann::json;

std::optional<std::int64_t> int_member(const json& obj, std::string_view key) {
  return util::json_int(obj, key);
}

// `hfrun endpoint create --image X`: the variant of model.image and its container
// (docs/endpoint.md, "Management"); the API drops fields a variant does not declare.
struct ImageRow {
  std::string_view name;    // what the user types
  std::string_view variant; // the key of model.image
  std::string_view url;     // its container image
};
constexpr std::array k_images{
    ImageRow{"tgi", "tgi", "ghcr.io/huggingface/text-generation-inference:latest"},
    ImageRow{"tei", "tei", "ghcr.io/huggingface/text-embeddings-inference:latest"},
    ImageRow{"vllm", "vLLM", "vllm/vllm-openai:latest"},
    ImageRow{"sglang", "sGLang", "lmsysorg/sglang:latest"},
    ImageRow{"llamacpp", "llamacpp", "ghcr.io/ggml-org/llama.cpp:server"},
};

std::string image_names() {
  std::string names = "toolkit";
  for (const auto& row : k_images) {
    names += ", " + std::string(row.name);
  }
  return names + ", or a container image (registry/name:tag)";
}

Result<json> image_payload(const std::string& image) {
  if (image.empty() || image == "toolkit" || image == "huggingface") {
    return json{{"huggingface", json::object()}};
  }
  for (const auto& row : k_images) {
    if (image == row.name) {
      return json{{std::string(row.variant),
                   {{"url", std::string(row.url)}, {"healthRoute", "/health"}, {"port", 80}}}};
    }
  }
  if (image.find('/') != std::string::npos || image.find(':') != std::string::npos) {
    return json{{"custom", {{"url", image}, {"healthRoute", "/health"}, {"port", 80}}}};
  }
  return fail(ErrorKind::usage, "unknown --image " + image, "use one of: " + image_names());
}

Result<void> check_name(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 32 &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos &&
      name.front() != '-' && name.back() != '-';
  if (!ok) {
    return fail(ErrorKind::usage, "'" + name + "' is not a valid endpoint name",
                "use 1 to 32 lowercase letters, digits and dashes, not starting or ending with a "
                "dash");
  }
  return {};
}

Result<void> check_type(const std::string& type) {
  static constexpr std::array<std::string_view, 4> k_types{"public", "protected", "authenticated",
                                                           "private"};
  if (!type.empty() && std::find(k_types.begin(), k_types.end(), type) == k_types.end()) {
    return fail(ErrorKind::usage, "unknown --type " + type,
                "use public, protected, authenticated or private");
  }
  return {};
}

json pairs_object(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json out = json::object();
  for (const auto& [key, value] : pairs) {
    out[key] = value;
  }
  return out;
}

} // namespace

Result<InferenceEndpoint> parse_endpoint(const json& raw, std::string namespace_name) {
  const auto name = util::json_string(raw, "name");
  if (!raw.is_object() || !name || name->empty()) {
    return fail(ErrorKind::bad_response, "the endpoints API answered an endpoint without a name");
  }
  InferenceEndpoint e;
  e.namespace_name = std::move(namespace_name);
  e.name = *name;
  e.type = util::string_or(raw, "type", "");
  e.health_route = util::string_or(raw, "healthRoute", "");
  if (const auto* status = util::json_object(raw, "status")) {
    e.state = util::string_or(*status, "state", "");
    e.message = util::string_or(*status, "message", "");
    e.url = util::string_or(*status, "url", "");
    e.ready_replica = int_member(*status, "readyReplica");
    e.target_replica = int_member(*status, "targetReplica");
    e.created_at = util::string_or(*status, "createdAt", "");
    e.updated_at = util::string_or(*status, "updatedAt", "");
  }
  if (const auto* model = util::json_object(raw, "model")) {
    e.repository = util::string_or(*model, "repository", "");
    e.revision = util::string_or(*model, "revision", "");
    e.task = util::string_or(*model, "task", "");
    e.framework = util::string_or(*model, "framework", "");
    if (const auto* image = util::json_object(*model, "image")) {
      for (const auto& [variant, config] : image->items()) {
        e.image = variant;
        if (config.is_object()) {
          e.image_url = util::string_or(config, "url", "");
          if (e.health_route.empty()) {
            e.health_route = util::string_or(config, "healthRoute", "");
          }
        }
        break; // a union: one key
      }
    }
  }
  if (const auto* provider = util::json_object(raw, "provider")) {
    e.vendor = util::string_or(*provider, "vendor", "");
    e.region = util::string_or(*provider, "region", "");
  }
  if (const auto* compute = util::json_object(raw, "compute")) {
    e.accelerator = util::string_or(*compute, "accelerator", "");
    e.instance_type = util::string_or(*compute, "instanceType", "");
    e.instance_size = util::string_or(*compute, "instanceSize", "");
    if (const auto* scaling = util::json_object(*compute, "scaling")) {
      e.min_replica = int_member(*scaling, "minReplica");
      e.max_replica = int_member(*scaling, "maxReplica");
    }
  }
  e.raw = raw;
  return e;
}

EndpointAction endpoint_action(const InferenceEndpoint& endpoint) {
  const std::string& s = endpoint.state;
  if (s == "running" || s == "updating") { // updating: the old replica serves meanwhile
    return endpoint.url.empty() ? EndpointAction::wait : EndpointAction::ready;
  }
  if (s == "pending" || s == "initializing") {
    return EndpointAction::wait;
  }
  if (s == "scaledToZero") {
    return EndpointAction::wake;
  }
  if (s == "paused") {
    return EndpointAction::paused;
  }
  return EndpointAction::failed;
}

Result<EndpointRef> parse_endpoint_ref(std::string_view text) {
  EndpointRef ref;
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    ref.name = std::string(text);
  } else {
    ref.namespace_name = std::string(text.substr(0, slash));
    ref.name = std::string(text.substr(slash + 1));
    if (ref.namespace_name.empty() || ref.name.find('/') != std::string::npos) {
      return fail(ErrorKind::usage, "'" + std::string(text) + "' is not an endpoint name",
                  "give NAME or NAMESPACE/NAME (`hfrun endpoint list` shows them)");
    }
  }
  HFRUN_TRY(check_name(ref.name));
  return ref;
}

Result<std::string> EndpointsApi::default_namespace() {
  http::Request request;
  request.url = m_client.config().endpoint + "/api/whoami-v2";
  HFRUN_TRY_ASSIGN(response, m_client.send(request, client::Auth::required));
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, "whoami (the namespace)"));
  }
  const auto body = util::parse_untrusted(response.body);
  const auto name = util::json_string(body, "name");
  if (!name || name->empty()) {
    return fail(ErrorKind::bad_response, "the Hub's whoami answer names no user");
  }
  if (util::string_or(body, "type", "user") != "user") {
    return fail(ErrorKind::usage, "the token belongs to " + *name + ", which is not a user",
                "pass the namespace: NAMESPACE/NAME or --namespace");
  }
  return *name;
}

Result<std::string> EndpointsApi::resolve_namespace(const std::string& ns) {
  if (!ns.empty()) {
    return ns;
  }
  return default_namespace();
}

Result<json> EndpointsApi::call(const std::string& method,
                                const std::string& path,
                                const std::optional<json>& body,
                                const std::string& what) {
  http::Request request;
  request.method = method;
  request.url = m_client.config().endpoints_api_url + path;
  if (body) {
    request.headers.set("Content-Type", "application/json");
    request.body = http::string_body(body->dump());
  }
  // Creating, changing and deleting are not repeated blindly: a retry after a lost answer could
  // act twice (a second create is a 409, a second delete a 404).
  request.retryable = method == "GET";
  HFRUN_TRY_ASSIGN(response, m_client.send(request, client::Auth::required));
  if (!response.ok()) {
    Error error = client::error_from_response(response, what);
    if (response.status == 404) {
      error.kind = ErrorKind::not_found;
      error.hint = "`hfrun endpoint list` shows the namespace's endpoints";
    } else if (response.status == 409) {
      error.kind = ErrorKind::rejected;
      error.hint = "pick another name, or `hfrun endpoint update` the existing one";
    }
    return unexpected<Error>(std::move(error));
  }
  if (method == "DELETE") {
    return json(nullptr);
  }
  auto parsed = util::parse_untrusted(response.body);
  if (!parsed.is_object()) {
    return fail(ErrorKind::bad_response, what + ": the endpoints API answered with a body that "
                                                "is not a JSON object");
  }
  return parsed;
}

namespace {
std::string endpoint_path(const std::string& ns, const std::string& name) {
  return "/endpoint/" + http::percent_encode(ns) +
         (name.empty() ? std::string() : "/" + http::percent_encode(name));
}
} // namespace

Result<std::vector<InferenceEndpoint>> EndpointsApi::list(const std::string& ns) {
  HFRUN_TRY_ASSIGN(body, call("GET", endpoint_path(ns, ""), std::nullopt, "endpoints of " + ns));
  std::vector<InferenceEndpoint> out;
  if (const auto* items = util::json_array(body, "items")) {
    for (const auto& item : *items) {
      HFRUN_TRY_ASSIGN(endpoint, parse_endpoint(item, ns));
      out.push_back(std::move(endpoint));
    }
  }
  return out;
}

Result<InferenceEndpoint> EndpointsApi::get(const std::string& ns, const std::string& name) {
  HFRUN_TRY_ASSIGN(
      body, call("GET", endpoint_path(ns, name), std::nullopt, "endpoint " + ns + "/" + name));
  return parse_endpoint(body, ns);
}

Result<InferenceEndpoint> EndpointsApi::create(const std::string& ns, const json& payload) {
  const std::string name = util::string_or(payload, "name", "");
  HFRUN_TRY_ASSIGN(
      body, call("POST", endpoint_path(ns, ""), payload, "creating endpoint " + ns + "/" + name));
  return parse_endpoint(body, ns);
}

Result<InferenceEndpoint>
EndpointsApi::update(const std::string& ns, const std::string& name, const json& payload) {
  HFRUN_TRY_ASSIGN(
      body, call("PUT", endpoint_path(ns, name), payload, "updating endpoint " + ns + "/" + name));
  return parse_endpoint(body, ns);
}

Result<InferenceEndpoint>
EndpointsApi::act(const std::string& ns, const std::string& name, const std::string& verb) {
  HFRUN_TRY_ASSIGN(body, call("POST", endpoint_path(ns, name) + "/" + verb, std::nullopt,
                              verb + " endpoint " + ns + "/" + name));
  return parse_endpoint(body, ns);
}

Result<void> EndpointsApi::remove(const std::string& ns, const std::string& name) {
  HFRUN_TRY(call("DELETE", endpoint_path(ns, name), std::nullopt,
                 "deleting endpoint " + ns + "/" + name));
  return {};
}

Result<json> build_create_payload(const EndpointSpec& spec) {
  HFRUN_TRY(check_name(spec.name));
  HFRUN_TRY(check_type(spec.type));
  if (spec.repository.empty()) {
    return fail(ErrorKind::usage, "creating an endpoint needs the model", "pass --model ID");
  }
  HFRUN_TRY_ASSIGN(image, image_payload(spec.image));
  json scaling = {{"minReplica", spec.min_replica.value_or(1)},
                  {"maxReplica", spec.max_replica.value_or(1)}};
  if (spec.scale_to_zero_timeout) {
    scaling["scaleToZeroTimeout"] = *spec.scale_to_zero_timeout;
  }
  json model = {{"repository", spec.repository},
                {"revision", spec.revision.empty() ? json(nullptr) : json(spec.revision)},
                {"framework", spec.framework.empty() ? "pytorch" : spec.framework},
                {"image", image},
                {"env", pairs_object(spec.env)},
                {"secrets", pairs_object(spec.secrets)}};
  if (!spec.task.empty()) {
    model["task"] =
        spec.task; // omitted when unset: the API refuses null (docs/endpoint.md, "Management")
  }
  return json{{"accountId", nullptr},
              {"name", spec.name},
              {"type", spec.type.empty() ? "protected" : spec.type},
              {"provider",
               {{"vendor", spec.vendor.empty() ? "aws" : spec.vendor},
                {"region", spec.region.empty() ? "us-east-1" : spec.region}}},
              {"compute",
               {{"accelerator", spec.accelerator.empty() ? "cpu" : spec.accelerator},
                {"instanceType", spec.instance_type.empty() ? "intel-icl" : spec.instance_type},
                {"instanceSize", spec.instance_size.empty() ? "x2" : spec.instance_size},
                {"scaling", scaling}}},
              {"model", model}};
}

Result<json> build_update_payload(const EndpointSpec& spec) {
  HFRUN_TRY(check_type(spec.type));
  json payload = json::object();
  json model = json::object();
  if (!spec.repository.empty()) {
    model["repository"] = spec.repository;
  }
  if (!spec.revision.empty()) {
    model["revision"] = spec.revision;
  }
  if (!spec.task.empty()) {
    model["task"] = spec.task;
  }
  if (!spec.framework.empty()) {
    model["framework"] = spec.framework;
  }
  if (!spec.image.empty()) {
    HFRUN_TRY_ASSIGN(image, image_payload(spec.image));
    model["image"] = image;
  }
  if (!spec.env.empty()) {
    model["env"] = pairs_object(spec.env);
  }
  if (!spec.secrets.empty()) {
    model["secrets"] = pairs_object(spec.secrets);
  }
  if (!model.empty()) {
    payload["model"] = model;
  }
  json compute = json::object();
  json scaling = json::object();
  if (spec.min_replica) {
    scaling["minReplica"] = *spec.min_replica;
  }
  if (spec.max_replica) {
    scaling["maxReplica"] = *spec.max_replica;
  }
  if (spec.scale_to_zero_timeout) {
    scaling["scaleToZeroTimeout"] = *spec.scale_to_zero_timeout;
  }
  if (!scaling.empty()) {
    compute["scaling"] = scaling;
  }
  if (!spec.accelerator.empty()) {
    compute["accelerator"] = spec.accelerator;
  }
  if (!spec.instance_type.empty()) {
    compute["instanceType"] = spec.instance_type;
  }
  if (!spec.instance_size.empty()) {
    compute["instanceSize"] = spec.instance_size;
  }
  if (!compute.empty()) {
    payload["compute"] = compute;
  }
  if (!spec.vendor.empty() || !spec.region.empty()) {
    json provider = json::object();
    if (!spec.vendor.empty()) {
      provider["vendor"] = spec.vendor;
    }
    if (!spec.region.empty()) {
      provider["region"] = spec.region;
    }
    payload["provider"] = provider;
  }
  if (!spec.type.empty()) {
    payload["type"] = spec.type;
  }
  if (payload.empty()) {
    return fail(ErrorKind::usage, "nothing to update",
                "pass what to change, e.g. --model ID, --min-replica N or --instance-size x4");
  }
  return payload;
}

} // namespace hfrun::hub

namespace hfrun::hub {

std::optional<Error> unavailable_endpoint(const InferenceEndpoint& e) {
  const std::string id = e.namespace_name + "/" + e.name;
  switch (endpoint_action(e)) {
  case EndpointAction::paused:
    return make_error(ErrorKind::unavailable, "endpoint " + id + " is paused",
                      "run `hfrun endpoint resume " + id + "`, then try again");
  case EndpointAction::failed:
    return make_error(ErrorKind::unavailable,
                      "endpoint " + id + " is " + (e.state.empty() ? "in no state" : e.state) +
                          (e.message.empty() ? std::string() : ": " + e.message),
                      "see its logs on https://endpoints.huggingface.co; `hfrun endpoint update " +
                          id + "` or delete and create it again");
  case EndpointAction::ready:
  case EndpointAction::wait:
  case EndpointAction::wake:
    return std::nullopt;
  }
  return std::nullopt;
}

Result<InferenceEndpoint> wait_for_endpoint(client::Client& client,
                                            InferenceEndpoint e,
                                            std::chrono::milliseconds timeout,
                                            WaitUntil until) {
  EndpointsApi api(client);
  util::PollSchedule schedule(client.sleeper(), timeout);
  const std::string id = e.namespace_name + "/" + e.name;
  while (true) {
    if (auto error = unavailable_endpoint(e)) {
      return unexpected<Error>(std::move(*error));
    }
    const EndpointAction action = endpoint_action(e);
    if (action == EndpointAction::wake) {
      return e;
    }
    std::string waiting_for = e.state + (e.message.empty() ? "" : ": " + e.message);
    if (action == EndpointAction::ready && (until == WaitUntil::serving || e.state == "running")) {
      // Running says the replicas are up; its health route says the server in them is.
      client.trust_origin(e.url);
      http::Request health;
      health.url = e.url + (e.health_route.empty() ? std::string("/health") : e.health_route);
      health.retryable = false;
      auto answered = client.send(health);
      if (!answered) {
        if (answered.error().kind == ErrorKind::stopped) {
          return unexpected<Error>(answered.error());
        }
        waiting_for = "its health route does not answer yet";
      } else if (answered->ok()) {
        return e;
      } else {
        waiting_for = "its health route answers HTTP " + std::to_string(answered->status);
      }
    }
    if (schedule.expired()) {
      return fail(ErrorKind::unavailable,
                  "endpoint " + id + " is not ready after " +
                      std::to_string(schedule.waited().count() / 1000) + " s (" + waiting_for + ")",
                  "wait longer with --wait-timeout SECONDS (or `hfrun endpoint wait " + id +
                      " --timeout SECONDS`)");
    }
    client.note("waiting for endpoint " + id + " (" + waiting_for + ", " +
                std::to_string(schedule.waited().count() / 1000) + " s of " +
                std::to_string(timeout.count() / 1000) + " s)");
    schedule.wait();
    HFRUN_TRY_ASSIGN(fresh, api.get(e.namespace_name, e.name));
    e = std::move(fresh);
  }
}

} // namespace hfrun::hub

namespace hfrun::hub {

Result<void> wake_endpoint(client::Client& client,
                           const InferenceEndpoint& e,
                           std::chrono::milliseconds timeout) {
  using namespace std::chrono_literals;
  const std::string id = e.namespace_name + "/" + e.name;
  if (e.url.empty()) {
    return fail(ErrorKind::unavailable, "endpoint " + id + " has no URL yet");
  }
  client.trust_origin(e.url);
  const auto seconds =
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
  client.note("endpoint " + id + " is scaled to zero: waking it (up to " + std::to_string(seconds) +
              " s; --wait-timeout)");
  http::Request wake;
  wake.url = e.url + (e.health_route.empty() ? std::string("/health") : e.health_route);
  wake.headers.set("X-Scale-Up-Timeout", std::to_string(seconds));
  wake.retryable = false;
  // No stall limit: the proxy sends nothing until a replica is up.
  wake.timeouts = http::Timeouts{10s, std::chrono::seconds(seconds) + 15s, 0ms};
  HFRUN_TRY_ASSIGN(answer, client.send(wake));
  if (!answer.ok()) {
    Error error = client::error_from_response(answer, "waking endpoint " + id);
    error.kind = ErrorKind::unavailable;
    error.hint = "it did not come up within " + std::to_string(seconds) +
                 " s; wait longer with --wait-timeout SECONDS";
    return unexpected<Error>(std::move(error));
  }
  return {};
}

} // namespace hfrun::hub
