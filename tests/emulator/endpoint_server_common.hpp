// Shared pieces of the endpoints role's self-hosted inference servers (docs/emulator.md,
// "Inference servers (the endpoints role)"): one call to a flavour server, the JSON and token
// helpers every flavour uses, and one entry point per flavour family. Answers reuse the router
// part's generators (router_chat.hpp, router_tasks.hpp) so a server and hf-inference agree.
#pragma once

#include "context.hpp"
#include "router_util.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator::servers {

using router::Reply;

// The prompt marker that makes a streaming route fail after its first token (TGI/OpenAI SSE: an
// {"error"} event; Ollama: an {"error"} NDJSON line with status 200).
inline constexpr std::string_view k_stream_error_marker = "__hfrun_stream_error__";
// TGI's and TEI's --payload-limit default (bytes); larger bodies answer 413.
inline constexpr std::size_t k_payload_limit = 2000000;

struct Call {
  Context& ctx;
  const nlohmann::json& spec; // {"name", "flavor", "model", "task"?, "model_type"?, ...}
  const std::string& path;    // relative to the server's root, always starting with '/'
  const httplib::Request& req;
};

[[nodiscard]] std::string spec_string(const nlohmann::json& spec, const char* key);
// The body as JSON, or nullopt when it is not a JSON document.
[[nodiscard]] std::optional<nlohmann::json> body_json(const httplib::Request& req);
// A JSON field's string value, or "" when absent or not a string.
[[nodiscard]] std::string string_field(const nlohmann::json& doc, const char* key);
[[nodiscard]] Reply text_reply(int status, std::string_view content_type, std::string body);

// Generated tokens of a prompt, the router's TGI continuation (router_chat.hpp text_generation).
struct Tokens {
  std::vector<std::string> texts; // each with its leading space
  std::string finish_reason;      // TGI's "eos_token" or "length"
};
[[nodiscard]] Tokens generate_tokens(const std::string& prompt, std::int64_t max_new);
// A text split in word tokens that join back to it ("a b" -> "a", " b").
[[nodiscard]] std::vector<std::string> word_tokens(std::string_view text);
// Cuts a finished stream after its first data event and appends `error_event` (the failure a
// client sees mid-stream).
void fail_stream(Reply& reply, std::string error_event);
// OpenAI's embeddings list of `input` (a string or a list of strings), `dimensions` each.
[[nodiscard]] Reply
embeddings_reply(const std::string& model, const nlohmann::json& input, std::size_t dimensions);

// One flavour family each (endpoint_server_hf.cpp, endpoint_server_engines.cpp).
[[nodiscard]] Reply serve_tgi(const Call& call);
[[nodiscard]] Reply serve_tei(const Call& call);
[[nodiscard]] Reply serve_toolkit(const Call& call);
[[nodiscard]] Reply serve_custom(const Call& call);
[[nodiscard]] Reply serve_openai_engine(const Call& call); // vllm, sglang, transformers-serve
[[nodiscard]] Reply serve_llamacpp(const Call& call);
[[nodiscard]] Reply serve_ollama(const Call& call);
// The OpenAI routes (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models) as TGI,
// llama.cpp and Ollama serve them next to their own; nullopt when `path` is none of them.
[[nodiscard]] std::optional<Reply> openai_routes(const Call& call, std::string_view owned_by);

} // namespace emulator::servers
