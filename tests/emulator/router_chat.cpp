#include "router_chat.hpp"

#include <algorithm>
#include <cmath>

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
  const std::size_t input_tokens = split_words(inputs).size();
  const std::int64_t max_new = requested_tokens(parameters, 20);
  if (max_new < 0 ||
      static_cast<std::int64_t>(input_tokens) + max_new > generator.max_total_tokens) {
    return over_limit(
        generator, validation_message(input_tokens, max_new, generator.max_total_tokens), stream);
  }
  const Continuation c = continue_prompt(inputs, max_new);
  const bool full_text = parameters.value("return_full_text", !tgi);
  const std::string generated = (full_text ? inputs : std::string()) + joined(c.tokens);
  const std::string finish = c.finish_reason == "stop" ? "eos_token" : "length";
  Rng rng(hash_bytes(inputs));
  auto token_json = [&](const std::string& text) {
    return json{{"id", hash_bytes(text) % 32000},
                {"text", text},
                {"logprob", -round_score(3 * rng.uniform())},
                {"special", false}};
  };
  if (!stream) {
    json out{{"generated_text", generated}};
    if (parameters.value("details", false)) {
      json tokens = json::array();
      for (const auto& token : c.tokens)
        tokens.push_back(token_json(token));
      out["details"] =
          json{{"finish_reason", finish},
               {"generated_tokens", c.tokens.size()},
               {"seed", parameters.contains("seed") ? json(parameters["seed"]) : json(nullptr)},
               {"prefill", json::array()},
               {"tokens", tokens}};
    }
    return json_reply(200, json::array({out}));
  }
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  const bool details = parameters.value("details", false);
  for (std::size_t i = 0; i < c.tokens.size(); ++i) {
    const bool last = i + 1 == c.tokens.size();
    json event{{"index", i + 1},
               {"token", token_json(c.tokens[i])},
               {"generated_text", last ? json(generated) : json(nullptr)}};
    event["details"] = last && details ? json{{"finish_reason", finish},
                                              {"generated_tokens", c.tokens.size()},
                                              {"seed", nullptr}}
                                       : json(nullptr);
    reply.events.push_back(sse_frame(event.dump()));
  }
  return reply;
}

} // namespace emulator::router
