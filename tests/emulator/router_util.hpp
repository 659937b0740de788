// Small helpers shared by the router part of the emulator: deterministic hashing and pseudo-random
// numbers, base64, text splitting and reply values. Nothing here knows about routes.
#pragma once

#include <cstdint>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emulator::router {

// FNV-1a 64 of the bytes, optionally chained from a previous hash: the seed of every "result".
[[nodiscard]] std::uint64_t hash_bytes(std::string_view bytes,
                                       std::uint64_t seed = 0xcbf29ce484222325ULL);

// SplitMix64: a deterministic stream of numbers from one seed.
class Rng {
public:
  explicit Rng(std::uint64_t seed) : m_state(seed) {}
  [[nodiscard]] std::uint64_t next();
  // Uniform in [0, 1).
  [[nodiscard]] double uniform();
  // Uniform integer in [0, n) (n > 0).
  [[nodiscard]] std::size_t below(std::size_t n);

private:
  std::uint64_t m_state;
};

[[nodiscard]] std::string base64_encode(std::string_view bytes);
// Standard or URL-safe alphabet, padding optional; nullopt on any other character.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

// Words split on ASCII whitespace.
[[nodiscard]] std::vector<std::string> split_words(std::string_view text);
[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] bool ends_with(std::string_view text, std::string_view suffix);
[[nodiscard]] bool starts_with(std::string_view text, std::string_view prefix);
// 16 lower-case hex digits (a seed in a media URL).
[[nodiscard]] std::string hex64(std::uint64_t value);
// Whether a world model is a sentence-transformers one (its library or a tag says so).
[[nodiscard]] bool is_sentence_transformers(const nlohmann::json& model);
// Scores rounded like the real service prints them (float32 precision is plenty for a fake).
[[nodiscard]] double round_score(double value);
// Seconds since the epoch (the "created" field of OpenAI objects).
[[nodiscard]] std::int64_t unix_now();

// A complete answer of the router, written to httplib by the route layer.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is sent as these Server-Sent-Events frames, one chunk each.
  bool stream = false;
  std::vector<std::string> events;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Objects keep their insertion order (the field order the real service writes).
[[nodiscard]] Reply json_reply(int status, const nlohmann::ordered_json& body);
// Writes a Reply into the response: status, headers, and the body or its events, one chunk each.
void send(httplib::Response& res, const Reply& reply);
// {"error": message} with the given status (the hf-inference error shape).
[[nodiscard]] Reply error_reply(int status, std::string_view message);
// {"error": [message]} (the list form of input-validation errors).
[[nodiscard]] Reply error_list_reply(int status, std::string_view message);
// OpenAI-style {"error": {"message", "type", "param", "code"}}.
[[nodiscard]] Reply openai_error_reply(int status,
                                       std::string_view message,
                                       std::string_view type,
                                       std::string_view param,
                                       std::string_view code);
// TGI-style {"error": message, "error_type": type}.
[[nodiscard]] Reply
tgi_error_reply(int status, std::string_view message, std::string_view error_type);
// One SSE frame: "data: <payload>\n\n".
[[nodiscard]] std::string sse_frame(std::string_view payload);

// A model's mapping entry for one provider, whether the world holds the mapping as the Hub's
// object (model_info) or as list_models' array; null when the provider does not serve it.
const nlohmann::json* mapping_of(const nlohmann::json& model, std::string_view provider);

} // namespace emulator::router
