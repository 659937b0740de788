// The serverless backend's plan step as a branch table, driven through the fake transport: which
// requests it makes, which URL and body model it picks, and which errors it gives. Then execute():
// a retried stream starts clean, a cut stream is an error, result URLs are fetched without the
// token.
#include "backends/serverless_backend.hpp"
#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <gtest/gtest.h>
#include <hfrun/http/bodies.hpp>

namespace hfrun::backends {
namespace {

constexpr const char* k_token = "hf_backendtesttoken";
constexpr const char* k_hub = "https://huggingface.co";
constexpr const char* k_router = "https://router.huggingface.co";

struct Harness {
  explicit Harness(std::unique_ptr<http::Transport> transport = nullptr, bool offline = false) {
    client::ClientOptions options;
    std::map<std::string, std::string> env{{"HOME", "/tmp"}};
    if (offline) {
      env["HF_HUB_OFFLINE"] = "1";
    }
    options.config = config::load_config(config::map_env(env));
    options.token = config::Token{k_token, config::TokenSource::env_hf_token, {}};
    if (!transport) {
      auto fake_transport = std::make_unique<http::FakeTransport>();
      fake = fake_transport.get();
      transport = std::move(fake_transport);
    }
    client = std::make_unique<client::Client>(std::move(options), std::move(transport), sleeper,
                                              client::Reporter{});
  }
  http::FakeTransport* fake = nullptr;
  util::FakeSleeper sleeper;
  std::unique_ptr<client::Client> client;
};

std::string
model_info(const std::string& id, const std::string& pipeline_tag, const std::string& mapping) {
  return R"({"id":")" + id + R"(","pipeline_tag":")" + pipeline_tag +
         R"(","inferenceProviderMapping":)" + mapping + "}";
}

struct PlanCase {
  const char* name;
  const char* target;
  const char* task;     // "" = none
  const char* provider; // --provider
  const char* hub_body; // "" = no lookup expected
  // Expected:
  const char* url; // "" when an error is expected
  const char* body_model;
  ErrorKind error = ErrorKind::internal; // when url is ""
};

const PlanCase k_plans[] = {
    {"task and hf-inference need no lookup", "google/vit-base-patch16-224", "image-classification",
     "hf-inference", "",
     "https://router.huggingface.co/hf-inference/models/google/vit-base-patch16-224",
     "google/vit-base-patch16-224"},
    {"embeddings post to the pipeline route", "sentence-transformers/all-MiniLM-L6-v2",
     "feature-extraction", "hf-inference", "",
     "https://router.huggingface.co/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/"
     "pipeline/"
     "feature-extraction",
     "sentence-transformers/all-MiniLM-L6-v2"},
    {"chat with auto goes to the router as given", "meta-llama/Llama-3.1-8B-Instruct:fastest",
     "conversational", "auto", "", "https://router.huggingface.co/v1/chat/completions",
     "meta-llama/Llama-3.1-8B-Instruct:fastest"},
    {"a provider suffix on chat is routed by the router",
     "meta-llama/Llama-3.1-8B-Instruct:together", "conversational", "auto", "",
     "https://router.huggingface.co/v1/chat/completions",
     "meta-llama/Llama-3.1-8B-Instruct:together"},
    {"the task comes from the first mapping entry", "black-forest-labs/FLUX.1-dev", "", "auto",
     R"({"id":"black-forest-labs/FLUX.1-dev","pipeline_tag":"text-to-image","inferenceProviderMapping":{"fal-ai":{"status":"live","providerId":"fal-ai/flux/dev","task":"text-to-image"},"together":{"status":"live","providerId":"black-forest-labs/FLUX.1-dev","task":"text-to-image"}}})",
     "https://router.huggingface.co/fal-ai/fal-ai/flux/dev", "fal-ai/flux/dev"},
    {"a chosen provider uses its providerId", "black-forest-labs/FLUX.1-dev", "", "together",
     R"({"id":"black-forest-labs/FLUX.1-dev","pipeline_tag":"text-to-image","inferenceProviderMapping":[{"provider":"fal-ai","status":"live","providerId":"fal-ai/flux/dev","task":"text-to-image"},{"provider":"together","status":"live","providerId":"black-forest-labs/FLUX.1-dev-tg","task":"text-to-image"}]})",
     "https://router.huggingface.co/together/v1/images/generations",
     "black-forest-labs/FLUX.1-dev-tg"},
    {"no mapping falls back to hf-inference by pipeline tag",
     "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "", "auto",
     R"({"id":"distilbert/distilbert-base-uncased-finetuned-sst-2-english","pipeline_tag":"text-classification"})",
     "https://router.huggingface.co/hf-inference/models/distilbert/"
     "distilbert-base-uncased-finetuned-sst-2-english",
     "distilbert/distilbert-base-uncased-finetuned-sst-2-english"},
    {"a renamed repo is called by its current id", "gpt2", "", "auto",
     R"({"id":"openai-community/gpt2","pipeline_tag":"text-generation","inferenceProviderMapping":{"hf-inference":{"status":"live","providerId":"openai-community/gpt2","task":"text-generation"}}})",
     "https://router.huggingface.co/hf-inference/models/openai-community/gpt2",
     "openai-community/gpt2"},
    {"a provider that does not serve the model", "black-forest-labs/FLUX.1-dev", "", "groq",
     R"({"id":"black-forest-labs/FLUX.1-dev","pipeline_tag":"text-to-image","inferenceProviderMapping":{"fal-ai":{"status":"live","providerId":"fal-ai/flux/dev","task":"text-to-image"}}})",
     "", "", ErrorKind::usage},
    {"a task the mapping does not serve", "meta-llama/Llama-3.1-8B-Instruct", "text-classification",
     "auto",
     R"({"id":"meta-llama/Llama-3.1-8B-Instruct","pipeline_tag":"text-generation","inferenceProviderMapping":{"together":{"status":"live","providerId":"x","task":"conversational"}}})",
     "", "", ErrorKind::usage},
    {"an unknown task is a usage error before any request", "org/model", "no-such-task", "auto", "",
     "", "", ErrorKind::usage},
    {"an unknown provider is a usage error before any request", "org/model", "text-classification",
     "nope", "", "", "", ErrorKind::usage},
    {"a malformed mapping entry is skipped, not thrown on", "org/model", "", "auto",
     R"({"id":"org/model","pipeline_tag":"text-classification","inferenceProviderMapping":[{"provider":null,"task":7},{"provider":"hf-inference","status":"live","providerId":"org/model","task":"text-classification"}]})",
     "https://router.huggingface.co/hf-inference/models/org/model", "org/model"},
};

