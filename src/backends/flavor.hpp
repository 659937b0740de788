// PRIVATE to the backends layer: which server answers behind an endpoint URL, read from the
// servers' own discovery answers in the probe order docs/endpoint.md ("Flavours") gives.
#pragma once

#include <chrono>
#include <hfrun/client/client.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::backends {

enum class Flavor {
  tgi,                // text-generation-inference: /info router "text-generation-router"
  tei,                // text-embeddings-inference: /info model_type + max_input_length
  vllm,               // /v1/models owned_by "vllm"
  sglang,             // /v1/models owned_by "sglang"
  llamacpp,           // /props (default_generation_settings, build_info)
  ollama,             // /api/version
  transformers_serve, // /health {"status":"ok"} and OpenAI routes
  openai,             // some other OpenAI-compatible server (/v1/models answers)
  toolkit,            // the Inference Toolkit or a custom handler: POST / with {"inputs": ...}
};

[[nodiscard]] std::optional<Flavor> parse_flavor(std::string_view name);
[[nodiscard]] std::string_view flavor_name(Flavor flavor);
// The flavors there are, for --flavor's help and errors.
[[nodiscard]] std::string flavor_names();

struct FlavorInfo {
  Flavor flavor = Flavor::toolkit;
  std::string why;  // for -v: "GET /info: router text-generation-router"
  std::string task; // what the server says it does ("text-generation", "feature-extraction"), or ""
  std::string model; // the served model id ("model" of OpenAI bodies), or ""
};

// One probe's answer, for classify(): status 0 when no answer came (connection refused, timeout).
struct ProbeAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct ProbeAnswers {
  ProbeAnswer info;   // GET /info
  ProbeAnswer props;  // GET /props
  ProbeAnswer models; // GET /v1/models
  ProbeAnswer ollama; // GET /api/version
  ProbeAnswer health; // GET /health
};

// The flavour the answers show, in the documented order. Pure, for tests.
[[nodiscard]] FlavorInfo classify(const ProbeAnswers& answers);

// Sends the probes to `base` (each only while no earlier one decided) and classifies them. A 401 or
// 403 is ErrorKind::auth (a token is missing or wrong), not an unknown flavour. A server not ready
// yet (connection refused, 502/503/504 on the first probe: loading, scaled to zero) is waited for
// with capped backoff (1 s, 2 s, 4 s, then 5 s) and one note per wait, up to `wait_timeout`; then
// its error stands (exit 8 or 7).
[[nodiscard]] Result<FlavorInfo> detect_flavor(client::Client& client,
                                               const std::string& base,
                                               std::chrono::milliseconds wait_timeout);

} // namespace hfrun::backends
