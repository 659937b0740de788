// The Hugging Face engines of the endpoints role: TGI, TEI, the Inference Toolkit (one model per
// HF_TASK) and a custom handler.py container, with the routes and shapes docs/emulator.md,
// "Inference servers (the endpoints role)", lists. Generated text, labels, embeddings and media
// come from the router part (router_chat.hpp, router_tasks.hpp), so they match what hf-inference
// answers for the same input.
#include "endpoint_server_common.hpp"
#include "media.hpp"
#include "router_chat.hpp"
#include "router_tasks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace emulator::servers {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// ---------------------------------------------------------------------------------------------
// TGI

// Parameters whose JSON type TGI's serde checks (a wrong type is a 422 before generation).
std::optional<Reply> tgi_parameter_types(const json& parameters) {
  if (!parameters.is_object())
    return router::tgi_error_reply(422, "Failed to deserialize the JSON body: `parameters`",
                                   "validation");
  for (const char* key :
       {"temperature", "top_p", "repetition_penalty", "frequency_penalty", "typical_p"}) {
    if (parameters.contains(key) && !parameters[key].is_null() && !parameters[key].is_number()) {
      return router::tgi_error_reply(
          422,
          std::string("Failed to deserialize the JSON body into the target type: parameters.") +
              key + ": invalid type, expected f32",
          "validation");
    }
  }
  for (const char* key : {"max_new_tokens", "top_k", "seed", "best_of", "top_n_tokens"}) {
    if (parameters.contains(key) && !parameters[key].is_null() &&
        !parameters[key].is_number_unsigned()) {
      return router::tgi_error_reply(
          422,
          std::string("Failed to deserialize the JSON body into the target type: parameters.") +
              key + ": invalid type, expected u32",
          "validation");
    }
  }
  for (const char* key : {"details", "do_sample", "return_full_text", "decoder_input_details"}) {
    if (parameters.contains(key) && !parameters[key].is_null() && !parameters[key].is_boolean()) {
      return router::tgi_error_reply(
          422,
          std::string("Failed to deserialize the JSON body into the target type: parameters.") +
              key + ": invalid type, expected a boolean",
          "validation");
    }
  }
  if (parameters.contains("max_new_tokens") && parameters["max_new_tokens"].is_number_unsigned() &&
      parameters["max_new_tokens"].get<std::uint64_t>() > 4096) {
    return router::tgi_error_reply(
        422,
        "Input validation error: `max_new_tokens` must be <= 4096. Given: " +
            std::to_string(parameters["max_new_tokens"].get<std::uint64_t>()),
        "validation");
  }
  if (parameters.contains("temperature") && parameters["temperature"].is_number() &&
      parameters["temperature"].get<double>() <= 0) {
    return router::tgi_error_reply(
        422, "Input validation error: `temperature` must be strictly positive", "validation");
  }
  return std::nullopt;
}

// The body of /, /generate and /generate_stream after TGI's checks; or the error reply.
struct TgiRequest {
  json body;
  std::optional<Reply> error;
};

TgiRequest tgi_request(const Call& call) {
  TgiRequest out;
  auto body = body_json(call.req);
  if (!body || !body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_string()) {
    out.error = router::tgi_error_reply(
        422, "Failed to deserialize the JSON body into the target type: missing field `inputs`",
        "validation");
    return out;
  }
  if ((*body)["inputs"].get_ref<const std::string&>().empty()) {
    out.error = router::tgi_error_reply(422, "Input validation error: `inputs` cannot be empty",
                                        "validation");
    return out;
  }
  if (!body->contains("parameters") || (*body)["parameters"].is_null())
    (*body)["parameters"] = json::object();
  if (auto bad = tgi_parameter_types((*body)["parameters"])) {
    out.error = std::move(bad);
    return out;
  }
  if (body->contains("stream") && !(*body)["stream"].is_boolean()) {
    out.error = router::tgi_error_reply(
        422, "Failed to deserialize the JSON body into the target type: stream: expected a boolean",
        "validation");
    return out;
  }
  out.body = std::move(*body);
  return out;
}

