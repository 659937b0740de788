// The endpoint backend: flavour detection from the servers' own discovery answers (the shapes
// docs/endpoint.md's "Flavours" table names: TGI and TEI /info, llama.cpp /props, vLLM
// /v1/models, Ollama /api/version), the probe requests in order, 401 while probing, and the route
// per flavour.
#include "backends/endpoint_backend.hpp"
#include "backends/flavor.hpp"
#include "unit/client/fake_client.hpp"

#include <gtest/gtest.h>

namespace hfrun::backends {
namespace {

constexpr const char* k_base = "http://127.0.0.1:8080";

ProbeAnswer ok(std::string body, std::string type = "application/json") {
  return {200, std::move(type), std::move(body)};
}
ProbeAnswer missing() {
  return {404, "application/json", R"({"error":"Not Found"})"};
}

ProbeAnswers none() {
  return {missing(), missing(), missing(), missing(), missing()};
}

TEST(EndpointFlavor, TgiByItsInfo) {
  auto a = none();
  a.info =
      ok(R"({"model_id":"meta-llama/Llama-3.1-8B-Instruct","model_pipeline_tag":"text-generation",
                  "max_input_tokens":4095,"router":"text-generation-router","version":"3.3.4"})");
  const auto f = classify(a);
  EXPECT_EQ(f.flavor, Flavor::tgi);
  EXPECT_EQ(f.task, "text-generation");
  EXPECT_EQ(f.model, "meta-llama/Llama-3.1-8B-Instruct");
}

TEST(EndpointFlavor, TeiByModelTypeAndMaxInputLength) {
  auto a = none();
  a.info = ok(R"({"model_id":"BAAI/bge-small-en-v1.5","model_type":{"embedding":{"pooling":"cls"}},
                  "max_input_length":512,"version":"1.7.0"})");
  EXPECT_EQ(classify(a).flavor, Flavor::tei);
  EXPECT_EQ(classify(a).task, "feature-extraction");
  a.info = ok(R"({"model_type":{"classifier":{"id2label":{}}},"max_input_length":512})");
  EXPECT_EQ(classify(a).task, "text-classification");
}

TEST(EndpointFlavor, LlamaCppByProps) {
  auto a = none();
  a.props = ok(
      R"({"default_generation_settings":{"n_ctx":4096},"model_path":"gemma.gguf","build_info":"b5000"})");
  EXPECT_EQ(classify(a).flavor, Flavor::llamacpp);
}

TEST(EndpointFlavor, OpenAiServersByOwner) {
  auto a = none();
  a.models = ok(
      R"({"object":"list","data":[{"id":"Qwen/Qwen2.5-7B","object":"model","owned_by":"vllm"}]})");
  EXPECT_EQ(classify(a).flavor, Flavor::vllm);
  EXPECT_EQ(classify(a).model, "Qwen/Qwen2.5-7B");
  a.models = ok(R"({"data":[{"id":"m","owned_by":"sglang"}]})");
  EXPECT_EQ(classify(a).flavor, Flavor::sglang);
  a.models = ok(R"({"data":[{"id":"tgi-model","owned_by":"tgi-model"}]})");
  EXPECT_EQ(classify(a).flavor, Flavor::tgi);
  a.models = ok(R"({"data":[{"id":"x","owned_by":"someone"}]})");
  EXPECT_EQ(classify(a).flavor, Flavor::openai);
  a.health = ok(R"({"status":"ok"})");
  EXPECT_EQ(classify(a).flavor, Flavor::transformers_serve);
}

TEST(EndpointFlavor, OllamaBeforeItsOpenAiRoutes) {
  auto a = none();
  a.ollama = ok(R"({"version":"0.6.2"})");
  a.models = ok(R"({"data":[{"id":"llama3.2:latest","owned_by":"library"}]})");
  const auto f = classify(a);
  EXPECT_EQ(f.flavor, Flavor::ollama);
  EXPECT_EQ(f.model, "llama3.2:latest");
}

TEST(EndpointFlavor, NothingAnsweringIsTheToolkit) {
  auto a = none();
  a.health = ok("Ok", "text/plain");
  EXPECT_EQ(classify(a).flavor, Flavor::toolkit);
  EXPECT_EQ(classify(none()).flavor, Flavor::toolkit);
}

TEST(EndpointFlavor, NamesRoundTrip) {
  for (const char* name : {"tgi", "tei", "vllm", "sglang", "llamacpp", "ollama",
                           "transformers-serve", "toolkit", "openai"}) {
    const auto f = parse_flavor(name);
    ASSERT_TRUE(f) << name;
    EXPECT_EQ(flavor_name(*f), name);
  }
  EXPECT_FALSE(parse_flavor("triton"));
}

