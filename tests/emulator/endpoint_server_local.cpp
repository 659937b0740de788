// The local engines of the endpoints role: llama.cpp's llama-server and Ollama, with their own
// routes next to the OpenAI ones (docs/emulator.md, "Inference servers (the endpoints role)").
// Text comes from the router part's generators, so /completion and /api/generate continue a
// prompt the way hf-inference's text generation does.
#include "endpoint_server_common.hpp"
#include "router_chat.hpp"
#include "router_tasks.hpp"

namespace emulator::servers {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

std::int64_t int_field(const json& doc, const char* key, std::int64_t fallback) {
  if (doc.is_object() && doc.contains(key) && doc[key].is_number_integer())
    return doc[key].get<std::int64_t>();
  return fallback;
}

bool bool_field(const json& doc, const char* key, bool fallback) {
  if (doc.is_object() && doc.contains(key) && doc[key].is_boolean())
    return doc[key].get<bool>();
  return fallback;
}

// ---------------------------------------------------------------------------------------------
// llama.cpp

Reply llama_error(int status, const std::string& message, const std::string& type) {
  return router::json_reply(
      status, ojson{{"error", {{"code", status}, {"message", message}, {"type", type}}}});
}

std::string gguf_path(const json& spec) {
  std::string model = spec_string(spec, "model");
  std::string base = model.substr(model.find('/') + 1);
  if (router::ends_with(base, "-GGUF"))
    base.resize(base.size() - 5);
  return "/models/" + base + "-Q4_K_M.gguf";
}

ojson llama_settings(std::int64_t n_predict) {
  return ojson{
      {"n_predict", n_predict}, {"seed", 4294967295U}, {"temperature", 0.8},    {"top_k", 40},
      {"top_p", 0.95},          {"min_p", 0.05},       {"repeat_penalty", 1.0}, {"stream", false}};
}

Reply llama_props(const Call& call) {
  return router::json_reply(
      200,
      ojson{{"default_generation_settings",
             {{"id", 0}, {"n_ctx", 4096}, {"params", llama_settings(-1)}}},
            {"total_slots", 1},
            {"model_alias", spec_string(call.spec, "model")},
            {"model_path", gguf_path(call.spec)},
            {"chat_template", "{% for message in messages %}<start_of_turn>{{ message.role }}\n"
                              "{{ message.content }}<end_of_turn>\n{% endfor %}"},
            {"modalities", {{"vision", false}, {"audio", false}}},
            {"build_info", "b6700-emulator"},
            {"is_sleeping", false}});
}

Reply llama_completion(const Call& call) {
  const auto body = body_json(call.req);
  if (!body || !body->is_object() || !body->contains("prompt") || !(*body)["prompt"].is_string()) {
    return llama_error(400, "\"prompt\" must be a string", "invalid_request_error");
  }
  const std::string prompt = (*body)["prompt"].get<std::string>();
  const std::int64_t n_predict = int_field(*body, "n_predict", 16);
  const Tokens tokens = generate_tokens(prompt, n_predict < 0 ? 64 : n_predict);
  std::string content;
  for (const auto& t : tokens.texts)
    content += t;
  const std::string stop_type = tokens.finish_reason == "length" ? "limit" : "eos";
  const std::size_t evaluated = router::split_words(prompt).size() + 1;
  auto final_fields = [&](ojson out) {
    out["id_slot"] = 0;
    out["stop"] = true;
    out["model"] = spec_string(call.spec, "model");
    out["tokens_predicted"] = tokens.texts.size();
    out["tokens_evaluated"] = evaluated;
    out["generation_settings"] = llama_settings(n_predict);
    out["prompt"] = prompt;
    out["has_new_line"] = false;
    out["truncated"] = false;
    out["stop_type"] = stop_type;
    out["stopping_word"] = "";
    out["tokens_cached"] = evaluated + tokens.texts.size();
    out["timings"] = {{"prompt_n", evaluated},
                      {"prompt_ms", 5.0},
                      {"predicted_n", tokens.texts.size()},
                      {"predicted_ms", 20.0 * static_cast<double>(tokens.texts.size())}};
    return out;
  };
  if (!bool_field(*body, "stream", false)) {
    return router::json_reply(
        200, final_fields(ojson{{"index", 0}, {"content", content}, {"tokens", ojson::array()}}));
  }
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = true;
  for (const auto& t : tokens.texts) {
    reply.events.push_back(router::sse_frame(ojson{
        {"index", 0}, {"content", t}, {"tokens", ojson::array()}, {"stop", false}, {"id_slot", -1}}
                                                 .dump()));
  }
  reply.events.push_back(router::sse_frame(
      final_fields(ojson{{"index", 0}, {"content", ""}, {"tokens", ojson::array()}}).dump()));
  if (call.req.body.find(k_stream_error_marker) != std::string::npos) {
    fail_stream(reply, router::sse_frame(ojson{
                           {"error",
                            {{"code", 500},
                             {"message", "Request failed during generation: emulated failure"},
                             {"type", "server_error"}}}}
                                             .dump()));
  }
  return reply;
}

Reply llama_embedding(const Call& call) {
  const auto body = body_json(call.req);
  const std::string content = body ? string_field(*body, "content") : "";
  if (content.empty())
    return llama_error(400, "\"content\" must be a non-empty string", "invalid_request_error");
  ojson vector = ojson::array();
  for (double v : router::embed_text(content, 384))
    vector.push_back(static_cast<float>(v));
  return router::json_reply(
      200, ojson::array({ojson{{"index", 0}, {"embedding", ojson::array({vector})}}}));
}

} // namespace