router::Generator tgi_generator(const json& spec) {
  router::Generator generator;
  generator.model_field = spec_string(spec, "model");
  generator.system_fingerprint = "3.3.5-native";
  generator.max_total_tokens = 8192;
  return generator;
}

void add_tgi_headers(Reply& reply, const json& body, std::size_t generated) {
  const std::string inputs = string_field(body, "inputs");
  const std::size_t prompt = router::split_words(inputs).size();
  const std::size_t per_token_ms = 20;
  const std::size_t inference = per_token_ms * std::max<std::size_t>(1, generated);
  reply.headers = {{"x-compute-type", "1-nvidia-a10g"},
                   {"x-compute-time", std::to_string(inference / 1000.0)},
                   {"x-compute-characters", std::to_string(inputs.size())},
                   {"x-total-time", std::to_string(inference + 2)},
                   {"x-validation-time", "1"},
                   {"x-queue-time", "1"},
                   {"x-inference-time", std::to_string(inference)},
                   {"x-time-per-token", std::to_string(per_token_ms)},
                   {"x-prompt-tokens", std::to_string(prompt)},
                   {"x-generated-tokens", std::to_string(generated)}};
}

Reply tgi_info(const json& spec) {
  return router::json_reply(200, ojson{{"model_id", spec_string(spec, "model")},
                                       {"model_sha", "0e9e39f249a16976918f6564b8830bc894c89659"},
                                       {"model_pipeline_tag", "text-generation"},
                                       {"max_concurrent_requests", 128},
                                       {"max_best_of", 2},
                                       {"max_stop_sequences", 4},
                                       {"max_input_tokens", 4095},
                                       {"max_total_tokens", 8192},
                                       {"validation_workers", 2},
                                       {"max_client_batch_size", 4},
                                       {"router", "text-generation-router"},
                                       {"version", "3.3.5"},
                                       {"sha", "0ba8e8e1d0e4a0a8e4ff9b3b1c5f1b6e2b6f6d3e"},
                                       {"docker_label", "sha-0ba8e8e"}});
}

} // namespace

Reply serve_tgi(const Call& call) {
  const std::string& path = call.path;
  if (call.req.method == "GET") {
    if (path == "/" || path == "/health" || path == "/ping")
      return text_reply(200, "text/plain", "");
    if (path == "/info")
      return tgi_info(call.spec);
    if (path == "/metrics")
      return text_reply(200, "text/plain; version=0.0.4",
                        "# TYPE tgi_request_count counter\ntgi_request_count 0\n");
    if (auto reply = openai_routes(call, spec_string(call.spec, "model")))
      return *reply;
    return text_reply(404, "text/plain", ""); // axum: an empty 404
  }
  if (path == "/" || path == "/generate" || path == "/generate_stream" || path == "/invocations") {
    TgiRequest request = tgi_request(call);
    if (request.error)
      return *request.error;
    const bool stream = path == "/generate_stream" || ((path == "/" || path == "/invocations") &&
                                                       request.body.value("stream", false));
    request.body["stream"] = stream;
    Reply reply = router::text_generation(request.body, tgi_generator(call.spec), true);
    if (reply.status != 200)
      return reply;
    if (stream) {
      if (call.req.body.find(k_stream_error_marker) != std::string::npos) {
        fail_stream(reply, router::sse_frame(json{
                               {"error", "Request failed during generation: emulated failure"},
                               {"error_type",
                                "generation"}}.dump()));
      }
      reply.events.insert(reply.events.begin(), ":\n\n"); // axum's SSE keep-alive comment
      return reply;
    }
    auto doc = json::parse(reply.body, nullptr, false);
    std::size_t generated = 0;
    if (doc.is_array() && !doc.empty() && doc[0].is_object()) {
      if (doc[0].contains("details") && doc[0]["details"].is_object())
        generated = doc[0]["details"].value("generated_tokens", std::size_t{0});
      else
        generated = generate_tokens(string_field(request.body, "inputs"),
                                    request.body["parameters"].value("max_new_tokens", 20))
                        .texts.size();
      if (path == "/generate")
        reply = router::json_reply(200, doc[0]);
    }
    add_tgi_headers(reply, request.body, generated);
    return reply;
  }
  if (auto reply = openai_routes(call, spec_string(call.spec, "model")))
    return *reply;
  if (path == "/tokenize") {
    const auto body = body_json(call.req);
    ojson tokens = ojson::array();
    std::size_t start = 0;
    const std::string inputs = body ? string_field(*body, "inputs") : "";
    for (const auto& token : word_tokens(inputs)) {
      tokens.push_back(ojson{{"id", router::hash_bytes(token) % 128256},
                             {"text", token},
                             {"start", start},
                             {"stop", start + token.size()}});
      start += token.size();
    }
    return router::json_reply(200, tokens);
  }
  return text_reply(404, "text/plain", "");
}