class PlanTable : public testing::TestWithParam<PlanCase> {};

TEST_P(PlanTable, DecidesUrlModelOrError) {
  const PlanCase& c = GetParam();
  Harness h;
  const bool lookup = c.hub_body[0] != '\0';
  if (lookup) {
    http::Headers headers;
    headers.set("Content-Type", "application/json");
    h.fake->push_status(200, headers, c.hub_body);
  }
  auto backend = make_serverless_backend();
  Call call;
  call.command = "serverless";
  call.target = c.target;
  if (c.task[0] != '\0') {
    call.task = c.task;
  }
  call.options["provider"] = c.provider;
  auto plan = backend->plan(*h.client, call);
  ASSERT_EQ(h.fake->requests.size(), lookup ? 1U : 0U);
  if (lookup) {
    EXPECT_TRUE(h.fake->requests[0].url.starts_with(std::string(k_hub) + "/api/models/"))
        << h.fake->requests[0].url;
  }
  if (c.url[0] == '\0') {
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().kind, c.error);
    return;
  }
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(backend->needs_lookup(call), lookup);
  EXPECT_EQ(plan->url, c.url);
  EXPECT_EQ(plan->body_model, c.body_model);
}

INSTANTIATE_TEST_SUITE_P(Serverless,
                         PlanTable,
                         testing::ValuesIn(k_plans),
                         [](const auto& param_info) {
                           std::string name;
                           for (const char* p = param_info.param.name; *p != '\0'; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) != 0 ? *p : '_';
                           }
                           return name;
                         });

