// The endpoints role's self-hosted inference servers: every world "endpoint_servers" entry answers
// under /servers/{name} as the engine its "flavor" names (TGI, TEI, vLLM, SGLang, transformers
// serve, llama.cpp, Ollama, the Inference Toolkit, a custom handler). This file routes a request
// to its flavour, applies what all of them share (API key, 2 MB payload limit, llama.cpp's
// loading window) and serves the OpenAI routes; docs/emulator.md, "Inference servers (the
// endpoints role)", lists the routes and what each real engine does.
#include "endpoint_server_common.hpp"
#include "router_chat.hpp"
#include "router_tasks.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace emulator::servers {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string spec_string(const json& spec, const char* key) {
  if (spec.is_object() && spec.contains(key) && spec[key].is_string())
    return spec[key].get<std::string>();
  return {};
}

std::string string_field(const json& doc, const char* key) {
  return spec_string(doc, key);
}

std::optional<json> body_json(const httplib::Request& req) {
  auto doc = json::parse(req.body, nullptr, false);
  if (doc.is_discarded())
    return std::nullopt;
  return doc;
}

Reply text_reply(int status, std::string_view content_type, std::string body) {
  Reply reply;
  reply.status = status;
  reply.content_type = std::string(content_type);
  reply.body = std::move(body);
  return reply;
}

Tokens generate_tokens(const std::string& prompt, std::int64_t max_new) {
  router::Generator generator;
  generator.max_total_tokens = 1 << 30;
  const json body{{"inputs", prompt},
                  {"parameters", {{"max_new_tokens", max_new}, {"details", true}}}};
  const Reply reply = router::text_generation(body, generator, true);
  Tokens out;
  const auto doc = json::parse(reply.body, nullptr, false);
  if (!doc.is_array() || doc.empty() || !doc[0].is_object() || !doc[0].contains("details"))
    return out;
  const json& details = doc[0]["details"];
  out.finish_reason = string_field(details, "finish_reason");
  if (details.contains("tokens") && details["tokens"].is_array()) {
    for (const auto& token : details["tokens"])
      out.texts.push_back(string_field(token, "text"));
  }
  return out;
}

std::vector<std::string> word_tokens(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& word : router::split_words(text))
    out.push_back(out.empty() ? word : " " + word);
  return out;
}

void fail_stream(Reply& reply, std::string error_event) {
  std::size_t keep = 0;
  for (std::size_t i = 0; i < reply.events.size() && keep == 0; ++i) {
    if (router::starts_with(reply.events[i], "data:"))
      keep = i + 1;
  }
  reply.events.resize(keep);
  reply.events.push_back(std::move(error_event));
}