namespace {

// ---------------------------------------------------------------------------------------------
// TEI

constexpr std::size_t k_tei_dimensions = 384;

Reply tei_error(int status, const std::string& message, const std::string& type) {
  return router::json_reply(status, ojson{{"error", message}, {"error_type", type}});
}

std::string tei_kind(const json& spec) {
  const std::string kind = spec_string(spec, "model_type");
  return kind.empty() ? "embedding" : kind;
}

// The classifier's labels: go_emotions for its model, else the world model's "_labels".
std::vector<std::string> tei_labels(const Call& call) {
  const std::string model = spec_string(call.spec, "model");
  if (model == "SamLowe/roberta-base-go_emotions") {
    return {"admiration",    "amusement",   "anger",    "annoyance",      "approval",    "caring",
            "confusion",     "curiosity",   "desire",   "disappointment", "disapproval", "disgust",
            "embarrassment", "excitement",  "fear",     "gratitude",      "grief",       "joy",
            "love",          "nervousness", "optimism", "pride",          "realization", "relief",
            "remorse",       "sadness",     "surprise", "neutral"};
  }
  std::vector<std::string> labels;
  if (const json* world_model = call.ctx.find_model(model)) {
    if (world_model->contains("_labels") && (*world_model)["_labels"].is_array()) {
      for (const auto& label : (*world_model)["_labels"]) {
        if (label.is_string())
          labels.push_back(label.get<std::string>());
      }
    }
  }
  if (labels.empty())
    labels = {"LABEL_0", "LABEL_1"};
  return labels;
}

ojson tei_model_type(const Call& call) {
  const std::string kind = tei_kind(call.spec);
  if (kind == "embedding")
    return ojson{{"embedding", {{"pooling", "cls"}}}};
  const auto labels = kind == "reranker" ? std::vector<std::string>{"LABEL_0"} : tei_labels(call);
  ojson id2label = ojson::object();
  ojson label2id = ojson::object();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels[i];
    label2id[labels[i]] = i;
  }
  return ojson{{kind, {{"id2label", id2label}, {"label2id", label2id}}}};
}

Reply tei_info(const Call& call) {
  const std::string model = spec_string(call.spec, "model");
  return router::json_reply(200, ojson{{"model_id", model},
                                       {"model_sha", "5c38ec7c405ec4b44b94cc5a9bb96e735b38267a"},
                                       {"model_dtype", "float16"},
                                       {"served_model_name", model},
                                       {"model_type", tei_model_type(call)},
                                       {"max_concurrent_requests", 512},
                                       {"max_input_length", 512},
                                       {"max_batch_tokens", 16384},
                                       {"max_batch_requests", nullptr},
                                       {"max_client_batch_size", 32},
                                       {"auto_truncate", false},
                                       {"tokenization_workers", 8},
                                       {"version", "1.9.0"},
                                       {"sha", "57d8fc8128ab94fcf06b4463ba0d83a4ca25f89b"},
                                       {"docker_label", "sha-57d8fc8"}});
}

