// The endpoints role's self-hosted inference servers over HTTP (docs/emulator.md, "Inference
// servers (the endpoints role)"), held to what hfrun's flavour detection (src/backends/flavor.cpp)
// and the real clients rely on: each flavour's probe answers, TGI's generate/stream framing (no
// [DONE]) next to the OpenAI stream ([DONE]), TEI's embed/predict/rerank shapes and errors, the
// Inference Toolkit's Content-Type and "inputs" rules, a custom handler, llama.cpp's loading 503,
// an API key's bare 401, Ollama's NDJSON, and the 2 MB payload limit. One emulator for the program.
#include "support/emulator_process.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Emulator {
  std::unique_ptr<hfrun::test::EmulatorProcess> process;
  std::string endpoints;
};
Emulator* g_emu = nullptr;

class EmulatorEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    static Emulator emu;
    g_emu = &emu;
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    options.request_log = true;
    auto started = hfrun::test::EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    emu.process = std::move(*started);
    emu.endpoints = emu.process->info().endpoints;
    ASSERT_FALSE(emu.endpoints.empty()) << "no endpoints role in ports.json";
  }
  void TearDown() override {
    if (g_emu != nullptr && g_emu->process) {
      EXPECT_EQ(g_emu->process->stop(), 0) << "the emulator did not stop cleanly";
      g_emu->process.reset();
    }
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new EmulatorEnvironment);

httplib::Client client() {
  httplib::Client c(g_emu->endpoints);
  c.set_read_timeout(30s);
  return c;
}

std::string server(const std::string& name, const std::string& path) {
  return "/servers/" + name + path;
}

httplib::Result
get(const std::string& name, const std::string& path, const httplib::Headers& headers = {}) {
  return client().Get(server(name, path), headers);
}

httplib::Result post(const std::string& name,
                     const std::string& path,
                     const std::string& body,
                     const std::string& content_type = "application/json",
                     const httplib::Headers& headers = {}) {
  return client().Post(server(name, path), headers, body, content_type);
}

httplib::Result post_json(const std::string& name, const std::string& path, const json& body) {
  return post(name, path, body.dump());
}

json parsed(const httplib::Result& r) {
  return r ? json::parse(r->body, nullptr, false) : json();
}

// The payloads of the SSE "data:" lines of a body, in order ("[DONE]" kept as a string).
std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("data:", 0) == 0) {
      std::string payload = line.substr(5);
      if (!payload.empty() && payload[0] == ' ')
        payload.erase(0, 1);
      out.push_back(payload);
    }
  }
  return out;
}

std::vector<json> ndjson(const std::string& body) {
  std::vector<json> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty())
      out.push_back(json::parse(line, nullptr, false));
  }
  return out;
}

std::vector<std::string> keys(const json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items())
    out.push_back(key);
  return out;
}

// A small real PNG from the emulator itself (the toolkit's text-to-image with Accept image/png).
std::string generated_image() {
  auto r = post("toolkit-text-to-image", "/", json{{"inputs", "a red square"}}.dump(),
                "application/json", {{"Accept", "image/png"}});
  return r && r->status == 200 ? r->body : std::string();
}