struct Harness : test::FakeClient {
  Harness() : FakeClient("hf_endpointtesttoken") {}
};

Call call_of(std::string target,
             std::optional<std::string> task = std::nullopt,
             std::string flavor = "") {
  Call c;
  c.command = "endpoint";
  c.target = std::move(target);
  c.task = std::move(task);
  c.options = {{"flavor", flavor}};
  return c;
}

TEST(EndpointPlan, TgiChatGoesToItsOpenAiRouteWithTheToken) {
  Harness h;
  h.push(
      200,
      R"({"model_id":"m","router":"text-generation-router","model_pipeline_tag":"text-generation"})");
  auto backend = make_endpoint_backend();
  auto plan = backend->plan(*h.client, call_of(std::string(k_base) + "/"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->task->id, tasks::TaskId::conversational);
  EXPECT_EQ(plan->url, std::string(k_base) + "/v1/chat/completions");
  EXPECT_EQ(plan->body_model, "m");
  ASSERT_EQ(h.fake->requests.size(), 1u);
  EXPECT_EQ(h.fake->requests[0].url, std::string(k_base) + "/info");
  // The URL the user named gets the token, plain http included.
  EXPECT_EQ(h.fake->requests[0].headers.get("Authorization"), "Bearer hf_endpointtesttoken");
}

TEST(EndpointPlan, ProbesInOrderUntilOneAnswers) {
  Harness h;
  h.push(404, "{}");                                                       // /info
  h.push(404, "{}");                                                       // /props
  h.push(404, "{}");                                                       // /api/version
  h.push(200, R"({"data":[{"id":"Qwen/Qwen2.5-7B","owned_by":"vllm"}]})"); // /v1/models
  h.push(404, "{}");                                                       // /health
  auto plan = make_endpoint_backend()->plan(*h.client, call_of(k_base, "text-generation"));
  ASSERT_TRUE(plan) << plan.error().message;
  std::vector<std::string> paths;
  for (const auto& r : h.fake->requests) {
    paths.push_back(r.url.substr(std::string(k_base).size()));
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/info", "/props", "/api/version", "/v1/models", "/health"}));
  EXPECT_EQ(plan->url, std::string(k_base) + "/v1/completions");
  EXPECT_EQ(plan->body_model, "Qwen/Qwen2.5-7B");
}

TEST(EndpointPlan, AServerStillStartingIsWaitedFor) {
  Harness h;
  h.fake->push_failure(TransportFailure::connect, "connection refused");
  h.push(503, R"({"error":"unhealthy","error_type":"unhealthy"})");
  h.push(200, R"({"model_id":"m","router":"text-generation-router"})");
  auto plan = make_endpoint_backend()->plan(*h.client, call_of(k_base));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(h.sleeper.sleeps,
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                    std::chrono::milliseconds(2000)}));
}

TEST(EndpointPlan, WaitingEndsAtTheWaitTimeout) {
  Harness h;
  for (int i = 0; i < 4; ++i) {
    h.fake->push_failure(TransportFailure::connect, "connection refused");
  }
  auto call = call_of(k_base);
  call.options["wait_timeout"] = "3";
  auto plan = make_endpoint_backend()->plan(*h.client, call);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::network);
  EXPECT_EQ(h.sleeper.total(), std::chrono::milliseconds(3000));
}

TEST(EndpointPlan, UnauthorizedWhileProbingIsAuth) {
  Harness h;
  h.push(401, R"({"error":"Unauthorized"})");
  auto plan = make_endpoint_backend()->plan(*h.client, call_of(k_base));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::auth);
}