namespace {

bool has_marker(const httplib::Request& req) {
  return req.body.find(k_stream_error_marker) != std::string::npos;
}

// The error body of an OpenAI route in the flavour's own shape.
Reply api_error(const std::string& flavor,
                int status,
                const std::string& message,
                const std::string& type,
                const std::string& param) {
  if (flavor == "tgi")
    return router::tgi_error_reply(status == 400 ? 422 : status, message, "validation");
  if (flavor == "llamacpp") {
    return router::json_reply(
        status, ojson{{"error", {{"code", status}, {"message", message}, {"type", type}}}});
  }
  if (flavor == "ollama") {
    return router::json_reply(status, ojson{{"error",
                                             {{"message", message},
                                              {"type", type},
                                              {"param", param.empty() ? ojson() : ojson(param)},
                                              {"code", nullptr}}}});
  }
  // vLLM, SGLang and transformers serve: {"error": {"message", "type", "param", "code"}}.
  return router::json_reply(status, ojson{{"error",
                                           {{"message", message},
                                            {"type", type},
                                            {"param", param.empty() ? ojson() : ojson(param)},
                                            {"code", status}}}});
}

// Ollama names "llama3.2" and "llama3.2:latest" the same model.
std::string ollama_name(std::string name) {
  if (!name.empty() && name.find(':') == std::string::npos)
    name += ":latest";
  return name;
}

bool is_embedding_spec(const json& spec) {
  const std::string task = spec_string(spec, "task");
  return task == "feature-extraction" || task == "sentence-similarity";
}

// Checks what every OpenAI generation route checks; the error reply, or nullopt.
std::optional<Reply> check_openai_body(const Call& call, const json& body, const char* api) {
  const std::string flavor = spec_string(call.spec, "flavor");
  const std::string served = spec_string(call.spec, "model");
  const std::string model = string_field(body, "model");
  if ((flavor == "vllm" || flavor == "sglang") && is_embedding_spec(call.spec)) {
    return api_error(flavor, 400, std::string("The model does not support ") + api + " API",
                     "BadRequestError", "");
  }
  if ((flavor == "vllm" || flavor == "sglang") && !model.empty() && model != served) {
    return api_error(flavor, 404, "The model `" + model + "` does not exist.", "NotFoundError",
                     "model");
  }
  if (flavor == "transformers-serve" && model.empty())
    return api_error(flavor, 400, "A `model` is required", "invalid_request_error", "model");
  if (flavor == "ollama" && ollama_name(model) != ollama_name(served)) {
    return api_error(flavor, 404, "model \"" + model + "\" not found, try pulling it first",
                     "api_error", "");
  }
  for (const char* key : {"temperature", "top_p", "frequency_penalty", "presence_penalty"}) {
    if (body.contains(key) && !body[key].is_null() &&
        (!body[key].is_number() || body[key].get<double>() < 0)) {
      return api_error(flavor, 400, std::string(key) + " must be a non-negative number",
                       "BadRequestError", key);
    }
  }
  for (const char* key : {"max_tokens", "max_completion_tokens", "n"}) {
    if (body.contains(key) && !body[key].is_null() &&
        (!body[key].is_number_integer() || body[key].get<std::int64_t>() < 1)) {
      return api_error(flavor, 400, std::string(key) + " must be a positive integer",
                       "BadRequestError", key);
    }
  }
  if (body.contains("stream") && !body["stream"].is_boolean())
    return api_error(flavor, 400, "stream must be a boolean", "BadRequestError", "stream");
  return std::nullopt;
}

router::Generator generator_for(const Call& call, const json& body) {
  const std::string flavor = spec_string(call.spec, "flavor");
  router::Generator generator;
  generator.model_field = spec_string(call.spec, "model");
  if (flavor == "transformers-serve" || flavor == "ollama" || flavor == "llamacpp") {
    const std::string requested = string_field(body, "model");
    if (!requested.empty())
      generator.model_field = requested;
  }
  generator.system_fingerprint = flavor == "tgi" ? "3.3.5-native" : "";
  generator.tgi_errors = flavor == "tgi";
  generator.max_total_tokens = flavor == "tgi" ? 4096 : 32768;
  return generator;
}

std::string stream_error_event(const std::string& flavor) {
  const std::string message = "Request failed during generation: emulated failure";
  if (flavor == "tgi")
    return router::sse_frame(json{{"error", message}, {"error_type", "generation"}}.dump());
  return router::sse_frame(
      json{{"error", {{"message", message}, {"type", "InternalServerError"}, {"code", 500}}}}
          .dump());
}

Reply models_list(const Call& call, std::string_view owned_by) {
  const std::string flavor = spec_string(call.spec, "flavor");
  const std::string model = spec_string(call.spec, "model");
  ojson card{{"id", model},
             {"object", "model"},
             {"created", flavor == "tgi" ? 0 : router::unix_now()},
             {"owned_by", std::string(owned_by)}};
  if (flavor == "vllm") {
    card["root"] = model;
    card["parent"] = nullptr;
    card["max_model_len"] = 32768;
  }
  return router::json_reply(200, ojson{{"object", "list"}, {"data", ojson::array({card})}});
}

} // namespace

