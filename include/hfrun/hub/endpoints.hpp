// The Inference Endpoints management API (HFRUN_ENDPOINTS_API_URL, default
// https://api.endpoints.huggingface.cloud/v2): list, get, create, update, pause, resume,
// scale-to-zero and delete an endpoint, and what its state means for a caller (docs/endpoint.md,
// "Management").
#pragma once

#include <chrono>
#include <cstdint>
#include <hfrun/client/client.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::hub {

// One endpoint as the API describes it, read without trusting a field's presence or type.
struct InferenceEndpoint {
  std::string namespace_name; // the namespace it was asked for (the object does not carry it)
  std::string name;
  std::string type;  // public, authenticated, protected, private
  std::string state; // pending, initializing, updating, updateFailed, running, paused, failed,
                     // scaledToZero (an open set)
  std::string message;
  std::string url; // status.url: "" until the endpoint has been deployed
  std::string health_route;
  std::string repository;
  std::string revision;
  std::string task;
  std::string framework;
  std::string image;     // model.image's variant: huggingface, tgi, tei, vLLM, sGLang, llamacpp,
                         // hfServe, custom ...
  std::string image_url; // that variant's "url" (the container image), "" when none
  std::string vendor;
  std::string region;
  std::string accelerator;
  std::string instance_type;
  std::string instance_size;
  std::optional<std::int64_t> min_replica;
  std::optional<std::int64_t> max_replica;
  std::optional<std::int64_t> ready_replica;
  std::optional<std::int64_t> target_replica;
  std::string created_at;
  std::string updated_at;
  nlohmann::json raw; // the API's object, for --json
};

// An endpoint object of the API; ErrorKind::bad_response when it is not an object with a name.
[[nodiscard]] Result<InferenceEndpoint> parse_endpoint(const nlohmann::json& raw,
                                                       std::string namespace_name);

// What a caller does about an endpoint's state (docs/endpoint.md, "Readiness, cold start and
// state"): unlike huggingface_hub's wait(), paused is never waited for.
enum class EndpointAction {
  ready,  // running (or updating, still served by the old replica) with a URL
  wait,   // pending, initializing, updating without a URL yet: it is on its way
  wake,   // scaledToZero: the next inference request wakes it
  paused, // paused: only `hfrun endpoint resume NAME` brings it back
  failed, // failed, updateFailed, and every state not known here
};
[[nodiscard]] EndpointAction endpoint_action(const InferenceEndpoint& endpoint);

// Waits until the endpoint serves: its state running (or updating) with a URL, and a 200 from
// GET {url}{healthRoute} (as huggingface_hub's wait()), polling the API after 1 s, 2 s, 4 s, then
// every 5 s with a note each time, up to `timeout`. Unlike huggingface_hub it never waits for what
// will not come by itself: paused and failed states end it at once (ErrorKind::unavailable, with
// the way out), and scaledToZero is returned as it is (the next inference request wakes it).
// `until`: serving (a call can go: updating counts, the old replica serves) or running (the
// change is done: `hfrun endpoint wait`, create/update --wait).
enum class WaitUntil { serving, running };
[[nodiscard]] Result<InferenceEndpoint> wait_for_endpoint(client::Client& client,
                                                          InferenceEndpoint endpoint,
                                                          std::chrono::milliseconds timeout,
                                                          WaitUntil until = WaitUntil::serving);

// Wakes a scaled-to-zero endpoint: GET {url}{healthRoute} with `X-Scale-Up-Timeout`, which the
// endpoint's proxy holds until a replica is up (docs/endpoint.md, "Readiness, cold start and
// state") instead of answering 503; a 503 after that is ErrorKind::unavailable. One request, so the
// call that follows keeps the user's own timeouts.
[[nodiscard]] Result<void> wake_endpoint(client::Client& client,
                                         const InferenceEndpoint& endpoint,
                                         std::chrono::milliseconds timeout);

// The error for an endpoint that cannot serve now (paused, failed), or nullopt.
[[nodiscard]] std::optional<Error> unavailable_endpoint(const InferenceEndpoint& endpoint);

// "NAMESPACE/NAME" or "NAME" (namespace: empty). ErrorKind::usage for anything else.
struct EndpointRef {
  std::string namespace_name;
  std::string name;
};
[[nodiscard]] Result<EndpointRef> parse_endpoint_ref(std::string_view text);

class EndpointsApi {
public:
  explicit EndpointsApi(client::Client& client) : m_client(client) {}

  // The namespace of the token's user (GET {HF_ENDPOINT}/api/whoami-v2), as huggingface_hub
  // does; an organization token has none (ErrorKind::usage: pass --namespace).
  [[nodiscard]] Result<std::string> default_namespace();
  // `ns` empty: default_namespace().
  [[nodiscard]] Result<std::string> resolve_namespace(const std::string& ns);

  [[nodiscard]] Result<std::vector<InferenceEndpoint>> list(const std::string& ns);
  [[nodiscard]] Result<InferenceEndpoint> get(const std::string& ns, const std::string& name);
  // POST /endpoint/{ns} with the create payload (build_create_payload).
  [[nodiscard]] Result<InferenceEndpoint> create(const std::string& ns,
                                                 const nlohmann::json& payload);
  // PUT /endpoint/{ns}/{name} with only the fields to change.
  [[nodiscard]] Result<InferenceEndpoint>
  update(const std::string& ns, const std::string& name, const nlohmann::json& payload);
  // POST /endpoint/{ns}/{name}/{verb}: pause, resume, scale-to-zero.
  [[nodiscard]] Result<InferenceEndpoint>
  act(const std::string& ns, const std::string& name, const std::string& verb);
  [[nodiscard]] Result<void> remove(const std::string& ns, const std::string& name);

private:
  [[nodiscard]] Result<nlohmann::json> call(const std::string& method,
                                            const std::string& path,
                                            const std::optional<nlohmann::json>& body,
                                            const std::string& what);

  client::Client& m_client;
};

// What `hfrun endpoint create|update` was given; unset fields are left out of the payload (the
// API takes no null for most of them).
struct EndpointSpec {
  std::string name;
  std::string repository;
  std::string revision;
  std::string task;
  std::string framework;
  std::string type;
  std::string image; // tgi, tei, vllm, sglang, llamacpp, toolkit, or a container image URL
  std::string vendor;
  std::string region;
  std::string accelerator;
  std::string instance_type;
  std::string instance_size;
  std::optional<std::int64_t> min_replica;
  std::optional<std::int64_t> max_replica;
  std::optional<std::int64_t> scale_to_zero_timeout; // minutes
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::pair<std::string, std::string>> secrets;
};

// The create payload (docs/endpoint.md, "Management") (defaults: aws us-east-1, cpu intel-icl x2,
// one replica, type protected, the toolkit image). ErrorKind::usage for a bad name, image or type.
[[nodiscard]] Result<nlohmann::json> build_create_payload(const EndpointSpec& spec);
// The partial update payload: only what `spec` sets (no name). ErrorKind::usage when nothing is.
[[nodiscard]] Result<nlohmann::json> build_update_payload(const EndpointSpec& spec);

} // namespace hfrun::hub
