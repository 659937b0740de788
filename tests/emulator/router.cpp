// The router part of the emulator: https://router.huggingface.co as the clients see it
// (serverless.md §1-§4). Every answer comes from, in order: the auth check, a recorded tape with
// the same method, path and body, then the world (the model's mapping and flags) and the
// generators.
#include "context.hpp"
#include "media.hpp"
#include "router_chat.hpp"
#include "router_provider_tasks.hpp"
#include "router_providers.hpp"
#include "router_tasks.hpp"
#include "router_util.hpp"
#include "tapes.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace emulator {

namespace router {
namespace {

using json = nlohmann::ordered_json; // replies keep the field order the service writes
using world_json = nlohmann::json;

constexpr std::string_view k_tgi_fingerprint = "3.2.1-native";
constexpr std::string_view k_legacy_gone =
    "https://api-inference.huggingface.co is no longer supported. Please use "
    "https://router.huggingface.co instead.";

struct State {
  Context* ctx = nullptr;
  TapeStore tapes;
  std::atomic<std::uint64_t> request_counter{0};
  std::mutex fal_mutex;
  std::map<std::string, json> fal_results; // queued fal-ai request id -> result
};

std::string request_id(State& state, const httplib::Request& req) {
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::uint64_t h = hash_bytes(req.path, hash_bytes(req.body)) ^
                    (state.request_counter.fetch_add(1) * 0x9e3779b97f4a7c15ULL);
  std::string id = "Root=1-";
  for (int i = 0; i < 24; ++i, h = (h >> 4U) | (h << 60U))
    id += k_hex[h & 15U];
  return id;
}

// The router accepts only a known token (serverless.md §3.2: 401 {"error":"Invalid username or
// password."}); a request without one gets the same answer (documented in docs/emulator.md).
std::optional<Reply> check_token(const State& state, const httplib::Request& req) {
  const std::string token = bearer_token(req);
  const world_json& world = state.ctx->world;
  const bool has_users = world.is_object() && world.contains("users") &&
                         world["users"].is_array() && !world["users"].empty();
  if (token.empty() || (has_users && state.ctx->user_for_token(token) == nullptr)) {
    Reply reply = error_reply(401, "Invalid username or password.");
    reply.content_type = "application/json; charset=utf-8";
    return reply;
  }
  // X-HF-Bill-To must name the user or one of its organizations (the body is not recorded).
  const std::string bill_to = req.get_header_value("X-HF-Bill-To");
  const world_json* user = state.ctx->user_for_token(token);
  if (!bill_to.empty() && user != nullptr && user->value("name", "") != bill_to) {
    bool member = false;
    for (const auto& org : user->value("orgs", world_json::array())) {
      member = member || (org.is_string() && org == bill_to) ||
               (org.is_object() && org.value("name", "") == bill_to);
    }
    if (!member)
      return error_reply(401, "The token cannot bill requests to '" + bill_to +
                                  "': not a member of that organization.");
  }
  return std::nullopt;
}

std::optional<Reply> from_tape(const State& state, const httplib::Request& req) {
  const Tape* tape = state.tapes.match(req.method, req.path, req.body);
  if (tape == nullptr)
    return std::nullopt;
  Reply reply;
  reply.status = tape->status;
  reply.content_type = tape->content_type;
  reply.body = tape->body;
  reply.headers.emplace_back("x-emulator-tape", "1");
  return reply;
}

// (provider, mapping) pairs of a model in the world's order (the user's preference order).
std::vector<std::pair<std::string, const world_json*>> mappings_of(const world_json& model) {
  std::vector<std::pair<std::string, const world_json*>> out;
  if (!model.contains("inferenceProviderMapping"))
    return out;
  const world_json& mappings = model["inferenceProviderMapping"];
  if (mappings.is_object()) {
    // In the world file's order (context.hpp), the order the Hub API reports.
    for (const auto& name : provider_order(model)) {
      if (mappings[name].is_object())
        out.emplace_back(name, &mappings[name]);
    }
  } else if (mappings.is_array()) {
    for (const auto& entry : mappings) {
      if (entry.is_object())
        out.emplace_back(entry.value("provider", ""), &entry);
    }
  }
  return out;
}

// The world's model that `provider` serves under `provider_id`.
const world_json*
model_by_provider_id(const Context& ctx, std::string_view provider, std::string_view provider_id) {
  if (!ctx.world.contains("models") || !ctx.world["models"].is_array())
    return nullptr;
  for (const auto& model : ctx.world["models"]) {
    const world_json* mapping = mapping_of(model, provider);
    if (mapping != nullptr && mapping->value("providerId", model.value("id", "")) == provider_id)
      return &model;
  }
  return nullptr;
}

std::string served_task(const world_json& model, const world_json* mapping) {
  if (mapping != nullptr && mapping->contains("task") && (*mapping)["task"].is_string())
    return (*mapping)["task"].get<std::string>();
  return model.value("pipeline_tag", "");
}

int max_total_tokens(const world_json& model) {
  if (model.contains("_max_tokens") && model["_max_tokens"].is_number_integer())
    return model["_max_tokens"].get<int>();
  return 4096;
}

bool is_generative(std::string_view task) {
  return task == "conversational" || task == "text-generation" || task == "image-text-to-text";
}

Reply task_mismatch(std::string_view model_id,
                    std::string_view requested,
                    std::string_view served) {
  return error_reply(400, "Model " + std::string(model_id) + " is not supported for task " +
                              std::string(requested) +
                              " and provider hf-inference. Supported task: " + std::string(served) +
                              ".");
}

Reply parse_error() {
  return error_reply(400, "Invalid JSON body");
}

// --- /hf-inference
// ----------------------------------------------------------------------------------

Reply hf_inference(State& state, const httplib::Request& req, const std::string& rest) {
  constexpr std::string_view k_models = "models/";
  if (!starts_with(rest, k_models))
    return error_reply(404, "Not Found");
  std::string id = rest.substr(k_models.size());
  enum class Route { task, pipeline, chat, completions } route = Route::task;
  std::string pipeline;
  if (ends_with(id, "/v1/chat/completions")) {
    route = Route::chat;
    id.resize(id.size() - std::string_view("/v1/chat/completions").size());
  } else if (ends_with(id, "/v1/completions")) {
    route = Route::completions;
    id.resize(id.size() - std::string_view("/v1/completions").size());
  } else if (const auto at = id.find("/pipeline/"); at != std::string::npos) {
    route = Route::pipeline;
    pipeline = id.substr(at + std::string_view("/pipeline/").size());
    id.resize(at);
  }
  const world_json* model = state.ctx->find_model(id);
  const world_json* mapping = model != nullptr ? mapping_of(*model, "hf-inference") : nullptr;
  if (model == nullptr || mapping == nullptr)
    return error_reply(404, "Model " + id + " does not exist");
  const std::string task = served_task(*model, mapping);

  Generator generator;
  generator.model_field = id;
  generator.system_fingerprint = std::string(k_tgi_fingerprint);
  generator.max_total_tokens = max_total_tokens(*model);
  generator.tgi_errors = true;
  generator.chat_template = model->value("_chat_template", true);

  if (route == Route::chat || route == Route::completions) {
    if (!is_generative(task))
      return task_mismatch(id, route == Route::chat ? "conversational" : "text-generation", task);
    const auto body = world_json::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return parse_error();
    return route == Route::chat ? chat_completion(body, generator)
                                : text_completion(body, generator);
  }
  if (route == Route::pipeline) {
    const bool equivalent =
        is_sentence_transformers(*model) &&
        (pipeline == "feature-extraction" || pipeline == "sentence-similarity") &&
        (task == "feature-extraction" || task == "sentence-similarity");
    if (pipeline != task && !equivalent)
      return task_mismatch(id, pipeline, task);
    return run_task(
        TaskRequest{pipeline, id, model, req.body, req.get_header_value("Content-Type")});
  }
  if (is_generative(task) && model->value("_openai_only", false)) {
    // Served by vLLM: only its OpenAI routes exist, the model route is FastAPI's 404.
    return json_reply(404, json{{"detail", "Not Found"}});
  }
  if (is_generative(task)) {
    const auto body = world_json::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return parse_error();
    return text_generation(body, generator, model->value("_tgi", true));
  }
  std::string effective = task;
  if (is_sentence_transformers(*model)) {
    // A sentence-transformers model answers by the shape of its inputs on the plain route.
    const auto body = world_json::parse(req.body, nullptr, false);
    const bool pair_inputs = !body.is_discarded() && body.is_object() && body.contains("inputs") &&
                             body["inputs"].is_object();
    effective = pair_inputs ? "sentence-similarity" : "feature-extraction";
  }
  return run_task(
      TaskRequest{effective, id, model, req.body, req.get_header_value("Content-Type")});
}

// --- /v1 (the OpenAI-compatible auto router)
// --------------------------------------------------------

json router_info(const world_json& model, std::string_view provider) {
  if (model.contains("_router") && model["_router"].is_object() &&
      model["_router"].contains(provider)) {
    return json(model["_router"][std::string(provider)]);
  }
  return json::object();
}

Reply model_not_supported(std::string_view model) {
  return openai_error_reply(400,
                            "The requested model '" + std::string(model) +
                                "' is not supported by any provider you have enabled.",
                            "invalid_request_error", "model", "model_not_supported");
}

Reply chat_on_provider(const world_json& body,
                       const world_json& model,
                       const std::string& provider,
                       const world_json& mapping) {
  Generator generator;
  generator.model_field = mapping.value("providerId", model.value("id", ""));
  generator.max_total_tokens =
      router_info(model, provider).value("context_length", max_total_tokens(model));
  if (provider == "hf-inference") {
    generator.system_fingerprint = std::string(k_tgi_fingerprint);
    generator.chat_template = model.value("_chat_template", true);
  } else {
    generator.system_fingerprint = "fp_emulator";
    generator.tgi_errors = false;
  }
  Reply reply = chat_completion(body, generator);
  reply.headers.emplace_back("x-inference-provider", provider);
  return reply;
}

Reply auto_chat(State& state, const httplib::Request& req) {
  auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return parse_error();
  if (!body.contains("model") || !body["model"].is_string()) {
    return openai_error_reply(400, "you must provide a model parameter", "invalid_request_error",
                              "model", "");
  }
  const std::string requested = body["model"].get<std::string>();
  std::string id = requested;
  std::string suffix;
  if (const auto colon = requested.rfind(':'); colon != std::string::npos) {
    id = requested.substr(0, colon);
    suffix = requested.substr(colon + 1);
  }
  const bool policy =
      suffix.empty() || suffix == "fastest" || suffix == "cheapest" || suffix == "preferred";
  if (!policy && !is_provider(suffix)) {
    return openai_error_reply(400,
                              "the provider you attempted to explicitly specify '" + suffix +
                                  "' is not a valid provider.",
                              "invalid_request_error", "model", "model_not_supported");
  }
  const world_json* model = state.ctx->find_model(id);
  if (model == nullptr)
    return model_not_supported(requested);
  std::vector<std::pair<std::string, const world_json*>> candidates;
  for (const auto& [provider, mapping] : mappings_of(*model)) {
    if (served_task(*model, mapping) != "conversational")
      continue;
    if (!policy) {
      if (provider == suffix)
        candidates.emplace_back(provider, mapping);
    } else if (mapping->value("status", "live") == "live") {
      candidates.emplace_back(provider, mapping);
    }
  }
  if (candidates.empty())
    return model_not_supported(requested);
  auto chosen = candidates.front();
  auto metric = [&](const std::string& provider, const char* key, double fallback) {
    const json info = router_info(*model, provider);
    if (std::string_view(key) == "price") {
      return info.contains("pricing") ? info["pricing"].value("output", fallback) : fallback;
    }
    return info.value(key, fallback);
  };
  if (suffix.empty() || suffix == "fastest") {
    for (const auto& candidate : candidates) {
      if (metric(candidate.first, "throughput", 0) > metric(chosen.first, "throughput", 0))
        chosen = candidate;
    }
  } else if (suffix == "cheapest") {
    for (const auto& candidate : candidates) {
      if (metric(candidate.first, "price", 1e9) < metric(chosen.first, "price", 1e9))
        chosen = candidate;
    }
  }
  return chat_on_provider(body, *model, chosen.first, *chosen.second);
}

json model_entry(const world_json& model) {
  json providers = json::array();
  for (const auto& [provider, mapping] : mappings_of(model)) {
    if (served_task(model, mapping) != "conversational" ||
        mapping->value("status", "live") == "staging")
      continue;
    const json info = router_info(model, provider);
    providers.push_back(
        {{"provider", provider},
         {"status", mapping->value("status", "live")},
         {"context_length", info.value("context_length", max_total_tokens(model))},
         {"pricing", info.value("pricing", json{{"input", 0.1}, {"output", 0.2}})},
         {"is_free", info.value("is_free", false)},
         {"supports_tools", info.value("supports_tools", true)},
         {"supports_structured_output", info.value("supports_structured_output", true)},
         {"first_token_latency_ms", info.value("first_token_latency_ms", 300)},
         {"throughput", info.value("throughput", 100)},
         {"is_model_author", info.value("is_model_author", false)}});
  }
  const std::string id = model.value("id", "");
  return {{"id", id},
          {"object", "model"},
          {"created", 1700000000},
          {"owned_by", id.substr(0, id.find('/'))},
          {"providers", providers}};
}

Reply list_models(const State& state) {
  json data = json::array();
  if (state.ctx->world.contains("models") && state.ctx->world["models"].is_array()) {
    for (const auto& model : state.ctx->world["models"]) {
      json entry = model_entry(model);
      if (!entry["providers"].empty())
        data.push_back(std::move(entry));
    }
  }
  return json_reply(200, json{{"object", "list"}, {"data", data}});
}

Reply get_model(const State& state, const std::string& id) {
  const world_json* model = state.ctx->find_model(id);
  if (model != nullptr) {
    json entry = model_entry(*model);
    if (!entry["providers"].empty())
      return json_reply(200, entry);
  }
  return openai_error_reply(404, "The model '" + id + "' does not exist", "invalid_request_error",
                            "model", "model_not_found");
}

// --- /{provider}/...
// ----------------------------------------------------------------------------------

Reply provider_model_unknown(std::string_view provider, std::string_view provider_id) {
  return openai_error_reply(404,
                            "The model '" + std::string(provider_id) +
                                "' does not exist or is not served by " + std::string(provider) +
                                ".",
                            "invalid_request_error", "model", "model_not_found");
}

struct ImageAsk {
  int width = 1024;
  int height = 768;
  std::uint64_t seed = 0;
  std::string prompt;
};

ImageAsk image_ask(const world_json& body) {
  ImageAsk ask;
  const world_json& input =
      body.contains("input") && body["input"].is_object() ? body["input"] : body;
  ask.prompt = input.value("prompt", "");
  ask.width = input.value("width", ask.width);
  ask.height = input.value("height", ask.height);
  if (input.contains("image_size")) {
    const world_json& size = input["image_size"];
    if (size.is_object()) {
      ask.width = size.value("width", ask.width);
      ask.height = size.value("height", ask.height);
    } else if (size.is_string()) {
      static const std::map<std::string, std::pair<int, int>> k_sizes = {
          {"square_hd", {1024, 1024}},     {"square", {512, 512}},
          {"landscape_4_3", {1024, 768}},  {"portrait_4_3", {768, 1024}},
          {"landscape_16_9", {1024, 576}}, {"portrait_16_9", {576, 1024}}};
      if (const auto found = k_sizes.find(size.get<std::string>()); found != k_sizes.end()) {
        ask.width = found->second.first;
        ask.height = found->second.second;
      }
    }
  }
  ask.width = std::clamp(ask.width, 8, 2048);
  ask.height = std::clamp(ask.height, 8, 2048);
  ask.seed = hash_bytes(ask.prompt);
  if (input.contains("seed"))
    ask.seed = hash_bytes(input["seed"].dump(), ask.seed);
  return ask;
}

// A URL on the router that generates the image when fetched (no token needed, like a CDN link).
std::string media_url(const State& state, const ImageAsk& ask) {
  return state.ctx->router_url + "/_media/image/" + hex64(ask.seed) + "/" +
         std::to_string(ask.width) + "x" + std::to_string(ask.height) + ".jpg";
}

Reply images_generations(State& state, const std::string& provider, const world_json& body) {
  const std::string provider_id = body.value("model", "");
  const world_json* model = model_by_provider_id(*state.ctx, provider, provider_id);
  if (model == nullptr || served_task(*model, mapping_of(*model, provider)) != "text-to-image") {
    return provider_model_unknown(provider, provider_id);
  }
  const ImageAsk ask = image_ask(body);
  json item{{"index", 0}};
  if (body.value("response_format", "b64_json") == "url") {
    item["url"] = media_url(state, ask);
  } else {
    item["b64_json"] = base64_encode(media::make_jpeg(ask.width, ask.height, ask.seed));
  }
  return json_reply(200, json{{"id", "img-" + hex64(ask.seed)},
                              {"model", provider_id},
                              {"object", "list"},
                              {"data", json::array({item})}});
}

json fal_result(const State& state, const ImageAsk& ask) {
  return {{"images", json::array({{{"url", media_url(state, ask)},
                                   {"width", ask.width},
                                   {"height", ask.height},
                                   {"content_type", "image/jpeg"}}})},
          {"timings", {{"inference", 0.25}}},
          {"seed", ask.seed % 1000000007ULL},
          {"has_nsfw_concepts", json::array({false})},
          {"prompt", ask.prompt}};
}

Reply fal_post(State& state, const httplib::Request& req, const std::string& provider_id) {
  const world_json* model = model_by_provider_id(*state.ctx, "fal-ai", provider_id);
  if (model == nullptr)
    return provider_model_unknown("fal-ai", provider_id);
  auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return json_reply(422, json{{"detail", "Invalid JSON body"}});
  if (served_task(*model, mapping_of(*model, "fal-ai")) != "text-to-image") {
    return json_reply(422, json{{"detail", "The emulator serves only text-to-image on fal-ai"}});
  }
  const ImageAsk ask = image_ask(body);
  json result = fal_result(state, ask);
  if (req.get_param_value("_subdomain") != "queue")
    return json_reply(200, result);
  // Queue API: the client polls .../requests/{id}/status then fetches .../requests/{id}.
  const std::uint64_t n = state.request_counter.fetch_add(1);
  const std::string h = hex64(hash_bytes(req.body, n));
  const std::string id = h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-8" +
                         hex64(n).substr(13, 3) + "-" + hex64(ask.seed).substr(4, 12);
  {
    std::lock_guard lock(state.fal_mutex);
    state.fal_results[id] = result;
  }
  const std::string base = "https://queue.fal.run/" + provider_id + "/requests/" + id;
  return json_reply(200, json{{"status", "IN_QUEUE"},
                              {"request_id", id},
                              {"response_url", base},
                              {"status_url", base + "/status"},
                              {"cancel_url", base + "/cancel"},
                              {"queue_position", 0}});
}

Reply fal_get(State& state, const std::string& rest) {
  const auto at = rest.find("/requests/");
  if (at == std::string::npos)
    return json_reply(405, json{{"detail", "Method Not Allowed"}});
  std::string id = rest.substr(at + std::string_view("/requests/").size());
  const bool status = ends_with(id, "/status");
  if (status)
    id.resize(id.size() - std::string_view("/status").size());
  std::lock_guard lock(state.fal_mutex);
  const auto found = state.fal_results.find(id);
  if (found == state.fal_results.end())
    return json_reply(404, json{{"detail", "Request not found"}});
  if (status)
    return json_reply(200, json{{"status", "COMPLETED"},
                                {"request_id", id},
                                {"response_url", "https://queue.fal.run/" + rest.substr(0, at) +
                                                     "/requests/" + id}});
  return json_reply(200, found->second);
}

Reply replicate_post(State& state, const std::string& rest, const world_json& body) {
  std::string provider_id;
  constexpr std::string_view k_models = "v1/models/";
  if (starts_with(rest, k_models) && ends_with(rest, "/predictions")) {
    provider_id = rest.substr(k_models.size(), rest.size() - k_models.size() -
                                                   std::string_view("/predictions").size());
  } else if (rest == "v1/predictions") {
    const std::string version = body.value("version", "");
    if (state.ctx->world.contains("models") && state.ctx->world["models"].is_array()) {
      for (const auto& model : state.ctx->world["models"]) {
        const world_json* mapping = mapping_of(model, "replicate");
        if (mapping == nullptr)
          continue;
        const std::string candidate = mapping->value("providerId", "");
        if (!version.empty() && (ends_with(candidate, ":" + version) || candidate == version))
          provider_id = candidate;
      }
    }
    if (provider_id.empty())
      return json_reply(422, json{{"title", "Invalid version or not permitted"},
                                  {"detail", "The specified version does not exist (or perhaps you "
                                             "don't have permission to use it?)"},
                                  {"status", 422}});
  } else {
    return json_reply(404, json{{"detail", "Not found."}, {"status", 404}});
  }
  const world_json* model = model_by_provider_id(*state.ctx, "replicate", provider_id);
  if (model == nullptr || served_task(*model, mapping_of(*model, "replicate")) != "text-to-image") {
    return json_reply(
        404, json{{"detail", "The requested resource could not be found."}, {"status", 404}});
  }
  const ImageAsk ask = image_ask(body);
  const std::string id = hex64(ask.seed).substr(0, 16) + "emu";
  Reply reply = json_reply(
      201, json{{"id", id},
                {"model", provider_id.substr(0, provider_id.find(':'))},
                {"version", body.value("version", "")},
                {"input", body.value("input", json::object())},
                {"logs", ""},
                {"output", json::array({media_url(state, ask)})},
                {"error", nullptr},
                {"status", "succeeded"},
                {"urls",
                 {{"get", "https://api.replicate.com/v1/predictions/" + id},
                  {"cancel", "https://api.replicate.com/v1/predictions/" + id + "/cancel"}}}});
  return reply;
}

Reply provider_post(State& state,
                    const httplib::Request& req,
                    const std::string& provider,
                    const std::string& rest) {
  if (auto served = serve_provider_task(*state.ctx, req, provider, rest))
    return *served; // router_provider_tasks.cpp: speech, embeddings, video, queued jobs
  if (provider == "fal-ai")
    return fal_post(state, req, rest);
  auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return openai_error_reply(400, "Invalid JSON body", "invalid_request_error", "", "");
  if (provider == "replicate")
    return replicate_post(state, rest, body);
  for (const auto& route : provider_routes()) {
    if (route.provider != provider || route.route != rest)
      continue;
    if (route.kind == RouteKind::images)
      return images_generations(state, provider, body);
    const std::string provider_id = body.value("model", "");
    const world_json* model = model_by_provider_id(*state.ctx, provider, provider_id);
    if (model == nullptr)
      return provider_model_unknown(provider, provider_id);
    const world_json& mapping = *mapping_of(*model, provider);
    const std::string task = served_task(*model, &mapping);
    if (route.kind == RouteKind::chat) {
      if (task != "conversational")
        return provider_model_unknown(provider, provider_id);
      return chat_on_provider(body, *model, provider, mapping);
    }
    if (task != "text-generation" && task != "conversational")
      return provider_model_unknown(provider, provider_id);
    Generator generator;
    generator.model_field = provider_id;
    generator.system_fingerprint = "fp_emulator";
    generator.tgi_errors = false;
    generator.max_total_tokens =
        router_info(*model, provider).value("context_length", max_total_tokens(*model));
    return text_completion(body, generator);
  }
  return openai_error_reply(404, "Unknown route /" + provider + "/" + rest, "invalid_request_error",
                            "", "not_found");
}

Reply media_get(const std::string& rest) {
  // image/{seed hex}/{w}x{h}.jpg
  const auto parts_start = std::string_view("image/").size();
  if (!starts_with(rest, "image/") || !ends_with(rest, ".jpg"))
    return error_reply(404, "Not Found");
  const auto slash = rest.find('/', parts_start);
  const auto x = rest.find('x', slash == std::string::npos ? 0 : slash);
  if (slash == std::string::npos || x == std::string::npos)
    return error_reply(404, "Not Found");
  try {
    const std::uint64_t seed =
        std::stoull(rest.substr(parts_start, slash - parts_start), nullptr, 16);
    const int width = std::stoi(rest.substr(slash + 1, x - slash - 1));
    const int height = std::stoi(rest.substr(x + 1));
    Reply reply;
    reply.content_type = "image/jpeg";
    reply.body = media::make_jpeg(std::clamp(width, 8, 2048), std::clamp(height, 8, 2048), seed);
    return reply;
  } catch (const std::exception&) {
    return error_reply(404, "Not Found");
  }
}

// Wraps a handler with the token check, the tape look-up and the common reply headers.
template <typename Fn>
httplib::Server::Handler guarded(std::shared_ptr<State> state, bool needs_token, Fn fn) {
  return [state, needs_token, fn](const httplib::Request& req, httplib::Response& res) {
    std::optional<Reply> reply;
    if (needs_token)
      reply = check_token(*state, req);
    if (!reply)
      reply = from_tape(*state, req);
    if (!reply)
      reply = fn(req);
    reply->headers.emplace_back("x-request-id", request_id(*state, req));
    send(res, *reply);
  };
}

} // namespace
} // namespace router

