#include "router_chat.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <regex>

namespace emulator::router {

namespace {

using json = nlohmann::ordered_json;

const std::vector<std::string> k_continuation = {
    "the",  "answer", "is",      "a",     "quiet", "river", "of", "light", "and",   "time",
    "that", "flows",  "through", "every", "small", "thing", "we", "know",  "forty", "two"};

std::string content_text(const nlohmann::json& content) {
  if (content.is_string())
    return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        if (!text.empty())
          text += ' ';
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

std::size_t prompt_tokens(const nlohmann::json& messages) {
  std::size_t count = 0;
  for (const auto& message : messages) {
    count += 4;
    if (message.is_object() && message.contains("content"))
      count += split_words(content_text(message["content"])).size();
  }
  return count;
}

// Tokens of a text: its words, each after the first with a leading space.
std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  for (const auto& word : split_words(text))
    tokens.push_back(tokens.empty() ? word : " " + word);
  return tokens;
}

std::int64_t requested_tokens(const nlohmann::json& body, std::int64_t fallback) {
  for (const char* key : {"max_tokens", "max_completion_tokens", "max_new_tokens"}) {
    if (body.contains(key) && body[key].is_number_integer())
      return body[key].get<std::int64_t>();
  }
  return fallback;
}

std::string validation_message(std::size_t input_tokens, std::int64_t new_tokens, int limit) {
  return "Input validation error: `inputs` tokens + `max_new_tokens` must be <= " +
         std::to_string(limit) + ". Given: " + std::to_string(input_tokens) +
         " `inputs` tokens and " + std::to_string(new_tokens) + " `max_new_tokens`";
}

// The over-limit answer: a JSON error, or (streaming) an error event inside a 200 event stream.
Reply over_limit(const Generator& generator, const std::string& message, bool stream) {
  const json tgi{{"error", message}, {"error_type", "validation"}};
  const json openai{{"error",
                     {{"message", message},
                      {"type", "invalid_request_error"},
                      {"param", "max_tokens"},
                      {"code", nullptr}}}};
  if (stream) {
    Reply reply;
    reply.content_type = "text/event-stream";
    reply.stream = true;
    reply.events.push_back(sse_frame((generator.tgi_errors ? tgi : openai).dump()));
    return reply;
  }
  return json_reply(generator.tgi_errors ? 422 : 400, generator.tgi_errors ? tgi : openai);
}

std::string generation_id(std::string_view prefix, const nlohmann::json& body) {
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string id(prefix);
  std::uint64_t h = hash_bytes(body.dump());
  for (int i = 0; i < 16; ++i, h >>= 4U)
    id += k_hex[h & 15U];
  return id;
}

json usage_of(std::size_t prompt, std::size_t completion) {
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", prompt + completion}};
}

// A continuation of a prompt: 12 to 23 tokens (a "natural" stop), cut at max_new.
struct Continuation {
  std::vector<std::string> tokens;
  std::string finish_reason;
};

Continuation continue_prompt(std::string_view prompt, std::int64_t max_new) {
  Rng rng(hash_bytes(prompt));
  const std::size_t natural = 12 + rng.below(12);
  const std::size_t count =
      std::min<std::size_t>(natural, static_cast<std::size_t>(std::max<std::int64_t>(0, max_new)));
  Continuation c;
  for (std::size_t i = 0; i < count; ++i)
    c.tokens.push_back(" " + k_continuation[rng.below(k_continuation.size())]);
  c.finish_reason = count < natural ? "length" : "stop";
  return c;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string text;
  for (const auto& token : tokens)
    text += token;
  return text;
}

} // namespace

std::string chat_reply_text(const nlohmann::json& messages) {
  std::string last;
  if (messages.is_array()) {
    for (const auto& message : messages) {
      if (message.is_object() && message.value("role", "") == "user" &&
          message.contains("content")) {
        last = content_text(message["content"]);
      }
    }
  }
  if (last.empty())
    return "Hello! How can I help you today?";
  return "You said: " + last;
}

Reply chat_completion(const nlohmann::json& body, const Generator& generator) {
  if (!body.is_object())
    return error_reply(422, "Failed to deserialize the JSON body into the target type");
  if (!body.contains("messages") || !body["messages"].is_array()) {
    Reply reply;
    reply.status = 422;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = "Failed to deserialize the JSON body into the target type: missing field "
                 "`messages` at line 1 column " +
                 std::to_string(body.dump().size());
    return reply;
  }
  if (!generator.chat_template)
    return tgi_error_reply(422, "Template error: template not found", "template_error");
  const bool stream = body.value("stream", false);
  const nlohmann::json& messages = body["messages"];
  const std::size_t prompt = prompt_tokens(messages);
  const std::int64_t max_tokens = requested_tokens(body, 256);
  if (max_tokens < 0 ||
      static_cast<std::int64_t>(prompt) + max_tokens > generator.max_total_tokens) {
    return over_limit(generator, validation_message(prompt, max_tokens, generator.max_total_tokens),
                      stream);
  }

  std::string text = chat_reply_text(messages);
  const nlohmann::json format = body.value("response_format", nlohmann::json::object());
  if (format.is_object() &&
      (format.value("type", "") == "json_object" || format.value("type", "") == "json_schema")) {
    text = json{{"reply", text}}.dump();
  }
  auto tokens = tokenize(text);
  std::string finish = "stop";
  if (static_cast<std::int64_t>(tokens.size()) > max_tokens) {
    tokens.resize(static_cast<std::size_t>(max_tokens));
    finish = "length";
  }
  const std::string id = generation_id("chatcmpl-", body);
  const std::int64_t created = unix_now();
  const json usage = usage_of(prompt, tokens.size());

  if (!stream) {
    return json_reply(
        200, json{{"object", "chat.completion"},
                  {"id", id},
                  {"created", created},
                  {"model", generator.model_field},
                  {"system_fingerprint", generator.system_fingerprint},
                  {"choices",
                   json::array({{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", joined(tokens)}}},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish}}})},
                  {"usage", usage}});
  }
  const bool include_usage = body.contains("stream_options") &&
                             body["stream_options"].is_object() &&
                             body["stream_options"].value("include_usage", false);
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  auto chunk = [&](json delta, json finish_reason) {
    json c{{"object", "chat.completion.chunk"},
           {"id", id},
           {"created", created},
           {"model", generator.model_field},
           {"system_fingerprint", generator.system_fingerprint},
           {"choices", json::array({{{"index", 0},
                                     {"delta", std::move(delta)},
                                     {"logprobs", nullptr},
                                     {"finish_reason", std::move(finish_reason)}}})}};
    c["usage"] = nullptr;
    return sse_frame(c.dump());
  };
  reply.events.push_back(chunk(json{{"role", "assistant"}}, nullptr));
  for (const auto& token : tokens)
    reply.events.push_back(chunk(json{{"content", token}}, nullptr));
  reply.events.push_back(chunk(json::object(), finish));
  if (include_usage) {
    json c{{"object", "chat.completion.chunk"},
           {"id", id},
           {"created", created},
           {"model", generator.model_field},
           {"system_fingerprint", generator.system_fingerprint},
           {"choices", json::array()},
           {"usage", usage}};
    reply.events.push_back(sse_frame(c.dump()));
  }
  reply.events.push_back(sse_frame("[DONE]"));
  return reply;
}

Reply text_completion(const nlohmann::json& body, const Generator& generator) {
  if (!body.is_object() || !body.contains("prompt")) {
    Reply reply;
    reply.status = 422;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = "Failed to deserialize the JSON body into the target type: missing field `prompt` "
                 "at line 1 column " +
                 std::to_string(body.dump().size());
    return reply;
  }
  std::string prompt;
  if (body["prompt"].is_string())
    prompt = body["prompt"].get<std::string>();
  if (body["prompt"].is_array() && !body["prompt"].empty() && body["prompt"][0].is_string()) {
    prompt = body["prompt"][0].get<std::string>();
  }
  const bool stream = body.value("stream", false);
  const std::size_t prompt_count = split_words(prompt).size();
  const std::int64_t max_tokens = requested_tokens(body, 16);
  if (max_tokens < 0 ||
      static_cast<std::int64_t>(prompt_count) + max_tokens > generator.max_total_tokens) {
    return over_limit(generator,
                      validation_message(prompt_count, max_tokens, generator.max_total_tokens),
                      stream);
  }
  const Continuation c = continue_prompt(prompt, max_tokens);
  const std::string id = generation_id("cmpl-", body);
  const std::int64_t created = unix_now();
  const json usage = usage_of(prompt_count, c.tokens.size());
  if (!stream) {
    return json_reply(200, json{{"id", id},
                                {"object", "text_completion"},
                                {"created", created},
                                {"model", generator.model_field},
                                {"system_fingerprint", generator.system_fingerprint},
                                {"choices", json::array({{{"index", 0},
                                                          {"text", joined(c.tokens)},
                                                          {"logprobs", nullptr},
                                                          {"finish_reason", c.finish_reason}}})},
                                {"usage", usage}});
  }
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  for (std::size_t i = 0; i < c.tokens.size(); ++i) {
    const bool last = i + 1 == c.tokens.size();
    json chunk{{"id", id},
               {"object", "text_completion"},
               {"created", created},
               {"model", generator.model_field},
               {"system_fingerprint", generator.system_fingerprint},
               {"choices",
                json::array({{{"index", 0},
                              {"text", c.tokens[i]},
                              {"logprobs", nullptr},
                              {"finish_reason", last ? json(c.finish_reason) : json(nullptr)}}})}};
    chunk["usage"] = last ? usage : json(nullptr);
    reply.events.push_back(sse_frame(chunk.dump()));
  }
  reply.events.push_back(sse_frame("[DONE]"));
  return reply;
}

namespace {

// TGI's validation failure (router/src/validation.rs messages): a 422, or inside a stream an error
// event of a 200 reply, as recorded for the token limit.
Reply tgi_invalid(const std::string& message, bool stream) {
  const json error{{"error", "Input validation error: " + message}, {"error_type", "validation"}};
  if (!stream)
    return json_reply(422, error);
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  reply.events.push_back(sse_frame(error.dump()));
  return reply;
}

constexpr int k_max_best_of = 2;      // TGI's --max-best-of default
constexpr int k_max_top_n_tokens = 5; // TGI's --max-top-n-tokens default
constexpr int k_max_stop_sequences = 4;

bool is_sampling(const nlohmann::json& p) {
  return p.value("do_sample", false) || p.contains("temperature") || p.contains("top_k") ||
         p.contains("top_p") || p.contains("typical_p");
}

// The checks of TGI's Validation::validate that a request can fail without a model.
std::optional<std::string> tgi_check(const nlohmann::json& p, bool stream) {
  const auto count = [&](const char* key, std::int64_t fallback) {
    return p.contains(key) && p[key].is_number_integer() ? p[key].get<std::int64_t>() : fallback;
  };
  const std::int64_t best_of = count("best_of", 1);
  if (best_of < 1 || best_of > k_max_best_of)
    return "`best_of` must be > 0 and <= " + std::to_string(k_max_best_of) +
           ". Given: " + std::to_string(best_of);
  if (best_of > 1 && stream)
    return "`best_of` != 1 is not supported when streaming tokens";
  if (best_of > 1 && !is_sampling(p))
    return "you must use sampling when `best_of` is > 1";
  if (best_of > 1 && p.contains("seed") && !p["seed"].is_null())
    return "`seed` must not be set when `best_of` > 1";
  if (p.value("decoder_input_details", false) && stream)
    return "`decoder_input_details` == true is not supported when streaming tokens";
  if (p.contains("temperature") && p["temperature"].is_number() &&
      p["temperature"].get<double>() <= 0)
    return "`temperature` must be strictly positive";
  if (p.contains("top_p") && p["top_p"].is_number() &&
      (p["top_p"].get<double>() <= 0 || p["top_p"].get<double>() >= 1))
    return "`top_p` must be > 0.0 and < 1.0";
  const std::int64_t top_n = count("top_n_tokens", 0);
  if (top_n > k_max_top_n_tokens)
    return "`top_n_tokens` must be >= 0 and <= " + std::to_string(k_max_top_n_tokens) +
           ". Given: " + std::to_string(top_n);
  if (p.contains("stop") && p["stop"].is_array() &&
      p["stop"].size() > static_cast<std::size_t>(k_max_stop_sequences))
    return "`stop` supports up to " + std::to_string(k_max_stop_sequences) +
           " stop sequences. Given: " + std::to_string(p["stop"].size());
  return std::nullopt;
}

// A value of a JSON Schema, deterministic: what a grammar-constrained model would fill in.
nlohmann::json schema_value(const nlohmann::json& schema, Rng& rng) {
  const std::string type = schema.is_object() ? schema.value("type", "string") : "string";
  if (schema.is_object() && schema.contains("enum") && schema["enum"].is_array() &&
      !schema["enum"].empty())
    return schema["enum"][rng.below(schema["enum"].size())];
  if (type == "integer") {
    const std::int64_t lo = schema.value("minimum", std::int64_t{0});
    const std::int64_t hi = schema.value("maximum", lo + 9);
    return lo + static_cast<std::int64_t>(rng.below(static_cast<std::size_t>(hi - lo + 1)));
  }
  if (type == "number")
    return round_score(10 * rng.uniform());
  if (type == "boolean")
    return rng.below(2) == 1;
  if (type == "array") {
    nlohmann::json items = nlohmann::json::array();
    const nlohmann::json item_schema =
        schema.contains("items") ? schema["items"] : nlohmann::json::object();
    for (std::size_t i = 0, n = 1 + rng.below(3); i < n; ++i)
      items.push_back(schema_value(item_schema, rng));
    return items;
  }
  if (type == "object") {
    nlohmann::json out = nlohmann::json::object();
    if (schema.contains("properties") && schema["properties"].is_object()) {
      for (const auto& [key, sub] : schema["properties"].items())
        out[key] = schema_value(sub, rng);
    }
    return out;
  }
  return k_continuation[rng.below(k_continuation.size())];
}

// The text a grammar forces, or the validation message of a bad grammar. A regex is met by the
// first of a few candidates that matches it (the emulator has no regex generator).
struct Forced {
  std::optional<std::string> text;
  std::optional<std::string> invalid;
};

Forced grammar_text(const nlohmann::json& grammar, std::string_view prompt) {
  Forced out;
  Rng rng(hash_bytes(prompt) ^ 0x9e3779b97f4a7c15ULL);
  const std::string type = grammar.value("type", "");
  if (type == "json" || type == "json_object") {
    nlohmann::json schema = grammar.value("value", nlohmann::json());
    if (schema.is_string())
      schema = nlohmann::json::parse(schema.get<std::string>(), nullptr, false);
    if (!schema.is_object()) {
      out.invalid = "grammar is not valid: expected a JSON Schema object";
    } else if (!schema.contains("properties")) {
      out.invalid = "grammar is not valid: Grammar must have a 'properties' field";
    } else {
      nlohmann::json object_schema = schema;
      object_schema["type"] = "object";
      out.text = schema_value(object_schema, rng).dump();
    }
    return out;
  }
  const std::string pattern = grammar.value("value", "");
  std::regex re;
  try {
    re = std::regex(pattern);
  } catch (const std::regex_error&) {
    out.invalid = "grammar is not valid: bad regex";
    return out;
  }
  std::vector<std::string> candidates = {"yes", "no", "42", "true", "false", "A", "B", "C"};
  candidates.insert(candidates.end(), k_continuation.begin(), k_continuation.end());
  for (const auto& c : candidates) {
    if (std::regex_match(c, re)) {
      out.text = c;
      return out;
    }
  }
  out.invalid = "grammar is not valid: the emulator finds no text matching this regex";
  return out;
}

// Pieces of a forced text, the way a tokenizer cuts JSON: punctuation alone, words whole.
std::vector<std::string> pieces_of(const std::string& text) {
  std::vector<std::string> out;
  std::string piece;
  for (char c : text) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    if (!word && !piece.empty()) {
      out.push_back(piece);
      piece.clear();
    }
    piece += c;
    if (!word) {
      out.push_back(piece);
      piece.clear();
    }
  }
  if (!piece.empty())
    out.push_back(piece);
  return out;
}

json token_of(const std::string& text, double logprob, bool special = false) {
  return json{
      {"id", hash_bytes(text) % 32000}, {"text", text}, {"logprob", logprob}, {"special", special}};
}

// One generated sequence: its tokens (with logprobs), text and finish reason.
struct Sequence {
  std::vector<std::string> tokens;
  std::vector<double> logprobs;
  std::string finish; // TGI's: length, eos_token, stop_sequence
  std::string text;
};

Sequence generate(std::string_view prompt,
                  const nlohmann::json& p,
                  std::int64_t max_new,
                  const std::string& salt) {
  Sequence s;
  const Continuation c = continue_prompt(std::string(prompt) + salt, max_new);
  s.tokens = c.tokens;
  s.finish = c.finish_reason == "stop" ? "eos_token" : "length";
  if (p.contains("grammar") && p["grammar"].is_object()) {
    const Forced forced = grammar_text(p["grammar"], std::string(prompt) + salt);
    s.tokens = pieces_of(forced.text.value_or(""));
    if (static_cast<std::int64_t>(s.tokens.size()) > max_new)
      s.tokens.resize(static_cast<std::size_t>(std::max<std::int64_t>(0, max_new)));
    else
      s.finish = "eos_token";
  }
  if (p.contains("stop") && p["stop"].is_array()) {
    std::string so_far;
    for (std::size_t i = 0; i < s.tokens.size(); ++i) {
      so_far += s.tokens[i];
      bool hit = false;
      for (const auto& stop : p["stop"]) {
        if (stop.is_string() && !stop.get<std::string>().empty() &&
            so_far.find(stop.get<std::string>()) != std::string::npos)
          hit = true;
      }
      if (hit) {
        s.tokens.resize(i + 1); // TGI keeps the token that completed the stop sequence
        s.finish = "stop_sequence";
        break;
      }
    }
  }
  Rng rng(hash_bytes(std::string(prompt) + salt + "logprobs"));
  for (std::size_t i = 0; i < s.tokens.size(); ++i)
    s.logprobs.push_back(-round_score(3 * rng.uniform()));
  s.text = joined(s.tokens);
  return s;
}

json tokens_json(const Sequence& s) {
  json out = json::array();
  for (std::size_t i = 0; i < s.tokens.size(); ++i)
    out.push_back(token_of(s.tokens[i], s.logprobs[i]));
  return out;
}

// top_n_tokens: the chosen token first, then less likely ones.
json top_tokens_json(const Sequence& s, std::int64_t n) {
  json out = json::array();
  for (std::size_t i = 0; i < s.tokens.size(); ++i) {
    json list = json::array({token_of(s.tokens[i], s.logprobs[i])});
    Rng rng(hash_bytes(s.tokens[i]) + i);
    double logprob = s.logprobs[i];
    for (std::int64_t k = 1; k < n; ++k) {
      logprob = round_score(logprob - 0.5 - rng.uniform());
      list.push_back(token_of(" " + k_continuation[rng.below(k_continuation.size())], logprob));
    }
    out.push_back(std::move(list));
  }
  return out;
}

// decoder_input_details: the prompt's tokens, the first without a logprob.
json prefill_json(const std::string& inputs) {
  json out = json::array();
  Rng rng(hash_bytes(inputs) + 7);
  for (const auto& t : tokenize(inputs)) {
    out.push_back(
        json{{"id", hash_bytes(t) % 32000},
             {"text", t},
             {"logprob", out.empty() ? json(nullptr) : json(-round_score(5 * rng.uniform()))}});
  }
  return out;
}

} // namespace

Reply text_generation(const nlohmann::json& body, const Generator& generator, bool tgi) {
  if (!body.is_object() || !body.contains("inputs") || !body["inputs"].is_string()) {
    Reply reply;
    reply.status = 422;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = "Failed to deserialize the JSON body into the target type: missing field `inputs` "
                 "at line 1 column " +
                 std::to_string(body.dump().size());
    return reply;
  }
  const std::string inputs = body["inputs"].get<std::string>();
  const nlohmann::json parameters = body.contains("parameters") && body["parameters"].is_object()
                                        ? body["parameters"]
                                        : nlohmann::json::object();
  if (!tgi) {
    // A transformers pipeline rejects TGI-only generation arguments (recorded for gpt2).
    std::vector<std::string> unused;
    for (const char* key :
         {"watermark", "stop", "decoder_input_details", "best_of", "top_n_tokens", "grammar"}) {
      if (parameters.contains(key))
        unused.emplace_back(key);
    }
    if (!unused.empty()) {
      std::string list = "[";
      for (std::size_t i = 0; i < unused.size(); ++i)
        list += (i == 0 ? "'" : ", '") + unused[i] + "'";
      list += "]";
      return json_reply(
          400, json{{"error",
                     "The following `model_kwargs` are not used by the model: " + list +
                         " (note: typos in the generate arguments will also show up in this list)"},
                    {"warnings", json::array()}});
    }
  }
  const bool stream = tgi && body.value("stream", false);
  if (tgi) {
    if (parameters.contains("grammar") && !parameters["grammar"].is_null()) {
      const auto& g = parameters["grammar"];
      const std::string type = g.is_object() ? g.value("type", "") : "";
      if (type != "json" && type != "json_object" && type != "regex") {
        return tgi_error_reply(422,
                               "Failed to deserialize the JSON body into the target type: "
                               "parameters.grammar: unknown variant `" +
                                   type + "`, expected `json` or `regex`",
                               "validation");
      }
      if (const Forced forced = grammar_text(g, inputs); forced.invalid)
        return tgi_invalid(*forced.invalid, stream);
    }
    if (auto invalid = tgi_check(parameters, stream))
      return tgi_invalid(*invalid, stream);
  }
  const std::size_t input_tokens = split_words(inputs).size();
  const std::int64_t max_new = requested_tokens(parameters, 20);
  if (max_new < 0 ||
      static_cast<std::int64_t>(input_tokens) + max_new > generator.max_total_tokens) {
    return over_limit(
        generator, validation_message(input_tokens, max_new, generator.max_total_tokens), stream);
  }
  const bool given_seed = parameters.contains("seed") && parameters["seed"].is_number_unsigned();
  // A seed changes what sampling draws; greedy decoding gives the same text whatever the seed.
  const std::string salt = given_seed && is_sampling(parameters)
                               ? "\x1fseed " + parameters["seed"].dump()
                               : std::string();
  const Sequence best = generate(inputs, parameters, max_new, salt);
  const bool full_text = parameters.value("return_full_text", !tgi);
  const std::string generated = (full_text ? inputs : std::string()) + best.text;
  // TGI reports the seed it sampled with; greedy decoding has none.
  const auto seed_of = [&](const std::string& s) -> json {
    if (given_seed)
      return parameters["seed"];
    if (!is_sampling(parameters))
      return nullptr;
    return hash_bytes(inputs + s);
  };
  const bool details = tgi && parameters.value("details", false);
  const std::int64_t top_n = parameters.value("top_n_tokens", std::int64_t{0});
  if (!stream) {
    json out{{"generated_text", generated}};
    if (details) {
      json d{{"finish_reason", best.finish},
             {"generated_tokens", best.tokens.size()},
             {"seed", seed_of(salt)},
             {"prefill", parameters.value("decoder_input_details", false) ? prefill_json(inputs)
                                                                          : json::array()},
             {"tokens", tokens_json(best)}};
      if (top_n > 0)
        d["top_tokens"] = top_tokens_json(best, top_n);
      const std::int64_t best_of = parameters.value("best_of", std::int64_t{1});
      if (best_of > 1) {
        json sequences = json::array();
        for (std::int64_t k = 1; k < best_of; ++k) {
          const std::string other_salt = salt + "\x1f" + "best_of " + std::to_string(k);
          const Sequence other = generate(inputs, parameters, max_new, other_salt);
          json seq{{"generated_text", (full_text ? inputs : std::string()) + other.text},
                   {"finish_reason", other.finish},
                   {"generated_tokens", other.tokens.size()},
                   {"seed", seed_of(other_salt)},
                   {"prefill", d["prefill"]},
                   {"tokens", tokens_json(other)}};
          if (top_n > 0)
            seq["top_tokens"] = top_tokens_json(other, top_n);
          sequences.push_back(std::move(seq));
        }
        d["best_of_sequences"] = sequences;
      }
      out["details"] = std::move(d);
    }
    return json_reply(200, json::array({out}));
  }
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  const json tokens = tokens_json(best);
  const json top = top_n > 0 ? top_tokens_json(best, top_n) : json::array();
  for (std::size_t i = 0; i < best.tokens.size(); ++i) {
    const bool last = i + 1 == best.tokens.size();
    json event{{"index", i + 1}, {"token", tokens[i]}};
    if (top_n > 0)
      event["top_tokens"] = top[i];
    event["generated_text"] = last ? json(generated) : json(nullptr);
    event["details"] = last && details ? json{{"finish_reason", best.finish},
                                              {"generated_tokens", best.tokens.size()},
                                              {"seed", seed_of(salt)},
                                              {"input_length", input_tokens}}
                                       : json(nullptr);
    reply.events.push_back(sse_frame(event.dump()));
  }
  return reply;
}

} // namespace emulator::router