std::string base64(const std::string& bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16U) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8U) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += k_alphabet[(v >> static_cast<unsigned>(s)) & 63U];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16U;
    if (i + 1 < bytes.size())
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8U;
    out += k_alphabet[(v >> 18U) & 63U];
    out += k_alphabet[(v >> 12U) & 63U];
    out += i + 1 < bytes.size() ? k_alphabet[(v >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// Probes (what src/backends/flavor.cpp reads)

TEST(EndpointServers, TgiInfoHasTheRouterAndTheExactFieldSet) {
  auto r = get("tgi", "/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json info = parsed(r);
  EXPECT_EQ(info["router"], "text-generation-router");
  EXPECT_EQ(info["model_id"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(info["model_pipeline_tag"], "text-generation");
  std::vector<std::string> expected{"docker_label",
                                    "max_best_of",
                                    "max_client_batch_size",
                                    "max_concurrent_requests",
                                    "max_input_tokens",
                                    "max_stop_sequences",
                                    "max_total_tokens",
                                    "model_id",
                                    "model_pipeline_tag",
                                    "model_sha",
                                    "router",
                                    "sha",
                                    "validation_workers",
                                    "version"};
  EXPECT_EQ(keys(info), expected);
  auto models = parsed(get("tgi", "/v1/models"));
  EXPECT_EQ(models["data"][0]["owned_by"], "meta-llama/Llama-3.1-8B-Instruct");
  auto health = get("tgi", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "");
}

TEST(EndpointServers, TeiInfoHasModelTypeAndNoRouter) {
  const json info = parsed(get("tei", "/info"));
  EXPECT_FALSE(info.contains("router"));
  EXPECT_EQ(info["model_type"], json({{"embedding", {{"pooling", "cls"}}}}));
  EXPECT_EQ(info["max_input_length"], 512);
  const json classifier = parsed(get("tei-classifier", "/info"));
  EXPECT_EQ(classifier["model_type"]["classifier"]["id2label"]["0"], "admiration");
  EXPECT_EQ(classifier["model_type"]["classifier"]["label2id"]["neutral"], 27);
  const json reranker = parsed(get("tei-reranker", "/info"));
  EXPECT_TRUE(reranker["model_type"].contains("reranker"));
}

TEST(EndpointServers, EnginesNameThemselvesInTheirProbes) {
  EXPECT_EQ(parsed(get("vllm", "/v1/models"))["data"][0]["owned_by"], "vllm");
  EXPECT_EQ(parsed(get("vllm", "/v1/models"))["data"][0]["id"], "Qwen/Qwen2.5-7B-Instruct");
  EXPECT_EQ(parsed(get("sglang", "/v1/models"))["data"][0]["owned_by"], "sglang");
  EXPECT_EQ(parsed(get("llamacpp", "/v1/models"))["data"][0]["owned_by"], "llamacpp");
  EXPECT_EQ(parsed(get("ollama", "/v1/models"))["data"][0]["owned_by"], "library");
  EXPECT_EQ(parsed(get("vllm", "/version"))["version"], "0.11.0");
  EXPECT_EQ(parsed(get("transformers-serve", "/health")), json({{"status", "ok"}}));
  EXPECT_EQ(get("transformers-serve", "/props")->status, 404);

  const json props = parsed(get("llamacpp", "/props"));
  for (const char* key : {"default_generation_settings", "total_slots", "model_path",
                          "chat_template", "modalities", "build_info", "is_sleeping"}) {
    EXPECT_TRUE(props.contains(key)) << key;
  }
  EXPECT_EQ(parsed(get("llamacpp", "/health")), json({{"status", "ok"}}));

  auto root = get("ollama", "/");
  EXPECT_EQ(root->body, "Ollama is running");
  EXPECT_EQ(root->get_header_value("Content-Type").rfind("text/plain", 0), 0U);
  EXPECT_EQ(parsed(get("ollama", "/api/version"))["version"], "0.12.6");
  EXPECT_EQ(parsed(get("ollama", "/api/tags"))["models"][0]["name"], "llama3.2:latest");
  EXPECT_EQ(get("ollama", "/no/such/route")->body, "404 page not found");
}

TEST(EndpointServers, ToolkitAnswersOkAndNothingElseAProbeAsks) {
  for (const char* name : {"toolkit-text-classification", "custom-image"}) {
    auto health = get(name, "/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(health->body, "Ok");
    EXPECT_EQ(health->get_header_value("Content-Type").rfind("text/plain", 0), 0U);
    for (const char* path : {"/info", "/props", "/api/version", "/v1/models"})
      EXPECT_EQ(get(name, path)->status, 404) << name << path;
  }
  EXPECT_EQ(get("toolkit-text-classification", "/")->body, "Ok");
}

TEST(EndpointServers, EveryToolkitTaskHasAServer) {
  for (const char* task : {"text-classification",
                           "token-classification",
                           "question-answering",
                           "summarization",
                           "translation",
                           "fill-mask",
                           "feature-extraction",
                           "sentence-similarity",
                           "zero-shot-classification",
                           "table-question-answering",
                           "text-generation",
                           "text-to-image",
                           "image-to-image",
                           "image-classification",
                           "object-detection",
                           "image-segmentation",
                           "image-to-text",
                           "automatic-speech-recognition",
                           "audio-classification",
                           "audio-to-audio",
                           "text-to-speech",
                           "zero-shot-image-classification",
                           "visual-question-answering",
                           "document-question-answering",
                           "tabular-classification",
                           "tabular-regression"}) {
    EXPECT_EQ(get(std::string("toolkit-") + task, "/health")->body, "Ok") << task;
  }
  EXPECT_EQ(get("no-such-server", "/health")->status, 404);
}

// ----------------------------------------------------------------------------------------------
// TGI

TEST(EndpointServers, TgiGenerateWithDetailsAndHeaders) {
  auto r = post_json("tgi", "/generate",
                     {{"inputs", "Hello there"},
                      {"parameters", {{"max_new_tokens", 5}, {"details", true}, {"seed", 3}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json out = parsed(r);
  ASSERT_TRUE(out.is_object());
  const json& details = out["details"];
  EXPECT_EQ(details["generated_tokens"], 5);
  EXPECT_EQ(details["finish_reason"], "length");
  EXPECT_EQ(details["seed"], 3);
  EXPECT_EQ(details["prefill"], json::array());
  ASSERT_EQ(details["tokens"].size(), 5U);
  std::string joined;
  for (const auto& token : details["tokens"])
    joined += token["text"].get<std::string>();
  EXPECT_EQ(out["generated_text"], joined);
  EXPECT_EQ(r->get_header_value("x-generated-tokens"), "5");
  EXPECT_EQ(r->get_header_value("x-prompt-tokens"), "2");
  for (const char* h :
       {"x-compute-type", "x-compute-time", "x-compute-characters", "x-total-time",
        "x-validation-time", "x-queue-time", "x-inference-time", "x-time-per-token"}) {
    EXPECT_TRUE(r->has_header(h)) << h;
  }
  // The same prompt, the same text: answers are deterministic.
  auto again = post_json("tgi", "/generate",
                         {{"inputs", "Hello there"}, {"parameters", {{"max_new_tokens", 5}}}});
  EXPECT_EQ(parsed(again), json({{"generated_text", joined}}));
  // The compat route answers an array.
  auto compat =
      post_json("tgi", "/", {{"inputs", "Hello there"}, {"parameters", {{"max_new_tokens", 5}}}});
  EXPECT_EQ(parsed(compat), json::array({{{"generated_text", joined}}}));
}

TEST(EndpointServers, TgiGenerateStreamEndsWithDetailsAndNoDone) {
  auto r = post_json(
      "tgi", "/generate_stream",
      {{"inputs", "Hello there"}, {"parameters", {{"max_new_tokens", 3}, {"details", true}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const auto events = sse_data(r->body);
  ASSERT_EQ(events.size(), 3U) << r->body;
  std::string text;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json event = json::parse(events[i], nullptr, false);
    EXPECT_EQ(event["index"], i + 1);
    text += event["token"]["text"].get<std::string>();
    if (i + 1 < events.size()) {
      EXPECT_TRUE(event["generated_text"].is_null());
      EXPECT_TRUE(event["details"].is_null());
    } else {
      EXPECT_EQ(event["generated_text"], text);
      EXPECT_EQ(event["details"]["generated_tokens"], 3);
    }
  }
  EXPECT_EQ(r->body.find("[DONE]"), std::string::npos);
}

TEST(EndpointServers, TgiStreamErrorMarkerFailsMidStream) {
  auto r = post_json(
      "tgi", "/generate_stream",
      {{"inputs", "Hello __hfrun_stream_error__"}, {"parameters", {{"max_new_tokens", 5}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto events = sse_data(r->body);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(json::parse(events[0], nullptr, false).contains("token"));
  EXPECT_EQ(json::parse(events[1], nullptr, false)["error_type"], "generation");
}

TEST(EndpointServers, TgiChatStreamEndsWithDone) {
  auto r = post_json("tgi", "/v1/chat/completions",
                     {{"model", "tgi"},
                      {"messages", json::array({{{"role", "user"}, {"content", "Hi you"}}})},
                      {"stream", true}});
  ASSERT_TRUE(r);
  const auto events = sse_data(r->body);
  ASSERT_GE(events.size(), 3U);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i], nullptr, false);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    text += chunk["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(text, "You said: Hi you");
  auto plain = post_json("tgi", "/v1/chat/completions",
                         {{"messages", json::array({{{"role", "user"}, {"content", "Hi you"}}})}});
  EXPECT_EQ(parsed(plain)["choices"][0]["message"]["content"], "You said: Hi you");
}

TEST(EndpointServers, TgiValidationErrors) {
  auto empty = post_json("tgi", "/generate", {{"inputs", ""}});
  EXPECT_EQ(empty->status, 422);
  EXPECT_EQ(parsed(empty)["error_type"], "validation");
  auto too_many =
      post_json("tgi", "/generate", {{"inputs", "x"}, {"parameters", {{"max_new_tokens", 5000}}}});
  EXPECT_EQ(too_many->status, 422);
  EXPECT_EQ(parsed(too_many)["error_type"], "validation");
  auto bad_type =
      post_json("tgi", "/generate", {{"inputs", "x"}, {"parameters", {{"temperature", "hot"}}}});
  EXPECT_EQ(bad_type->status, 422);
  EXPECT_EQ(parsed(bad_type)["error_type"], "validation");
  auto missing = get("tgi", "/no/such/route");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "");
}

TEST(EndpointServers, TgiSecuredWantsExactlyItsKey) {
  auto none = get("tgi-secured", "/info");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->body, "");
  EXPECT_EQ(get("tgi-secured", "/info", {{"Authorization", "Bearer wrong"}})->status, 401);
  auto ok = get("tgi-secured", "/info", {{"Authorization", "Bearer sk-emulator-local"}});
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(parsed(ok)["router"], "text-generation-router");
}

TEST(EndpointServers, BodiesAboveTwoMegabytesAre413OnTgiAndTei) {
  const std::string big(2000001, 'a');
  for (const char* name : {"tgi", "tei"}) {
    auto r = post(name, "/generate", big);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413) << name;
    EXPECT_EQ(r->body, "Failed to buffer the request body: length limit exceeded");
  }
  const std::string fits = json{{"inputs", std::string(1999000, 'a')}}.dump();
  EXPECT_EQ(post("tei", "/embed", fits)->status, 200);
}

// ----------------------------------------------------------------------------------------------
// TEI

TEST(EndpointServers, TeiEmbedsUnitVectorsOf384) {
  auto r = post_json("tei", "/embed", {{"inputs", json::array({"a happy dog", "a sad cat"})}});
  ASSERT_EQ(r->status, 200);
  const json vectors = parsed(r);
  ASSERT_EQ(vectors.size(), 2U);
  for (const auto& v : vectors) {
    ASSERT_EQ(v.size(), 384U);
    double norm = 0;
    for (const auto& x : v)
      norm += x.get<double>() * x.get<double>();
    EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5);
  }
  EXPECT_EQ(parsed(post_json("tei", "/embed", {{"inputs", "a happy dog"}}))[0], vectors[0]);
  const json openai = parsed(post_json("tei", "/v1/embeddings", {{"input", "a happy dog"}}));
  EXPECT_EQ(openai["object"], "list");
  EXPECT_EQ(openai["data"][0]["embedding"], vectors[0]);
  auto empty = post_json("tei", "/embed", {{"inputs", ""}});
  EXPECT_EQ(empty->status, 422);
  EXPECT_EQ(parsed(empty)["error_type"], "Validation");
}

TEST(EndpointServers, TeiSparseAndSimilarity) {
  const json sparse = parsed(post_json("tei", "/embed_sparse", {{"inputs", "dog cat dog"}}));
  ASSERT_EQ(sparse.size(), 1U);
  ASSERT_EQ(sparse[0].size(), 2U); // two distinct words
  EXPECT_TRUE(sparse[0][0].contains("index"));
  EXPECT_GT(sparse[0][0]["value"].get<double>(), 0.0);
  const json sim = parsed(post_json(
      "tei", "/similarity",
      {{"inputs", {{"source_sentence", "a dog"}, {"sentences", json::array({"a dog", "x"})}}}}));
  ASSERT_EQ(sim.size(), 2U);
  EXPECT_NEAR(sim[0].get<double>(), 1.0, 1e-5);
}

TEST(EndpointServers, TeiEmbeddingModelRejectsPredictAndRerank) {
  auto predict = post_json("tei", "/predict", {{"inputs", "x"}});
  EXPECT_EQ(predict->status, 424);
  EXPECT_EQ(parsed(predict),
            json({{"error", "model is not a classifier model"}, {"error_type", "Backend"}}));
  auto rerank = post_json("tei", "/rerank", {{"query", "x"}, {"texts", json::array({"y"})}});
  EXPECT_EQ(rerank->status, 424);
  EXPECT_EQ(parsed(rerank)["error"], "model is not a re-ranker model");
}

TEST(EndpointServers, TeiClassifierPredictsSortedScores) {
  const json one = parsed(post_json("tei-classifier", "/predict", {{"inputs", "I love it"}}));
  ASSERT_EQ(one.size(), 28U);
  double sum = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    sum += one[i]["score"].get<double>();
    if (i > 0) {
      EXPECT_GE(one[i - 1]["score"].get<double>(), one[i]["score"].get<double>());
    }
  }
  EXPECT_NEAR(sum, 1.0, 1e-4);
  // POST / is predict on a classifier; a list of three texts is a batch, a pair is one input.
  EXPECT_EQ(parsed(post_json("tei-classifier", "/", {{"inputs", "I love it"}})), one);
  const json batch =
      parsed(post_json("tei-classifier", "/predict", {{"inputs", json::array({"a", "b", "c"})}}));
  EXPECT_EQ(batch.size(), 3U);
  EXPECT_EQ(batch[0].size(), 28U);
  const json pair =
      parsed(post_json("tei-classifier", "/predict", {{"inputs", json::array({"a", "b"})}}));
  EXPECT_EQ(pair.size(), 28U);
  EXPECT_TRUE(pair[0].contains("label"));
}

TEST(EndpointServers, TeiRerankerSortsByScore) {
  const json out = parsed(post_json("tei-reranker", "/rerank",
                                    {{"query", "cat food"},
                                     {"texts", json::array({"dog", "cat food is great", "x"})},
                                     {"return_text", true}}));
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(out[0]["index"], 1);
  EXPECT_EQ(out[0]["text"], "cat food is great");
  EXPECT_GE(out[0]["score"].get<double>(), out[1]["score"].get<double>());
  EXPECT_GE(out[1]["score"].get<double>(), out[2]["score"].get<double>());
  const json no_text = parsed(post_json("tei-reranker", "/rerank",
                                        {{"query", "cat food"}, {"texts", json::array({"dog"})}}));
  EXPECT_FALSE(no_text[0].contains("text"));
}

// ----------------------------------------------------------------------------------------------
// The Inference Toolkit and a custom handler

TEST(EndpointServers, ToolkitContentTypeRules) {
  const std::string name = "toolkit-text-classification";
  auto ok = post(name, "/", json{{"inputs", "I like you"}}.dump(), "application/json");
  ASSERT_EQ(ok->status, 200);
  const json labels = parsed(ok);
  ASSERT_EQ(labels[0].size(), 2U);
  EXPECT_EQ(labels[0][0]["label"], "POSITIVE");
  EXPECT_EQ(parsed(post(name, "/predict", json{{"inputs", "I like you"}}.dump(),
                        "application/json; charset=UTF-8")),
            labels);
  auto lower = post(name, "/", json{{"inputs", "x"}}.dump(), "application/json; charset=utf-8");
  EXPECT_EQ(lower->status, 400);
  EXPECT_EQ(parsed(lower)["error"],
            "Content type \"application/json; charset=utf-8\" not supported");
  auto text = post(name, "/", "I like you", "text/plain");
  EXPECT_EQ(text->status, 400);
  EXPECT_EQ(parsed(text)["error"], "Content type \"text/plain\" not supported");
  auto no_inputs = post(name, "/", json{{"text", "I like you"}}.dump());
  EXPECT_EQ(no_inputs->status, 400);
  EXPECT_EQ(parsed(no_inputs), json({{"error", "Body needs to provide a inputs key"}}));
}

TEST(EndpointServers, ToolkitImagesInAndOut) {
  const std::string image = generated_image();
  ASSERT_GT(image.size(), 100U);
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)); // Accept: image/png
  auto jpeg = post("toolkit-text-to-image", "/", json{{"inputs", "a red square"}}.dump(),
                   "application/json", {{"Accept", "image/jpeg"}});
  EXPECT_EQ(jpeg->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(static_cast<unsigned char>(jpeg->body[0]), 0xFF);
  // Without Accept image/*: the image as base64 inside JSON.
  const json b64 =
      parsed(post("toolkit-text-to-image", "/", json{{"inputs", "a red square"}}.dump()));
  ASSERT_TRUE(b64.is_string());
  EXPECT_EQ(b64.get<std::string>(), base64(image));
  // Raw bytes with an exact image Content-Type, or base64 in JSON: the same labels.
  auto raw = post("toolkit-image-classification", "/", image, "image/jpeg");
  ASSERT_EQ(raw->status, 200) << raw->body;
  const json labels = parsed(raw);
  ASSERT_FALSE(labels.empty());
  EXPECT_TRUE(labels[0].contains("label"));
  EXPECT_EQ(
      parsed(post("toolkit-image-classification", "/", json{{"inputs", base64(image)}}.dump())),
      labels);
  auto wrong = post("toolkit-image-classification", "/", image, "image/heic");
  EXPECT_EQ(wrong->status, 400);
}

TEST(EndpointServers, CustomImageHandler) {
  const std::string image = generated_image();
  auto r = post_json("custom-image", "/", {{"image", base64(image)}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(parsed(r),
            json({{"format", "png"}, {"width", 512}, {"height", 512}, {"bytes", image.size()}}));
  auto missing = post_json("custom-image", "/", {{"inputs", "x"}});
  EXPECT_EQ(missing->status, 400);
  EXPECT_TRUE(parsed(missing).contains("error"));
  auto bad = post_json("custom-image", "/", {{"image", "!!!"}});
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(get("custom-image", "/info")->status, 404);
}

// ----------------------------------------------------------------------------------------------
// llama.cpp, vLLM, Ollama

TEST(EndpointServers, LlamacppLoadingAnswers503ThenServes) {
  auto first = get("llamacpp-loading", "/health");
  EXPECT_EQ(first->status, 503);
  EXPECT_EQ(parsed(first),
            json({{"error",
                   {{"code", 503}, {"message", "Loading model"}, {"type", "unavailable_error"}}}}));
  EXPECT_EQ(get("llamacpp-loading", "/props")->status, 503);
  std::this_thread::sleep_for(2600ms);
  auto ready = get("llamacpp-loading", "/health");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(parsed(ready), json({{"status", "ok"}}));
}

TEST(EndpointServers, LlamacppCompletionPlainAndStreamed) {
  const json plain =
      parsed(post_json("llamacpp", "/completion", {{"prompt", "Hi"}, {"n_predict", 3}}));
  EXPECT_EQ(plain["stop"], true);
  EXPECT_EQ(plain["tokens_predicted"], 3);
  auto r =
      post_json("llamacpp", "/completion", {{"prompt", "Hi"}, {"n_predict", 3}, {"stream", true}});
  const auto events = sse_data(r->body);
  ASSERT_EQ(events.size(), 4U);
  std::string text;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json e = json::parse(events[i], nullptr, false);
    text += e["content"].get<std::string>();
    EXPECT_EQ(e["stop"], i + 1 == events.size());
  }
  EXPECT_EQ(text, plain["content"]);
  auto missing = get("llamacpp", "/nothing");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(parsed(missing)["error"]["type"], "not_found_error");
}

TEST(EndpointServers, VllmErrorShapes) {
  const json messages = json::array({{{"role", "user"}, {"content", "x"}}});
  auto other =
      post_json("vllm", "/v1/chat/completions", {{"model", "other"}, {"messages", messages}});
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(parsed(other), json({{"error",
                                  {{"message", "The model `other` does not exist."},
                                   {"type", "NotFoundError"},
                                   {"param", "model"},
                                   {"code", 404}}}}));
  auto bad = post_json(
      "vllm", "/v1/chat/completions",
      {{"model", "Qwen/Qwen2.5-7B-Instruct"}, {"messages", messages}, {"temperature", -1}});
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(parsed(bad)["error"]["code"], 400);
  auto ok = post_json("vllm", "/v1/chat/completions",
                      {{"model", "Qwen/Qwen2.5-7B-Instruct"}, {"messages", messages}});
  EXPECT_EQ(parsed(ok)["choices"][0]["message"]["content"], "You said: x");
  auto embed = post_json("vllm-embed", "/v1/embeddings",
                         {{"model", "BAAI/bge-small-en-v1.5"}, {"input", "x"}});
  EXPECT_EQ(parsed(embed)["data"][0]["embedding"].size(), 384U);
  EXPECT_EQ(get("vllm", "/nothing")->body, R"({"detail":"Not Found"})");
  // transformers serve chats with the model the body names.
  auto ts = post_json("transformers-serve", "/v1/chat/completions",
                      {{"model", "Qwen/Qwen3-0.6B"}, {"messages", messages}});
  EXPECT_EQ(parsed(ts)["model"], "Qwen/Qwen3-0.6B");
  auto echoed = client().Post(
      server("transformers-serve", "/v1/chat/completions"), {{"x-request-id", "req-42"}},
      json{{"model", "m"}, {"messages", messages}}.dump(), "application/json");
  EXPECT_EQ(echoed->get_header_value("x-request-id"), "req-42");
}

TEST(EndpointServers, OllamaStreamsNdjsonByDefault) {
  const json body{{"model", "llama3.2"},
                  {"messages", json::array({{{"role", "user"}, {"content", "Hi there"}}})}};
  auto r = post_json("ollama", "/api/chat", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  const auto lines = ndjson(r->body);
  ASSERT_EQ(lines.size(), 5U); // "You", " said:", " Hi", " there", then the final line
  std::string text;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["done"], false);
    text += lines[i]["message"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, "You said: Hi there");
  EXPECT_EQ(lines.back()["done"], true);
  EXPECT_EQ(lines.back()["done_reason"], "stop");
  EXPECT_EQ(lines.back()["eval_count"], 4);

  json once = body;
  once["stream"] = false;
  const json single = parsed(post_json("ollama", "/api/chat", once));
  EXPECT_EQ(single["message"]["content"], "You said: Hi there");
  EXPECT_EQ(single["done"], true);

  const json gen = parsed(post_json("ollama", "/api/generate",
                                    {{"model", "llama3.2:latest"},
                                     {"prompt", "Why"},
                                     {"stream", false},
                                     {"options", {{"num_predict", 4}}}}));
  EXPECT_EQ(gen["done_reason"], "length");
  EXPECT_EQ(gen["eval_count"], 4);
  EXPECT_TRUE(gen["response"].is_string());
}

TEST(EndpointServers, OllamaErrors) {
  auto unknown = post_json("ollama", "/api/chat", {{"model", "nope"}, {"messages", json::array()}});
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(parsed(unknown), json({{"error", "model \"nope\" not found, try pulling it first"}}));
  auto r = post_json(
      "ollama", "/api/chat",
      {{"model", "llama3.2"},
       {"messages", json::array({{{"role", "user"}, {"content", "Hi __hfrun_stream_error__"}}})}});
  EXPECT_EQ(r->status, 200);
  const auto lines = ndjson(r->body);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0]["done"], false);
  EXPECT_TRUE(lines[1].contains("error"));
  const json embed = parsed(post_json("ollama", "/api/embed",
                                      {{"model", "llama3.2"}, {"input", json::array({"a", "b"})}}));
  EXPECT_EQ(embed["embeddings"].size(), 2U);
  EXPECT_EQ(embed["embeddings"][0].size(), 384U);
}

TEST(EndpointServers, RequestsAreLoggedAndFaulted) {
  auto faulted = get("tgi", "/info", {{"X-Emulator-Fault", "status=503;times=1"}});
  EXPECT_EQ(faulted->status, 503);
  auto again = get("tgi", "/info", {{"X-Emulator-Fault", "status=503;times=1"}});
  EXPECT_EQ(again->status, 200);
  auto log = client().Get("/_emulator/log?role=endpoints");
  ASSERT_TRUE(log);
  int seen = 0;
  for (const auto& entry : ndjson(log->body)) {
    if (entry.value("path", "") == "/servers/tgi/info" &&
        entry["headers"].value("x-emulator-fault", "").find("status=503") != std::string::npos) {
      EXPECT_EQ(entry["role"], "endpoints");
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

} // namespace