TEST(ServerlessPlan, OfflineModeFailsBeforeAnyRequest) {
  Harness h(nullptr, true);
  auto backend = make_serverless_backend();
  Call call{"serverless",
            "org/model",
            std::string("text-classification"),
            {},
            {{"provider", "hf-inference"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_NE(plan.error().message.find("HF_HUB_OFFLINE"), std::string::npos);
  EXPECT_TRUE(h.fake->requests.empty());
}

TEST(ServerlessPlan, HintsNameTheCommandBeingRun) {
  Harness h;
  http::Headers headers;
  headers.set("Content-Type", "application/json");
  h.fake->push_status(
      200, headers,
      model_info("org/m", "text-generation",
                 R"({"together":{"status":"live","providerId":"x","task":"conversational"}})"));
  auto backend = make_serverless_backend();
  Call call{"batchrun", "org/m", std::string("text-classification"), {}, {{"provider", "auto"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().hint.find("hfrun batchrun org/m"), std::string::npos) << plan.error().hint;
}

TEST(ServerlessEncode, CodecHintShowsTheCallOfTheCommand) {
  Harness h;
  auto backend = make_serverless_backend();
  Call call{"serverless",
            "org/m",
            std::string("text-classification"),
            {},
            {{"provider", "hf-inference"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_TRUE(plan);
  EncodeContext context;
  context.example = "hfrun endpoint URL";
  auto request = backend->encode(*plan, tasks::Inputs{}, context);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().hint, "for example: hfrun endpoint URL --text 'I like you'");
}

// A transport whose first answer streams two chunks and then breaks (nothing shown to the user
// yet), and whose second answer is a whole stream.
class ResetThenStream final : public http::Transport {
public:
  explicit ResetThenStream(std::vector<std::string> second) : m_second(std::move(second)) {}
  Result<http::Response> send(http::Request& request) override {
    ++calls;
    http::Response response;
    response.status = 200;
    response.headers.set("Content-Type", "text/event-stream");
    response.headers.set("x-request-id", "req-" + std::to_string(calls));
    HFRUN_TRY(request.sink->begin(200, response.headers));
    if (calls == 1) {
      HFRUN_TRY(
          request.sink->write("data: {\"choices\":[{\"delta\":{\"content\":\"You said:\"}}]}\n\n"));
      (void)request.sink->finish(false);
      Error e = make_error(ErrorKind::network, "connection reset");
      e.transport = TransportFailure::reset;
      return unexpected<Error>(e);
    }
    for (const auto& chunk : m_second) {
      HFRUN_TRY(request.sink->write(chunk));
    }
    HFRUN_TRY(request.sink->finish(true));
    return response;
  }
  std::vector<Result<http::Response>> send_all(std::vector<http::Request>& requests,
                                               std::size_t) override {
    std::vector<Result<http::Response>> out;
    for (auto& r : requests) {
      out.push_back(send(r));
    }
    return out;
  }
  int calls = 0;

private:
  std::vector<std::string> m_second;
};

class Collect final : public StreamObserver {
public:
  Result<void> on_text(std::string_view delta) override {
    text += delta;
    return {};
  }
  Result<void> on_raw(std::string_view bytes) override {
    raw += bytes;
    return {};
  }
  bool emitted() const override { return !text.empty() || !raw.empty(); }
  std::string text;
  std::string raw;
};

// A streamed chat call through every step of the backend.
Result<Outcome> run_chat(Harness& h, StreamObserver& observer, bool raw = false) {
  auto backend = make_serverless_backend();
  Call call{"serverless", "org/chat", std::string("conversational"), {}, {{"provider", "auto"}}};
  HFRUN_TRY_ASSIGN(plan, backend->plan(*h.client, call));
  tasks::Inputs inputs;
  inputs.text = "hello world";
  HFRUN_TRY_ASSIGN(request, backend->encode(plan, inputs, EncodeContext{true, ""}));
  return backend->execute(*h.client, plan, request, ExecuteOptions{true, raw, &observer});
}

TEST(ServerlessExecute, ARetriedStreamStartsFromACleanResult) {
  auto transport = std::make_unique<ResetThenStream>(
      std::vector<std::string>{"data: {\"choices\":[{\"delta\":{\"content\":\"You said:\"}}]}\n\n",
                               "data: {\"choices\":[{\"delta\":{\"content\":\" hello "
                               "world\"},\"finish_reason\":\"stop\"}]}\n\n",
                               "data: [DONE]\n\n"});
  auto* raw = transport.get();
  Harness h(std::move(transport));
  // The first attempt's chunk was assembled but not shown (--json): the reset is retried.
  class Silent final : public StreamObserver {
  public:
    Result<void> on_text(std::string_view) override { return {}; }
    Result<void> on_raw(std::string_view) override { return {}; }
    bool emitted() const override { return false; }
  } silent;
  auto outcome = run_chat(h, silent);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(raw->calls, 2);
  EXPECT_EQ(outcome->normalized["content"], "You said: hello world");
}

TEST(ServerlessExecute, AStreamCutWithoutDoneOrFinishReasonIsTruncated) {
  auto transport = std::make_unique<ResetThenStream>(std::vector<std::string>{
      "data: {\"choices\":[{\"delta\":{\"content\":\"You said:\"}}]}\n\n"});
  transport->calls = 1; // no reset: straight to the second answer
  Harness h(std::move(transport));
  Collect observer;
  auto outcome = run_chat(h, observer);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, ErrorKind::bad_response);
  EXPECT_EQ(outcome.error().request_id, "req-2");
}

TEST(ServerlessExecute, AnErrorInsideTheStreamQuotesTheRequestIdOfTheReply) {
  auto transport = std::make_unique<ResetThenStream>(
      std::vector<std::string>{"data: {\"error\":{\"message\":\"Input validation error\"}}\n\n"});
  transport->calls = 1; // no reset: straight to the second answer
  Harness h(std::move(transport));
  Collect observer;
  auto outcome = run_chat(h, observer);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().request_id, "req-2");
}

TEST(ServerlessExecute, RawStreamIsTheBodyUntouched) {
  const std::vector<std::string> body{"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n",
                                      "data: [DONE]\n\n"};
  auto transport = std::make_unique<ResetThenStream>(body);
  auto* raw_transport = transport.get();
  raw_transport->calls = 1; // no reset: the whole stream at once
  Harness h(std::move(transport));
  Collect observer;
  auto outcome = run_chat(h, observer, true);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->kind, Outcome::Kind::raw);
  EXPECT_EQ(observer.raw, body[0] + body[1]);
}

TEST(ServerlessExecute, ProviderResultUrlIsFetchedWithoutTheToken) {
  Harness h;
  http::Headers json_type;
  json_type.set("Content-Type", "application/json");
  h.fake->push_status(
      200, json_type,
      model_info(
          "black-forest-labs/FLUX.1-dev", "text-to-image",
          R"({"fal-ai":{"status":"live","providerId":"fal-ai/flux/dev","task":"text-to-image"}})"));
  h.fake->push_status(
      200, json_type,
      R"({"images":[{"url":"https://v3.fal.media/files/cat.jpg","content_type":"image/jpeg"}]})");
  http::Headers jpeg;
  jpeg.set("Content-Type", "image/jpeg");
  h.fake->push_status(200, jpeg, std::string("\xFF\xD8\xFF\xE0jpeg", 8));
  auto backend = make_serverless_backend();
  Call call{"serverless", "black-forest-labs/FLUX.1-dev", std::nullopt, {}, {{"provider", "auto"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_TRUE(plan) << plan.error().message;
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto request = backend->encode(*plan, inputs, EncodeContext{});
  ASSERT_TRUE(request);
  auto outcome = backend->execute(*h.client, *plan, *request, ExecuteOptions{});
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_EQ(h.fake->requests.size(), 3U);
  EXPECT_TRUE(h.fake->requests[1].headers.has("Authorization"));
  EXPECT_EQ(h.fake->requests[2].url, "https://v3.fal.media/files/cat.jpg");
  EXPECT_FALSE(h.fake->requests[2].headers.has("Authorization"));
  ASSERT_EQ(outcome->files.size(), 1U);
  EXPECT_EQ(outcome->files[0].content_type, "image/jpeg");
  EXPECT_EQ(outcome->files[0].bytes.size(), 8U);
}

TEST(ServerlessExecute, AnObserverThatFailsStopsTheTransfer) {
  // stdout went away (| head): the observer's error ends the stream at once, nothing retried.
  auto transport = std::make_unique<ResetThenStream>(std::vector<std::string>{
      "data: {\"choices\":[{\"delta\":{\"content\":\"one\"}}]}\n\n",
      "data: {\"choices\":[{\"delta\":{\"content\":\"two\"}}]}\n\n", "data: [DONE]\n\n"});
  auto* raw = transport.get();
  raw->calls = 1;
  Harness h(std::move(transport));
  class ClosedStdout final : public StreamObserver {
  public:
    Result<void> on_text(std::string_view) override {
      ++calls;
      return fail(ErrorKind::output_failed, "writing to stdout failed");
    }
    Result<void> on_raw(std::string_view) override { return {}; }
    bool emitted() const override { return true; }
    int calls = 0;
  } closed;
  auto outcome = run_chat(h, closed);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, ErrorKind::output_failed);
  EXPECT_EQ(closed.calls, 1);
  EXPECT_EQ(raw->calls, 2); // sent once (the counter started at 1)
}

TEST(BackendTable, EveryRowMakesABackend) {
  ASSERT_FALSE(backend_table().empty());
  for (const auto& entry : backend_table()) {
    EXPECT_NE(entry.make(), nullptr) << entry.name;
    EXPECT_EQ(find_backend(entry.name), &entry);
  }
  EXPECT_EQ(find_backend("nope"), nullptr);
}

} // namespace
} // namespace hfrun::backends