Reply serve_llamacpp(const Call& call) {
  const std::string& path = call.path;
  if (call.req.method == "GET") {
    if (path == "/health" || path == "/v1/health")
      return router::json_reply(200, ojson{{"status", "ok"}});
    if (path == "/props")
      return llama_props(call);
  } else {
    if (path == "/completion" || path == "/completions")
      return llama_completion(call);
    if (path == "/embedding" || path == "/embeddings")
      return llama_embedding(call);
  }
  if (auto reply = openai_routes(call, "llamacpp"))
    return *reply;
  return llama_error(404, "File Not Found", "not_found_error");
}

namespace {

// ---------------------------------------------------------------------------------------------
// Ollama

constexpr const char* k_ollama_digest =
    "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72";

std::string ollama_model_name(std::string name) {
  if (!name.empty() && name.find(':') == std::string::npos)
    name += ":latest";
  return name;
}

ojson ollama_details() {
  return ojson{{"parent_model", ""},       {"format", "gguf"},
               {"family", "llama"},        {"families", ojson::array({"llama"})},
               {"parameter_size", "3.2B"}, {"quantization_level", "Q4_K_M"}};
}

std::string ollama_time() {
  return "2026-01-01T00:00:00.000000000Z";
}

Reply ollama_error(int status, const std::string& message) {
  return router::json_reply(status, ojson{{"error", message}});
}

// The model check of /api/chat, /api/generate and /api/embed.
std::optional<Reply> ollama_model_check(const Call& call, const json& body) {
  const std::string model = string_field(body, "model");
  if (model.empty())
    return ollama_error(400, "model is required");
  if (ollama_model_name(model) != ollama_model_name(spec_string(call.spec, "model")))
    return ollama_error(404, "model \"" + model + "\" not found, try pulling it first");
  return std::nullopt;
}

// /api/chat and /api/generate: NDJSON lines of tokens, then the final statistics line.
Reply ollama_generate(const Call& call, bool chat) {
  const auto body = body_json(call.req);
  if (!body || !body->is_object())
    return ollama_error(400, "invalid JSON body");
  if (auto bad = ollama_model_check(call, *body))
    return *bad;
  std::vector<std::string> tokens;
  std::string done_reason = "stop";
  const json options = body->contains("options") && (*body)["options"].is_object()
                           ? (*body)["options"]
                           : json::object();
  const std::int64_t num_predict = int_field(options, "num_predict", -1);
  std::size_t prompt_count = 0;
  if (chat) {
    if (body->contains("messages") && !(*body)["messages"].is_array())
      return ollama_error(400, "messages must be an array");
    const json messages = body->contains("messages") ? (*body)["messages"] : json::array();
    tokens = word_tokens(router::chat_reply_text(messages));
    for (const auto& m : messages)
      prompt_count += router::split_words(string_field(m, "content")).size() + 4;
  } else {
    const std::string prompt = string_field(*body, "prompt");
    const Tokens generated = generate_tokens(prompt, num_predict < 0 ? 128 : num_predict);
    tokens = generated.texts;
    if (!tokens.empty() && tokens[0][0] == ' ')
      tokens[0].erase(0, 1);
    done_reason = generated.finish_reason == "length" ? "length" : "stop";
    prompt_count = router::split_words(prompt).size() + 1;
  }
  if (num_predict >= 0 && tokens.size() > static_cast<std::size_t>(num_predict)) {
    tokens.resize(static_cast<std::size_t>(num_predict));
    done_reason = "length";
  }
  const std::string model = string_field(*body, "model");
  auto piece = [&](const std::string& text, bool done) {
    ojson line{{"model", model}, {"created_at", ollama_time()}};
    if (chat)
      line["message"] = {{"role", "assistant"}, {"content", text}};
    else
      line["response"] = text;
    line["done"] = done;
    return line;
  };
  auto final_line = [&](const std::string& text) {
    ojson line = piece(text, true);
    line["done_reason"] = done_reason;
    if (!chat) {
      ojson context = ojson::array();
      for (const auto& t : tokens)
        context.push_back(router::hash_bytes(t) % 128256);
      line["context"] = context;
    }
    line["total_duration"] = 120000000 + 20000000 * tokens.size();
    line["load_duration"] = 15000000;
    line["prompt_eval_count"] = prompt_count;
    line["prompt_eval_duration"] = 5000000;
    line["eval_count"] = tokens.size();
    line["eval_duration"] = 20000000 * tokens.size();
    return line;
  };
  if (!bool_field(*body, "stream", true)) {
    std::string text;
    for (const auto& t : tokens)
      text += t;
    return router::json_reply(200, final_line(text));
  }
  Reply reply;
  reply.content_type = "application/x-ndjson";
  reply.stream = true;
  for (const auto& t : tokens)
    reply.events.push_back(piece(t, false).dump() + "\n");
  reply.events.push_back(final_line("").dump() + "\n");
  if (call.req.body.find(k_stream_error_marker) != std::string::npos) {
    reply.events.resize(std::min<std::size_t>(1, reply.events.size()));
    reply.events.push_back(ojson{{"error", "an error was encountered while running the model: "
                                           "emulated failure"}}
                               .dump() +
                           "\n");
  }
  return reply;
}

Reply ollama_embed(const Call& call) {
  const auto body = body_json(call.req);
  if (!body || !body->is_object())
    return ollama_error(400, "invalid JSON body");
  if (auto bad = ollama_model_check(call, *body))
    return *bad;
  std::vector<std::string> inputs;
  if (body->contains("input") && (*body)["input"].is_string())
    inputs.push_back((*body)["input"].get<std::string>());
  if (body->contains("input") && (*body)["input"].is_array()) {
    for (const auto& item : (*body)["input"]) {
      if (!item.is_string())
        return ollama_error(400, "invalid input type");
      inputs.push_back(item.get<std::string>());
    }
  }
  ojson embeddings = ojson::array();
  std::size_t count = 0;
  for (const auto& text : inputs) {
    ojson vector = ojson::array();
    for (double v : router::embed_text(text, 384))
      vector.push_back(static_cast<float>(v));
    embeddings.push_back(vector);
    count += router::split_words(text).size();
  }
  return router::json_reply(200, ojson{{"model", string_field(*body, "model")},
                                       {"embeddings", embeddings},
                                       {"total_duration", 14143917},
                                       {"load_duration", 1019500},
                                       {"prompt_eval_count", count}});
}

ojson ollama_model_entry(const Call& call, bool running) {
  const std::string name = ollama_model_name(spec_string(call.spec, "model"));
  ojson entry{{"name", name}, {"model", name}};
  if (!running)
    entry["modified_at"] = "2026-01-01T00:00:00Z";
  entry["size"] = 2019393189;
  entry["digest"] = k_ollama_digest;
  entry["details"] = ollama_details();
  if (running) {
    entry["expires_at"] = "2099-01-01T00:00:00Z";
    entry["size_vram"] = 2019393189;
  }
  return entry;
}

} // namespace

Reply serve_ollama(const Call& call) {
  const std::string& path = call.path;
  if (call.req.method == "GET" || call.req.method == "HEAD") {
    if (path == "/")
      return text_reply(200, "text/plain; charset=utf-8", "Ollama is running");
    if (path == "/api/version")
      return router::json_reply(200, ojson{{"version", "0.12.6"}});
    if (path == "/api/tags")
      return router::json_reply(200,
                                ojson{{"models", ojson::array({ollama_model_entry(call, false)})}});
    if (path == "/api/ps")
      return router::json_reply(200,
                                ojson{{"models", ojson::array({ollama_model_entry(call, true)})}});
  } else {
    if (path == "/api/chat")
      return ollama_generate(call, true);
    if (path == "/api/generate")
      return ollama_generate(call, false);
    if (path == "/api/embed")
      return ollama_embed(call);
  }
  if (auto reply = openai_routes(call, "library"))
    return *reply;
  return text_reply(404, "text/plain", "404 page not found");
}

} // namespace emulator::servers