TEST(EndpointPlan, ForcedToolkitSendsNoProbeAndPostsToTheUrl) {
  Harness h;
  auto plan =
      make_endpoint_backend()->plan(*h.client, call_of("https://x.endpoints.huggingface.cloud",
                                                       "image-classification", "toolkit"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(h.fake->requests.empty());
  EXPECT_EQ(plan->url, "https://x.endpoints.huggingface.cloud");
}

TEST(EndpointPlan, ATaskTheFlavorDoesNotRunIsAUsageError) {
  Harness h;
  auto plan =
      make_endpoint_backend()->plan(*h.client, call_of(k_base, "image-classification", "tei"));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_EQ(plan.error().message, "tei servers do not run image-classification");
}

// A named endpoint: its URL, flavour and task from the management API (its image), no probe.
std::string endpoint_json(const std::string& state, const std::string& image, bool url = true) {
  nlohmann::json e = {{"name", "llama"},
                      {"type", "protected"},
                      {"healthRoute", "/health"},
                      {"model",
                       {{"repository", "meta-llama/Llama-3.1-8B-Instruct"},
                        {"task", "text-generation"},
                        {"image", {{image, nlohmann::json::object()}}}}},
                      {"status", {{"state", state}}}};
  if (url) {
    e["status"]["url"] = "https://abc.us-east-1.aws.endpoints.huggingface.cloud";
  }
  return e.dump();
}

TEST(EndpointPlan, ANameIsResolvedThroughTheManagementApi) {
  Harness h;
  h.push(200, R"({"name":"hfrun-tester","type":"user"})"); // whoami: the namespace
  h.push(200, endpoint_json("running", "tgi"));            // GET /endpoint/hfrun-tester/llama
  h.push(200, "");                                         // GET {url}/health
  auto plan = make_endpoint_backend()->plan(*h.client, call_of("llama"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(h.fake->requests[1].url,
            "https://api.endpoints.huggingface.cloud/v2/endpoint/hfrun-tester/llama");
  EXPECT_EQ(plan->url, "https://abc.us-east-1.aws.endpoints.huggingface.cloud/v1/chat/completions");
  EXPECT_EQ(plan->body_model, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(h.fake->requests.size(), 3u); // no data-plane probe
}

TEST(EndpointPlan, TheToolkitImageRunsTheEndpointsTask) {
  Harness h;
  h.push(200, endpoint_json("running", "huggingface"));
  h.push(200, "Ok");
  auto plan = make_endpoint_backend()->plan(*h.client, call_of("hfrun-org/llama"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->task->id, tasks::TaskId::text_generation);
  EXPECT_EQ(plan->url, "https://abc.us-east-1.aws.endpoints.huggingface.cloud");
}

TEST(EndpointPlan, APausedEndpointFailsAtOnce) {
  Harness h;
  h.push(200, endpoint_json("paused", "tgi"));
  auto plan = make_endpoint_backend()->plan(*h.client, call_of("hfrun-tester/llama"));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(plan.error().hint, "run `hfrun endpoint resume hfrun-tester/llama`, then try again");
  EXPECT_TRUE(h.sleeper.sleeps.empty());
}

TEST(EndpointPlan, AScaledToZeroEndpointIsWokenByOneHeldRequest) {
  Harness h;
  h.push(200, endpoint_json("scaledToZero", "tgi"));
  h.push(200, ""); // the held health request
  auto call = call_of("hfrun-tester/llama");
  call.options["wait_timeout"] = "300";
  auto plan = make_endpoint_backend()->plan(*h.client, call);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(h.fake->requests.size(), 2u);
  EXPECT_EQ(h.fake->requests[1].headers.get("X-Scale-Up-Timeout"), "300");
}

TEST(EndpointPlan, TgiTextGenerationUsesGenerateWithDetailsAndGenerateStreamWhenStreaming) {
  Harness h;
  h.push(200, R"({"model_id":"m","router":"text-generation-router"})");
  auto backend = make_endpoint_backend();
  auto plan = backend->plan(*h.client, call_of(k_base, "text-generation"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->url, std::string(k_base) + "/generate");
  tasks::Inputs in;
  in.text = "Once upon";
  in.params["max_tokens"] = 4;
  auto whole = backend->encode(*plan, in, EncodeContext{});
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->url, std::string(k_base) + "/generate");
  EXPECT_EQ(whole->body->describe()->bytes,
            R"({"inputs":"Once upon","parameters":{"details":true,"max_new_tokens":4}})");
  EncodeContext streaming;
  streaming.stream = true;
  auto streamed = backend->encode(*plan, in, streaming);
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->url, std::string(k_base) + "/generate_stream");
}

TEST(EndpointPlan, AModelParameterNamesTheServedModel) {
  Harness h;
  auto backend = make_endpoint_backend();
  auto plan = backend->plan(*h.client, call_of(k_base, "conversational", "ollama"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(h.fake->requests.empty()); // --flavor and --task: no probe, no served model known
  tasks::Inputs in;
  in.text = "Hi";
  in.params["model"] = "llama3.2";
  auto request = backend->encode(*plan, in, EncodeContext{});
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->url, std::string(k_base) + "/api/chat");
  EXPECT_EQ(nlohmann::json::parse(request->body->describe()->bytes)["model"], "llama3.2");
}

TEST(EndpointPlan, NeitherAUrlNorANameIsAUsageError) {
  Harness h;
  auto plan = make_endpoint_backend()->plan(*h.client, call_of("not a name"));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_TRUE(h.fake->requests.empty());
}

} // namespace
} // namespace hfrun::backends
