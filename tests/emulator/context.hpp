// Shared state of one emulator process and the seams between its parts. The hub part (main, world,
// Hub API, files, CDN, faults, request log) and the router part (inference routes) are written
// separately and meet only here.
#pragma once

#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator {

class RequestLog;     // request_log.hpp: JSON Lines of what reached each role
class World;          // world.hpp: the hub part's index of `world` (repos, files, digests)
class Faults;         // faults.hpp: injected faults and traffic shaping
class SpaceStates;    // space_state.hpp: which Spaces were woken, and when (the gradio part's)
class EndpointStates; // endpoint_state.hpp: the Inference Endpoints and their state machines

struct Context {
  // The loaded world: {"models": [...], "spaces": [...], "users": [...], ...} (see
  // docs/emulator.md).
  nlohmann::json world;
  // Base URLs of each role, e.g. "http://127.0.0.1:41234" (no trailing slash).
  std::string hub_url;
  std::string router_url;
  std::string cdn_url;
  std::string gradio_url; // the Gradio apps of the world's Spaces, each under /spaces/{id}
  // The data plane: the world's self-hosted servers under /servers/{name} and the Inference
  // Endpoints' URLs under /endpoints/{namespace}/{name} (docs/emulator.md, "Endpoints").
  std::string endpoints_url;
  // The Inference Endpoints management API, under /v2 (HFRUN_ENDPOINTS_API_URL = this + "/v2").
  std::string endpoints_api_url;
  RequestLog* log = nullptr;
  // The recorded router exchanges to replay (JSON text of hfjs-tapes.json's format): --tapes FILE,
  // else the embedded default (embedded_tapes()).
  std::string tapes_text;
  // The hub part's index of `world` (set before any route is registered).
  const World* repos = nullptr;
  // Faults and shaping, applied to every role by the hub part's post-routing handler.
  Faults* faults = nullptr;
  // A sleeping Space wakes when its host is visited; the Hub's runtime route reads the stage here.
  SpaceStates* spaces = nullptr;
  // Created, paused, scaled-to-zero... endpoints: the management API changes them, the proxy reads
  // them.
  EndpointStates* endpoints = nullptr;

  // The world's model with this id (following no renames), or nullptr.
  [[nodiscard]] const nlohmann::json* find_model(std::string_view id) const;
  // The user a bearer token belongs to (world["users"][i]["token"]), or nullopt for none/invalid.
  [[nodiscard]] const nlohmann::json* user_for_token(std::string_view token) const;
};

// The default tapes, tests/data/recordings/hfjs-tapes.tar.gz embedded at build time
// (embed_text.cmake).
[[nodiscard]] std::string_view embedded_tapes();

// The providers of a world model's inferenceProviderMapping in the world file's order, the user's
// preference (nlohmann::json sorts object keys, so main.cpp keeps that order in
// "_provider_order"); providers it does not name follow in key order. Every role lists and picks
// providers in this order.
[[nodiscard]] std::vector<std::string> provider_order(const nlohmann::json& model);

// "Bearer xyz" -> "xyz"; empty when the header is absent or not a bearer token.
[[nodiscard]] std::string bearer_token(const httplib::Request& req);

// Registered by the hub part: /api/..., /{id}/resolve/..., whoami, Spaces runtime.
void register_hub_routes(httplib::Server& server, Context& ctx);
// Registered by the hub part: the CDN origin that LFS downloads redirect to.
void register_cdn_routes(httplib::Server& server, Context& ctx);
// Registered by the router part: /hf-inference/..., /v1/..., /{provider}/...
void register_router_routes(httplib::Server& server, Context& ctx);
// Registered by the gradio part: /spaces/{owner}/{name}/... for every world Space with a "gradio"
// app (docs/emulator.md, "Gradio").
void register_gradio_routes(httplib::Server& server, Context& ctx);

// Registered by the endpoint-servers part: /servers/{name}/... for every world "endpoint_servers"
// entry (TGI, TEI, vLLM, llama.cpp, Ollama, the Inference Toolkit, custom handlers, ...).
void register_endpoint_server_routes(httplib::Server& server, Context& ctx);
// One request to the flavour server `spec` describes (a world "endpoint_servers" entry, or the one
// a managed endpoint runs), `path` relative to that server's root ("/", "/info",
// "/v1/chat/completions"). The proxy of managed endpoints calls it after its own checks.
void serve_flavor(Context& ctx,
                  const nlohmann::json& spec,
                  const std::string& path,
                  const httplib::Request& req,
                  httplib::Response& res);
// Registered by the endpoints part: the proxy in front of managed endpoints,
// /endpoints/{namespace}/{name}/... (auth by type, paused, scale-to-zero cold start).
void register_endpoint_proxy_routes(httplib::Server& server, Context& ctx);
// Registered by the endpoints part: the management API, /v2/endpoint/{namespace}[/{name}[/verb]].
void register_endpoints_api_routes(httplib::Server& server, Context& ctx);

} // namespace emulator