Reply embeddings_reply(const std::string& model, const json& input, std::size_t dimensions) {
  std::vector<std::string> texts;
  if (input.is_string())
    texts.push_back(input.get<std::string>());
  if (input.is_array()) {
    for (const auto& item : input) {
      if (item.is_string())
        texts.push_back(item.get<std::string>());
    }
  }
  ojson data = ojson::array();
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    ojson vector = ojson::array();
    for (double v : router::embed_text(texts[i], dimensions))
      vector.push_back(static_cast<float>(v));
    tokens += router::split_words(texts[i]).size();
    data.push_back(ojson{{"object", "embedding"}, {"embedding", vector}, {"index", i}});
  }
  return router::json_reply(
      200, ojson{{"object", "list"},
                 {"data", data},
                 {"model", model},
                 {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

std::optional<Reply> openai_routes(const Call& call, std::string_view owned_by) {
  const std::string flavor = spec_string(call.spec, "flavor");
  const bool get = call.req.method == "GET";
  if (get && call.path == "/v1/models")
    return models_list(call, owned_by);
  if (get)
    return std::nullopt;
  const bool chat = call.path == "/v1/chat/completions" || call.path == "/chat/completions";
  const bool completions = call.path == "/v1/completions" || call.path == "/completions";
  const bool embeddings = call.path == "/v1/embeddings" && flavor != "tgi";
  if (!chat && !completions && !embeddings)
    return std::nullopt;
  const auto body = body_json(call.req);
  if (!body || !body->is_object()) {
    return api_error(flavor, 400, "The request body is not a JSON object", "BadRequestError", "");
  }
  if (embeddings) {
    if ((flavor == "vllm" || flavor == "sglang") && !is_embedding_spec(call.spec)) {
      return api_error(flavor, 400, "The model does not support Embeddings API", "BadRequestError",
                       "");
    }
    const std::string model = string_field(*body, "model");
    if (flavor == "ollama" && ollama_name(model) != ollama_name(spec_string(call.spec, "model"))) {
      return api_error(flavor, 404, "model \"" + model + "\" not found, try pulling it first",
                       "api_error", "");
    }
    if (!body->contains("input") ||
        !((*body)["input"].is_string() || (*body)["input"].is_array()) ||
        ((*body)["input"].is_array() && (*body)["input"].empty())) {
      return api_error(flavor, 400, "`input` must be a string or a non-empty list of strings",
                       "BadRequestError", "input");
    }
    return embeddings_reply(generator_for(call, *body).model_field, (*body)["input"], 384);
  }
  if (auto bad = check_openai_body(call, *body, chat ? "Chat Completions" : "Completions"))
    return bad;
  const router::Generator generator = generator_for(call, *body);
  Reply reply =
      chat ? router::chat_completion(*body, generator) : router::text_completion(*body, generator);
  if (reply.stream) {
    if (has_marker(call.req))
      fail_stream(reply, stream_error_event(flavor));
    if (flavor == "tgi") // axum's SSE keep-alive: a comment line clients must skip
      reply.events.insert(reply.events.begin(), ":\n\n");
  }
  return reply;
}

Reply serve_openai_engine(const Call& call) {
  const std::string flavor = spec_string(call.spec, "flavor");
  const bool get = call.req.method == "GET";
  if (get && call.path == "/health") {
    if (flavor == "transformers-serve")
      return router::json_reply(200, ojson{{"status", "ok"}});
    return text_reply(200, "application/json", "");
  }
  if (get && call.path == "/version" && flavor == "vllm")
    return router::json_reply(200, ojson{{"version", "0.11.0"}});
  if (get && call.path == "/metrics" && flavor != "transformers-serve") {
    return text_reply(200, "text/plain; version=0.0.4",
                      "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 0\n");
  }
  const std::string owned_by = flavor == "transformers-serve" ? "huggingface" : flavor;
  if (auto reply = openai_routes(call, owned_by)) {
    // transformers serve echoes the caller's request id (cli/serving/server.py).
    if (flavor == "transformers-serve" && call.req.has_header("x-request-id"))
      reply->headers.emplace_back("x-request-id", call.req.get_header_value("x-request-id"));
    return *reply;
  }
  // FastAPI's answer to a route it does not have.
  return router::json_reply(404, ojson{{"detail", "Not Found"}});
}

namespace {

// llama.cpp's loading window: from the first request a server receives until loading_ms later.
class LoadingClock {
public:
  bool loading(const std::string& name, std::int64_t loading_ms) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_mutex);
    auto [it, inserted] = m_first.try_emplace(name, now);
    (void)inserted;
    return now - it->second < std::chrono::milliseconds(loading_ms);
  }

private:
  std::mutex m_mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> m_first;
};

LoadingClock& loading_clock() {
  static LoadingClock clock;
  return clock;
}

// Routes a server answers without its API key (TEI's public routes, llama.cpp's /health).
bool public_route(const std::string& flavor, const std::string& path, const std::string& method) {
  if (method != "GET")
    return false;
  if (flavor == "tei")
    return path == "/health" || path == "/" || path == "/ping" || path == "/metrics";
  if (flavor == "llamacpp")
    return path == "/health" || path == "/v1/health";
  return false;
}

void send(httplib::Response& res, const Reply& reply) {
  if (!reply.stream && reply.body.empty() && reply.status >= 400) {
    // A bare error (TGI's empty 404, an API key's 401): a zero-length provider, so that the
    // emulator's error handler (faults.cpp) leaves the body empty as the real servers do.
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers)
      res.set_header(name, value);
    res.set_content_provider(0, reply.content_type,
                             [](std::size_t, std::size_t, httplib::DataSink& sink) {
                               sink.done();
                               return true;
                             });
    return;
  }
  router::send(res, reply);
}

Reply dispatch(const Call& call) {
  const std::string flavor = spec_string(call.spec, "flavor");
  const std::string key = spec_string(call.spec, "api_key");
  if (!key.empty() && !public_route(flavor, call.path, call.req.method) &&
      call.req.get_header_value("Authorization") != "Bearer " + key) {
    return text_reply(401, "text/plain", "");
  }
  if ((flavor == "tgi" || flavor == "tei") && call.req.body.size() > k_payload_limit)
    return text_reply(413, "text/plain; charset=utf-8",
                      "Failed to buffer the request body: length limit exceeded");
  if (flavor == "llamacpp" && call.spec.contains("loading_ms") &&
      call.spec["loading_ms"].is_number_integer() &&
      loading_clock().loading(spec_string(call.spec, "name"),
                              call.spec["loading_ms"].get<std::int64_t>())) {
    return router::json_reply(
        503, ojson{{"error",
                    {{"code", 503}, {"message", "Loading model"}, {"type", "unavailable_error"}}}});
  }
  if (flavor == "tgi")
    return serve_tgi(call);
  if (flavor == "tei")
    return serve_tei(call);
  if (flavor == "vllm" || flavor == "sglang" || flavor == "transformers-serve")
    return serve_openai_engine(call);
  if (flavor == "llamacpp")
    return serve_llamacpp(call);
  if (flavor == "ollama")
    return serve_ollama(call);
  if (flavor == "toolkit")
    return serve_toolkit(call);
  if (flavor == "custom")
    return serve_custom(call);
  return text_reply(404, "text/plain", "Not Found");
}

const json* find_server(const Context& ctx, const std::string& name) {
  if (!ctx.world.contains("endpoint_servers") || !ctx.world["endpoint_servers"].is_array())
    return nullptr;
  for (const auto& spec : ctx.world["endpoint_servers"]) {
    if (spec_string(spec, "name") == name)
      return &spec;
  }
  return nullptr;
}

} // namespace

} // namespace emulator::servers

