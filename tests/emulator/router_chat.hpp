// Text generation of the emulator: OpenAI chat completions and completions (plain and streamed) and
// TGI-style text generation, with deterministic replies derived from the prompt.
#pragma once

#include "router_util.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace emulator::router {

struct Generator {
  std::string model_field;        // the "model" echoed in replies
  std::string system_fingerprint; // TGI version string on hf-inference, provider tag elsewhere
  int max_total_tokens = 4096;    // prompt + new tokens limit (validation error above)
  bool tgi_errors = true;         // hf-inference answers TGI error bodies; providers OpenAI ones
  bool chat_template = true;      // false: chat answers the TGI template error
};

// POST .../chat/completions with an OpenAI body.
[[nodiscard]] Reply chat_completion(const nlohmann::json& body, const Generator& generator);
// POST .../completions with an OpenAI body ({model, prompt, max_tokens, stream}).
[[nodiscard]] Reply text_completion(const nlohmann::json& body, const Generator& generator);
// POST /hf-inference/models/{id} with {"inputs", "parameters", "stream"} on a text-generation
// model; tgi=false mimics a transformers pipeline (no streaming, rejects TGI-only parameters).
[[nodiscard]] Reply
text_generation(const nlohmann::json& body, const Generator& generator, bool tgi);

// The deterministic assistant reply to a conversation (exposed for tests and the provider routes).
[[nodiscard]] std::string chat_reply_text(const nlohmann::json& messages);

} // namespace emulator::router