// "inputs" as a list of texts (a string, or a list of strings); nullopt when malformed or empty.
std::optional<std::vector<std::string>> tei_texts(const json& body, const char* key) {
  if (!body.is_object() || !body.contains(key))
    return std::nullopt;
  std::vector<std::string> texts;
  const json& inputs = body[key];
  if (inputs.is_string())
    texts.push_back(inputs.get<std::string>());
  else if (inputs.is_array()) {
    for (const auto& item : inputs) {
      if (!item.is_string())
        return std::nullopt;
      texts.push_back(item.get<std::string>());
    }
  } else {
    return std::nullopt;
  }
  if (texts.empty() ||
      std::any_of(texts.begin(), texts.end(), [](const std::string& t) { return t.empty(); })) {
    return std::nullopt;
  }
  return texts;
}

ojson vector_json(const std::vector<double>& values) {
  ojson out = ojson::array();
  for (double v : values)
    out.push_back(static_cast<float>(v));
  return out;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double dot = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    dot += a[i] * b[i];
  return dot; // both unit length
}

// Scores of a classifier input (one text, or a pair joined), sorted best first.
ojson classify(const std::vector<std::string>& labels, const std::string& text, bool raw) {
  router::Rng rng(router::hash_bytes(text));
  std::vector<double> logits;
  for (std::size_t i = 0; i < labels.size(); ++i)
    logits.push_back(rng.uniform() * 8.0 - 4.0);
  std::vector<double> scores = logits;
  if (!raw) {
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (double& s : scores)
      sum += (s = std::exp(s - top));
    for (double& s : scores)
      s /= sum;
  }
  std::vector<std::size_t> order(labels.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  ojson out = ojson::array();
  for (std::size_t i : order)
    out.push_back(ojson{{"score", static_cast<float>(scores[i])}, {"label", labels[i]}});
  return out;
}

Reply tei_predict(const Call& call) {
  if (tei_kind(call.spec) == "embedding")
    return tei_error(424, "model is not a classifier model", "Backend");
  const auto body = body_json(call.req);
  if (!body || !body->is_object() || !body->contains("inputs"))
    return tei_error(422, "Failed to deserialize the JSON body: missing field `inputs`",
                     "Validation");
  const json& inputs = (*body)["inputs"];
  const bool raw = body->contains("raw_scores") && (*body)["raw_scores"].is_boolean() &&
                   (*body)["raw_scores"].get<bool>();
  const auto labels = tei_labels(call);
  // serde's untagged order: a string or a pair [a, b] is one input; any other list is a batch.
  auto sequence = [](const json& item) -> std::optional<std::string> {
    if (item.is_string())
      return item.get<std::string>();
    if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string())
      return item[0].get<std::string>() + "\n" + item[1].get<std::string>();
    return std::nullopt;
  };
  if (auto one = sequence(inputs)) {
    if (one->empty())
      return tei_error(422, "`inputs` cannot be empty", "Validation");
    return router::json_reply(200, classify(labels, *one, raw));
  }
  if (!inputs.is_array() || inputs.empty())
    return tei_error(422, "`inputs` cannot be empty", "Validation");
  ojson batch = ojson::array();
  for (const auto& item : inputs) {
    auto text = sequence(item);
    if (!text)
      return tei_error(422, "Failed to deserialize the JSON body: `inputs`", "Validation");
    batch.push_back(classify(labels, *text, raw));
  }
  return router::json_reply(200, batch);
}