namespace emulator {

void serve_flavor(Context& ctx,
                  const nlohmann::json& spec,
                  const std::string& path,
                  const httplib::Request& req,
                  httplib::Response& res) {
  const std::string relative = path.empty() || path[0] != '/' ? "/" + path : path;
  const servers::Call call{ctx, spec, relative, req};
  try {
    servers::send(res, servers::dispatch(call));
  } catch (const nlohmann::json::exception& e) {
    // A body of the right syntax but the wrong types (e.g. "stream": "yes") read by a shared
    // router helper: the engines answer such bodies with a validation error.
    servers::send(res,
                  router::json_reply(422, nlohmann::ordered_json{{"error", e.what()},
                                                                 {"error_type", "validation"}}));
  }
}

void register_endpoint_server_routes(httplib::Server& server, Context& ctx) {
  const auto handler = [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1].str();
    const std::string rest = req.matches.size() > 2 ? req.matches[2].str() : std::string();
    const nlohmann::json* spec = servers::find_server(ctx, name);
    if (spec == nullptr) {
      res.status = 404;
      res.set_content(R"({"error":"no such server"})", "application/json");
      return;
    }
    serve_flavor(ctx, *spec, rest.empty() ? "/" : rest, req, res);
  };
  const std::string pattern = R"(/servers/([^/]+)(/.*)?)";
  server.Get(pattern, handler);
  server.Post(pattern, handler);
  server.Put(pattern, handler);
  server.Delete(pattern, handler);
}

} // namespace emulator