void register_router_routes(httplib::Server& server, Context& ctx) {
  using router::Reply;
  auto state = std::make_shared<router::State>();
  state->ctx = &ctx;
  state->tapes.load(ctx.tapes_text);

  server.Post(R"(/hf-inference/(.*))",
              router::guarded(state, true, [state](const httplib::Request& req) {
                Reply reply = router::hf_inference(*state, req, req.matches[1].str());
                reply.headers.emplace_back("x-inference-provider", "hf-inference");
                return reply;
              }));
  server.Post("/v1/chat/completions",
              router::guarded(state, true, [state](const httplib::Request& req) {
                return router::auto_chat(*state, req);
              }));
  server.Get("/v1/models", router::guarded(state, false, [state](const httplib::Request&) {
               return router::list_models(*state);
             }));
  server.Get(R"(/v1/models/(.+))",
             router::guarded(state, false, [state](const httplib::Request& req) {
               return router::get_model(*state, req.matches[1].str());
             }));
  server.Get(R"(/_media/(.+))", router::guarded(state, false, [](const httplib::Request& req) {
               return router::media_get(req.matches[1].str());
             }));
  for (const char* legacy : {R"(/api-inference/models/.*)", R"(/api-inference/pipeline/.*)"}) {
    auto gone = router::guarded(state, false, [](const httplib::Request&) {
      return router::error_reply(410, router::k_legacy_gone);
    });
    server.Post(legacy, gone);
    server.Get(legacy, gone);
  }
  for (const std::string& provider : router::provider_names()) {
    if (provider == "hf-inference")
      continue;
    server.Post("/" + provider + "/(.*)",
                router::guarded(state, true, [state, provider](const httplib::Request& req) {
                  return router::provider_post(*state, req, provider, req.matches[1].str());
                }));
  }
  server.Get(R"(/fal-ai/(.*))", router::guarded(state, true, [state](const httplib::Request& req) {
               if (auto job =
                       router::poll_provider_job(*state->ctx, req, "fal-ai", req.matches[1].str()))
                 return *job;
               return router::fal_get(*state, req.matches[1].str());
             }));
  // The jobs other providers queue: Together videos, Replicate predictions, WaveSpeed, Z.ai and
  // Novita results, polled through the router with the token.
  for (const std::string provider : {"together", "replicate", "wavespeed", "zai-org", "novita"}) {
    server.Get("/" + provider + "/(.*)",
               router::guarded(state, true, [state, provider](const httplib::Request& req) {
                 if (auto job = router::poll_provider_job(*state->ctx, req, provider,
                                                          req.matches[1].str()))
                   return *job;
                 return router::openai_error_reply(404, "Unknown route", "invalid_request_error",
                                                   "", "not_found");
               }));
  }
}

} // namespace emulator