Reply tei_rerank(const Call& call) {
  if (tei_kind(call.spec) != "reranker")
    return tei_error(424, "model is not a re-ranker model", "Backend");
  const auto body = body_json(call.req);
  const std::string query = body ? string_field(*body, "query") : "";
  const auto texts = body ? tei_texts(*body, "texts") : std::nullopt;
  if (query.empty() || !texts)
    return tei_error(422, "`query` and `texts` cannot be empty", "Validation");
  const bool raw = body->contains("raw_scores") && (*body)["raw_scores"].is_boolean() &&
                   (*body)["raw_scores"].get<bool>();
  const bool return_text = body->contains("return_text") && (*body)["return_text"].is_boolean() &&
                           (*body)["return_text"].get<bool>();
  const auto q = router::embed_text(query, k_tei_dimensions);
  std::vector<std::pair<std::size_t, double>> scored;
  for (std::size_t i = 0; i < texts->size(); ++i) {
    const double logit = 8.0 * cosine(q, router::embed_text((*texts)[i], k_tei_dimensions)) - 4.0;
    scored.emplace_back(i, raw ? logit : 1.0 / (1.0 + std::exp(-logit)));
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  ojson out = ojson::array();
  for (const auto& [index, score] : scored) {
    ojson item{{"index", index}};
    if (return_text)
      item["text"] = (*texts)[index];
    item["score"] = static_cast<float>(score);
    out.push_back(item);
  }
  return router::json_reply(200, out);
}

Reply tei_embed(const Call& call, const std::string& route) {
  if (tei_kind(call.spec) != "embedding")
    return tei_error(424, "model is not an embedding model", "Backend");
  const auto body = body_json(call.req);
  if (!body || !body->is_object() || !body->contains("inputs"))
    return tei_error(422, "Failed to deserialize the JSON body: missing field `inputs`",
                     "Validation");
  const auto texts = tei_texts(*body, "inputs");
  if (!texts)
    return tei_error(422, "`inputs` cannot be empty", "Validation");
  ojson out = ojson::array();
  for (const auto& text : *texts) {
    if (route == "/embed") {
      out.push_back(vector_json(router::embed_text(text, k_tei_dimensions)));
    } else if (route == "/embed_all") {
      ojson per_token = ojson::array();
      per_token.push_back(vector_json(router::embed_text("[CLS] " + text, k_tei_dimensions)));
      for (const auto& word : router::split_words(text))
        per_token.push_back(vector_json(router::embed_text(word, k_tei_dimensions)));
      out.push_back(per_token);
    } else { // /embed_sparse: one weight per distinct word, by vocabulary index
      std::map<std::uint64_t, double> weights;
      for (const auto& word : router::split_words(router::to_lower(text)))
        weights[router::hash_bytes(word) % 30522] +=
            0.5 + (router::hash_bytes(word) % 1000) / 1000.0;
      ojson sparse = ojson::array();
      for (const auto& [index, value] : weights)
        sparse.push_back(ojson{{"index", index}, {"value", static_cast<float>(value)}});
      out.push_back(sparse);
    }
  }
  return router::json_reply(200, out);
}

Reply tei_similarity(const Call& call) {
  const auto body = body_json(call.req);
  if (!body || !body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_object())
    return tei_error(422, "Failed to deserialize the JSON body: missing field `inputs`",
                     "Validation");
  const json& inputs = (*body)["inputs"];
  const std::string source = string_field(inputs, "source_sentence");
  const auto sentences = tei_texts(inputs, "sentences");
  if (source.empty() || !sentences)
    return tei_error(422, "`inputs` cannot be empty", "Validation");
  const auto s = router::embed_text(source, k_tei_dimensions);
  ojson out = ojson::array();
  for (const auto& sentence : *sentences)
    out.push_back(static_cast<float>(cosine(s, router::embed_text(sentence, k_tei_dimensions))));
  return router::json_reply(200, out);
}

Reply tei_tokenize(const Call& call) {
  const auto body = body_json(call.req);
  const auto texts = body ? tei_texts(*body, "inputs") : std::nullopt;
  if (!texts)
    return tei_error(422, "`inputs` cannot be empty", "Validation");
  ojson out = ojson::array();
  for (const auto& text : *texts) {
    ojson tokens = ojson::array();
    tokens.push_back(ojson{
        {"id", 101}, {"text", "[CLS]"}, {"special", true}, {"start", nullptr}, {"stop", nullptr}});
    std::size_t start = 0;
    for (const auto& token : word_tokens(text)) {
      const std::size_t lead = token[0] == ' ' ? 1 : 0;
      tokens.push_back(ojson{{"id", 1000 + router::hash_bytes(token.substr(lead)) % 29000},
                             {"text", token.substr(lead)},
                             {"special", false},
                             {"start", start + lead},
                             {"stop", start + token.size()}});
      start += token.size();
    }
    tokens.push_back(ojson{
        {"id", 102}, {"text", "[SEP]"}, {"special", true}, {"start", nullptr}, {"stop", nullptr}});
    out.push_back(tokens);
  }
  return router::json_reply(200, out);
}

} // namespace

Reply serve_tei(const Call& call) {
  const std::string& path = call.path;
  if (call.req.method == "GET") {
    if (path == "/" || path == "/health" || path == "/ping")
      return text_reply(200, "text/plain", "");
    if (path == "/info")
      return tei_info(call);
    if (path == "/metrics")
      return text_reply(200, "text/plain; version=0.0.4",
                        "# TYPE te_request_count counter\nte_request_count 0\n");
    return text_reply(404, "text/plain", "");
  }
  std::string route = path;
  if (route == "/" || route == "/invocations") {
    const std::string kind = tei_kind(call.spec);
    route = kind == "classifier" ? "/predict" : kind == "reranker" ? "/rerank" : "/embed";
  }
  if (route == "/embed" || route == "/embed_all" || route == "/embed_sparse")
    return tei_embed(call, route);
  if (route == "/predict")
    return tei_predict(call);
  if (route == "/rerank")
    return tei_rerank(call);
  if (route == "/similarity")
    return tei_similarity(call);
  if (route == "/tokenize")
    return tei_tokenize(call);
  if (route == "/v1/embeddings" || route == "/embeddings") {
    if (tei_kind(call.spec) != "embedding")
      return router::json_reply(424, ojson{{"message", "model is not an embedding model"},
                                           {"code", 424},
                                           {"type", "backend"}});
    const auto body = body_json(call.req);
    const auto texts = body ? tei_texts(*body, "input") : std::nullopt;
    if (!texts)
      return router::json_reply(
          422,
          ojson{{"message", "`input` cannot be empty"}, {"code", 422}, {"type", "validation"}});
    return embeddings_reply(spec_string(call.spec, "model"), (*body)["input"], k_tei_dimensions);
  }
  return text_reply(404, "text/plain", "");
}

namespace {

// ---------------------------------------------------------------------------------------------
// The Inference Toolkit and custom handlers (starlette)

bool one_of(std::string_view value, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool toolkit_json_type(std::string_view type) {
  return one_of(type, {"application/json", "application/json; charset=UTF-8"});
}
bool toolkit_image_type(std::string_view type) {
  return one_of(type, {"image/png", "image/jpeg", "image/jpg", "image/tiff", "image/bmp",
                       "image/gif", "image/webp", "image/x-image"});
}
bool toolkit_audio_type(std::string_view type) {
  return one_of(type, {"audio/x-flac", "audio/flac", "audio/mpeg", "audio/x-mpeg-3", "audio/wave",
                       "audio/wav", "audio/x-wav", "audio/ogg", "audio/x-audio", "audio/webm",
                       "audio/webm;codecs=opus", "audio/AMR", "audio/amr", "audio/AMR-WB",
                       "audio/AMR-WB+", "audio/m4a", "audio/x-m4a"});
}

Reply toolkit_error(const std::string& message) {
  return router::json_reply(400, ojson{{"error", message}});
}

// The message of a router error body ({"error": str} or {"error": [str]}).
std::string error_message(const Reply& reply) {
  const auto doc = json::parse(reply.body, nullptr, false);
  if (doc.is_object() && doc.contains("error")) {
    if (doc["error"].is_string())
      return doc["error"].get<std::string>();
    if (doc["error"].is_array() && !doc["error"].empty() && doc["error"][0].is_string())
      return doc["error"][0].get<std::string>();
  }
  return reply.body.empty() ? "Internal error" : reply.body;
}

std::optional<Reply> starlette_common(const Call& call) {
  if (call.req.method == "GET" && (call.path == "/" || call.path == "/health"))
    return text_reply(200, "text/plain; charset=utf-8", "Ok");
  if (call.req.method == "GET" && call.path == "/metrics")
    return text_reply(200, "text/plain; charset=utf-8",
                      "inf_batch_current_size 0\ninf_queue_size 0\n");
  if (call.req.method != "POST" || (call.path != "/" && call.path != "/predict"))
    return text_reply(404, "text/plain; charset=utf-8", "Not Found");
  return std::nullopt;
}

} // namespace

Reply serve_toolkit(const Call& call) {
  if (auto early = starlette_common(call))
    return *early;
  const std::string type = call.req.get_header_value("Content-Type");
  router::TaskRequest task;
  task.task = spec_string(call.spec, "task");
  task.model_id = spec_string(call.spec, "model");
  static const json k_no_model = json{{"id", ""}};
  const json* world_model = call.ctx.find_model(task.model_id);
  task.model = world_model != nullptr ? world_model : &k_no_model;
  if (toolkit_json_type(type)) {
    auto doc = body_json(call.req);
    if (!doc || !doc->is_object())
      return toolkit_error("Expecting value: line 1 column 1 (char 0)");
    if (!doc->contains("inputs") && !doc->contains("instances"))
      return toolkit_error("Body needs to provide a inputs key");
    if (!doc->contains("inputs"))
      (*doc)["inputs"] = (*doc)["instances"];
    // Query parameters stand in for a missing "parameters" (webservice_starlette.py).
    if (!doc->contains("parameters") && !call.req.params.empty()) {
      json parameters = json::object();
      for (const auto& [key, value] : call.req.params) {
        auto parsed = json::parse(value, nullptr, false);
        parameters[key] = !parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean())
                              ? parsed
                              : json(value);
      }
      (*doc)["parameters"] = parameters;
    }
    task.body = doc->dump();
    task.content_type = "application/json";
  } else if (toolkit_image_type(type) || toolkit_audio_type(type)) {
    task.body = call.req.body;
    task.content_type = type;
  } else {
    return toolkit_error("Content type \"" + (type.empty() ? std::string("None") : type) +
                         "\" not supported");
  }
  Reply reply;
  if (task.task == "text-generation") {
    router::Generator generator;
    generator.model_field = task.model_id;
    generator.tgi_errors = false;
    reply = router::text_generation(json::parse(task.body, nullptr, false), generator, false);
  } else {
    reply = router::run_task(task);
  }
  if (reply.status != 200)
    return toolkit_error(error_message(reply));
  const bool image_out = router::starts_with(reply.content_type, "image/");
  if (image_out) {
    const std::string accept = call.req.get_header_value("Accept");
    // The toolkit serializes a PIL image in the type Accept names, PNG otherwise (also inside
    // JSON); the router generates JPEG, so other types get a PNG of the same size.
    if (accept.find("image/jpeg") == std::string::npos) {
      const auto size = media::image_size(reply.body).value_or(media::Size{512, 512});
      reply.body = media::make_png_mask(size.width, size.height, router::hash_bytes(reply.body));
      reply.content_type = "image/png";
    }
    if (accept.find("image/") != std::string::npos)
      return reply; // the raw image bytes
    // A PIL image inside the JSON answer: base64 of the PNG (orjson's default hook).
    return router::json_reply(200, ojson(router::base64_encode(reply.body)));
  }
  return reply;
}

Reply serve_custom(const Call& call) {
  if (auto early = starlette_common(call))
    return *early;
  auto doc = body_json(call.req);
  if (!doc || !doc->is_object())
    return toolkit_error("Expecting value: line 1 column 1 (char 0)");
  if (!doc->contains("image") || !(*doc)["image"].is_string())
    return toolkit_error("'image'");
  std::string_view text = (*doc)["image"].get_ref<const std::string&>();
  if (router::starts_with(text, "data:") && text.find(',') != std::string_view::npos)
    text = text.substr(text.find(',') + 1);
  const auto bytes = router::base64_decode(text);
  if (!bytes || bytes->empty())
    return toolkit_error("Incorrect padding");
  const auto size = media::image_size(*bytes);
  if (!size)
    return toolkit_error("cannot identify image file");
  const auto b = static_cast<unsigned char>((*bytes)[0]);
  const std::string format = b == 0x89 ? "png" : b == 0xFF ? "jpeg" : b == 'G' ? "gif" : "bmp";
  return router::json_reply(200, ojson{{"format", format},
                                       {"width", size->width},
                                       {"height", size->height},
                                       {"bytes", bytes->size()}});
}

} // namespace emulator::servers
