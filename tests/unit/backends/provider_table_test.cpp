// The provider table, row by row: every (provider, task) pair of huggingface_hub's provider table
// (inference/_providers/__init__.py at ee0a4510), and the four only huggingface.js 4.13.30 has, is
// a row, and each row's request -- route, body,
// headers -- is what that client's provider module sends, driven through the backend's plan() and
// encode() with the fake transport answering the mapping lookup. Then the replies: each queued-job
// style polled to its end without sleeping, its result fetched without the token, and the docs'
// matrix equal to the one generated from the table.
#include "backends/provider_calls.hpp"
#include "backends/providers.hpp"
#include "backends/serverless_backend.hpp"
#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/base64.hpp>
#include <set>

namespace hfrun::backends {
namespace {

using json = nlohmann::json;
using tasks::TaskId;

constexpr const char* k_token = "hf_providertabletoken";
constexpr const char* k_router = "https://router.huggingface.co";

// A tiny PNG and WAV header: enough for the type to be sniffed.
const std::string k_png("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
const std::string k_wav = std::string("RIFF\x24\0\0\0WAVEfmt ", 16);

std::filesystem::path write_temp(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / ("hfrun-provider-table-" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

struct Harness {
  Harness() {
    client::ClientOptions options;
    options.config = config::load_config(config::map_env({{"HOME", "/tmp"}}));
    options.token = config::Token{k_token, config::TokenSource::env_hf_token, {}};
    auto transport = std::make_unique<http::FakeTransport>();
    fake = transport.get();
    client = std::make_unique<client::Client>(std::move(options), std::move(transport), sleeper,
                                              client::Reporter{});
  }
  void push_json(const std::string& body, int status = 200) {
    http::Headers headers;
    headers.set("Content-Type", "application/json");
    fake->push_status(status, headers, body);
  }
  void push_bytes(const std::string& type, const std::string& body) {
    http::Headers headers;
    headers.set("Content-Type", type);
    fake->push_status(200, headers, body);
  }
  http::FakeTransport* fake = nullptr;
  util::FakeSleeper sleeper;
  std::unique_ptr<client::Client> client;
};

std::string mapping(const std::string& provider, const std::string& id, TaskId task) {
  return json{
      {"id", "org/model"},
      {"pipeline_tag", std::string(tasks::task(task).name)},
      {"inferenceProviderMapping",
       {{provider,
         {{"status", "live"}, {"providerId", id}, {"task", std::string(tasks::task(task).name)}}}}}}
      .dump();
}

enum class Input { text, image, audio };

struct RowCase {
  const char* provider;
  TaskId task;
  const char* provider_id;
  const char* path; // below {router}
  Input input;
  // The expected body as JSON ("" for multipart); "{PNG}" / "{WAV}" stand for the data: URL of the
  // uploaded test file.
  const char* body;
};

const std::string k_chat = R"({"model":"{ID}","messages":[{"role":"user","content":"hi"}]})";
const std::string k_completion = R"({"model":"{ID}","prompt":"hi"})";
const std::string k_embed = R"({"model":"{ID}","input":"hi"})";

const RowCase k_rows[] = {
    {"baseten", TaskId::conversational, "m-b", "/baseten/v1/chat/completions", Input::text, ""},
    {"cerebras", TaskId::conversational, "m-c", "/cerebras/v1/chat/completions", Input::text, ""},
    {"cohere", TaskId::conversational, "m-co", "/cohere/compatibility/v1/chat/completions",
     Input::text, ""},
    {"deepinfra", TaskId::automatic_speech_recognition, "openai/whisper-large-v3",
     "/deepinfra/v1/openai/audio/transcriptions", Input::audio, ""},
    {"deepinfra", TaskId::conversational, "m-d", "/deepinfra/v1/openai/chat/completions",
     Input::text, ""},
    {"deepinfra", TaskId::feature_extraction, "BAAI/bge-m3", "/deepinfra/v1/openai/embeddings",
     Input::text, ""},
    {"deepinfra", TaskId::text_generation, "m-d", "/deepinfra/v1/openai/completions", Input::text,
     ""},
    {"deepinfra", TaskId::text_to_image, "black-forest-labs/FLUX-1-dev",
     "/deepinfra/v1/openai/images/generations", Input::text,
     R"({"prompt":"hi","response_format":"b64_json","model":"black-forest-labs/FLUX-1-dev"})"},
    {"deepinfra", TaskId::text_to_speech, "hexgrad/Kokoro-82M", "/deepinfra/v1/openai/audio/speech",
     Input::text, R"({"input":"hi","model":"hexgrad/Kokoro-82M"})"},
    {"fal-ai", TaskId::automatic_speech_recognition, "fal-ai/whisper", "/fal-ai/fal-ai/whisper",
     Input::audio, R"({"audio_url":"{WAV}"})"},
    {"fal-ai", TaskId::text_to_image, "fal-ai/flux/dev", "/fal-ai/fal-ai/flux/dev", Input::text,
     R"({"prompt":"hi","sync_mode":true})"},
    {"fal-ai", TaskId::text_to_speech, "fal-ai/kokoro", "/fal-ai/fal-ai/kokoro", Input::text,
     R"({"text":"hi"})"},
    {"fal-ai", TaskId::text_to_video, "fal-ai/ltx-video",
     "/fal-ai/fal-ai/ltx-video?_subdomain=queue", Input::text, R"({"prompt":"hi"})"},
    {"fal-ai", TaskId::image_to_video, "fal-ai/ltx-video/i2v",
     "/fal-ai/fal-ai/ltx-video/i2v?_subdomain=queue", Input::image, R"({"image_url":"{PNG}"})"},
    {"fal-ai", TaskId::image_to_image, "fal-ai/flux-kontext/dev",
     "/fal-ai/fal-ai/flux-kontext/dev?_subdomain=queue", Input::image,
     R"({"image_url":"{PNG}","image_urls":["{PNG}"]})"},
    {"fal-ai", TaskId::image_segmentation, "fal-ai/sam2/image",
     "/fal-ai/fal-ai/sam2/image?_subdomain=queue", Input::image,
     R"({"image_url":"{PNG}","sync_mode":true})"},
    {"featherless-ai", TaskId::conversational, "m-f", "/featherless-ai/v1/chat/completions",
     Input::text, ""},
    {"featherless-ai", TaskId::text_generation, "m-f", "/featherless-ai/v1/completions",
     Input::text, ""},
    {"fireworks-ai", TaskId::conversational, "accounts/fireworks/models/m",
     "/fireworks-ai/inference/v1/chat/completions", Input::text, ""},
    {"groq", TaskId::conversational, "m-g", "/groq/openai/v1/chat/completions", Input::text, ""},
    {"novita", TaskId::text_generation, "m-n", "/novita/v3/openai/completions", Input::text, ""},
    {"novita", TaskId::conversational, "m-n", "/novita/v3/openai/chat/completions", Input::text,
     ""},
    {"novita", TaskId::text_to_video, "wan-t2v", "/novita/v3/hf/wan-t2v", Input::text,
     R"({"prompt":"hi"})"},
    {"nscale", TaskId::conversational, "m-ns", "/nscale/v1/chat/completions", Input::text, ""},
    {"nscale", TaskId::text_to_image, "stabilityai/sdxl", "/nscale/v1/images/generations",
     Input::text, R"({"prompt":"hi","response_format":"b64_json","model":"stabilityai/sdxl"})"},
    {"ovhcloud", TaskId::conversational, "m-o", "/ovhcloud/v1/chat/completions", Input::text, ""},
    {"ovhcloud", TaskId::text_generation, "m-o", "/ovhcloud/v1/completions", Input::text, ""},
    {"publicai", TaskId::conversational, "m-p", "/publicai/v1/chat/completions", Input::text, ""},
    {"replicate", TaskId::automatic_speech_recognition, "openai/whisper:abc",
     "/replicate/v1/predictions", Input::audio, R"({"input":{"audio":"{WAV}"},"version":"abc"})"},
    {"replicate", TaskId::image_to_image, "black-forest-labs/flux-kontext-dev",
     "/replicate/v1/models/black-forest-labs/flux-kontext-dev/predictions", Input::image,
     R"({"input":{"image":"{PNG}","images":["{PNG}"],"input_image":"{PNG}","input_images":["{PNG}"]}})"},
    {"replicate", TaskId::text_to_image, "black-forest-labs/flux-dev",
     "/replicate/v1/models/black-forest-labs/flux-dev/predictions", Input::text,
     R"({"input":{"prompt":"hi"}})"},
    {"replicate", TaskId::text_to_speech, "jaaari/kokoro-82m:f559", "/replicate/v1/predictions",
     Input::text, R"({"input":{"text":"hi"},"version":"f559"})"},
    {"replicate", TaskId::text_to_video, "wavespeedai/wan-2.1-t2v-480p",
     "/replicate/v1/models/wavespeedai/wan-2.1-t2v-480p/predictions", Input::text,
     R"({"input":{"prompt":"hi"}})"},
    {"scaleway", TaskId::conversational, "m-s", "/scaleway/v1/chat/completions", Input::text, ""},
    {"scaleway", TaskId::feature_extraction, "bge-m3", "/scaleway/v1/embeddings", Input::text, ""},
    {"scaleway", TaskId::text_generation, "m-s", "/scaleway/v1/completions", Input::text, ""},
    {"together", TaskId::automatic_speech_recognition, "openai/whisper-large-v3",
     "/together/v1/audio/transcriptions", Input::audio, ""},
    {"together", TaskId::conversational, "m-t", "/together/v1/chat/completions", Input::text, ""},
    {"together", TaskId::feature_extraction, "BAAI/bge-base-en-v1.5", "/together/v1/embeddings",
     Input::text, ""},
    {"together", TaskId::image_to_image, "black-forest-labs/FLUX.1-kontext-dev",
     "/together/v1/images/generations", Input::image,
     R"({"prompt":"","image_url":"{PNG}","response_format":"base64","model":"black-forest-labs/FLUX.1-kontext-dev"})"},
    {"together", TaskId::image_to_video, "Wan-AI/Wan2.2-I2V", "/together/v2/videos", Input::image,
     R"({"model":"Wan-AI/Wan2.2-I2V","frame_images":[{"input_image":"{PNG}","frame":"first"}]})"},
    {"together", TaskId::text_generation, "m-t", "/together/v1/completions", Input::text, ""},
    {"together", TaskId::text_to_image, "black-forest-labs/FLUX.1-dev",
     "/together/v1/images/generations", Input::text,
     R"({"prompt":"hi","response_format":"base64","model":"black-forest-labs/FLUX.1-dev"})"},
    {"together", TaskId::text_to_speech, "canopylabs/orpheus", "/together/v1/audio/speech",
     Input::text, R"({"input":"hi","model":"canopylabs/orpheus"})"},
    {"together", TaskId::text_to_video, "Wan-AI/Wan2.2-T2V", "/together/v2/videos", Input::text,
     R"({"prompt":"hi","model":"Wan-AI/Wan2.2-T2V"})"},
    {"wavespeed", TaskId::text_to_image, "wavespeed-ai/flux-dev",
     "/wavespeed/api/v3/wavespeed-ai/flux-dev", Input::text, R"({"prompt":"hi"})"},
    {"wavespeed", TaskId::text_to_video, "wavespeed-ai/wan-2.1/t2v-480p",
     "/wavespeed/api/v3/wavespeed-ai/wan-2.1/t2v-480p", Input::text, R"({"prompt":"hi"})"},
    {"wavespeed", TaskId::image_to_image, "wavespeed-ai/flux-kontext-dev",
     "/wavespeed/api/v3/wavespeed-ai/flux-kontext-dev", Input::image, R"({"image":"{PNG}"})"},
    {"wavespeed", TaskId::image_to_video, "wavespeed-ai/wan-2.1/i2v-480p",
     "/wavespeed/api/v3/wavespeed-ai/wan-2.1/i2v-480p", Input::image, R"({"image":"{PNG}"})"},
    {"zai-org", TaskId::conversational, "glm-4.5", "/zai-org/api/paas/v4/chat/completions",
     Input::text, ""},
    {"zai-org", TaskId::text_to_image, "cogview-4", "/zai-org/api/paas/v4/async/images/generations",
     Input::text, R"({"model":"cogview-4","prompt":"hi"})"},
};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string expected_body(const RowCase& c) {
  std::string body = c.body;
  if (body.empty()) {
    switch (c.task) {
    case TaskId::conversational:
      body = k_chat;
      break;
    case TaskId::text_generation:
      body = k_completion;
      break;
    case TaskId::feature_extraction:
      body = k_embed;
      break;
    default:
      return "";
    }
  }
  body = replace_all(body, "{ID}", c.provider_id);
  body = replace_all(body, "{PNG}", "data:image/png;base64," + util::base64_encode(k_png));
  return replace_all(body, "{WAV}", "data:audio/wav;base64," + util::base64_encode(k_wav));
}

void PrintTo(const RowCase& c, std::ostream* out) {
  *out << c.provider << " " << tasks::task(c.task).name;
}

class ProviderRow : public ::testing::TestWithParam<RowCase> {};

TEST_P(ProviderRow, SendsTheRouteAndBodyOfTheOfficialClient) {
  const RowCase& c = GetParam();
  Harness h;
  h.push_json(mapping(c.provider, c.provider_id, c.task));
  auto backend = make_serverless_backend();
  Call call{"serverless",
            "org/model",
            std::string(tasks::task(c.task).name),
            {},
            {{"provider", c.provider}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->url, std::string(k_router) + c.path);
  tasks::Inputs inputs;
  switch (c.input) {
  case Input::text:
    inputs.text = "hi";
    break;
  case Input::image:
    inputs.file = write_temp("in.png", k_png);
    break;
  case Input::audio:
    inputs.file = write_temp("in.wav", k_wav);
    break;
  }
  EncodeContext context;
  auto request = backend->encode(*plan, inputs, context);
  ASSERT_TRUE(request) << request.error().message;
  std::string sent;
  char buffer[4096];
  for (auto n = request->body->read(buffer, sizeof buffer); n && *n > 0;
       n = request->body->read(buffer, sizeof buffer)) {
    sent.append(buffer, *n);
  }
  const std::string expected = expected_body(c);
  if (expected.empty()) {
    // Multipart (OpenAI transcriptions): the file part, then the mapped model as a field.
    const std::string type = request->headers.get("Content-Type").value_or("");
    ASSERT_TRUE(type.starts_with("multipart/form-data; boundary=")) << type;
    EXPECT_NE(sent.find("name=\"file\"; filename=\"audio.wav\"\r\nContent-Type: audio/wav"),
              std::string::npos);
    EXPECT_NE(sent.find(k_wav), std::string::npos);
    EXPECT_NE(sent.find("name=\"model\"\r\n\r\n" + std::string(c.provider_id) + "\r\n"),
              std::string::npos)
        << sent;
    return;
  }
  EXPECT_EQ(request->headers.get("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(json::parse(sent), json::parse(expected)) << sent;
  EXPECT_EQ(request->headers.has("Prefer"), std::string_view(c.provider) == "replicate");
  EXPECT_EQ(request->headers.get("x-source-channel").value_or(""),
            std::string_view(c.provider) == "zai-org" ? "hugging_face" : "");
}

std::string row_name(const ::testing::TestParamInfo<RowCase>& info) {
  std::string name =
      std::string(info.param.provider) + "_" + std::string(tasks::task(info.param.task).name);
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) {
      ch = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryPair, ProviderRow, ::testing::ValuesIn(k_rows), row_name);

TEST(ProviderTable, HoldsEveryPairOfTheOfficialTableOnce) {
  std::set<std::pair<std::string, TaskId>> expected;
  for (const auto& c : k_rows) {
    expected.emplace(c.provider, c.task);
  }
  expected.emplace("openai", TaskId::conversational); // refused with a clear error (below)
  std::set<std::pair<std::string, TaskId>> table;
  for (const auto& row : provider_tasks()) {
    EXPECT_TRUE(table.emplace(std::string(row.provider), row.task).second)
        << row.provider << " " << tasks::task(row.task).name << " twice";
  }
  EXPECT_EQ(table, expected);
  // huggingface_hub's 48 third-party pairs, and the 4 that only huggingface.js has.
  EXPECT_EQ(table.size(), 52U);
}

TEST(ProviderTable, OpenAiIsRefusedWithAnHfTokenBeforeAnyRequest) {
  Harness h;
  auto backend = make_serverless_backend();
  Call call{"serverless",
            "openai/gpt-oss-120b",
            std::string("conversational"),
            {},
            {{"provider", "openai"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_NE(plan.error().message.find("own API key"), std::string::npos) << plan.error().message;
  EXPECT_TRUE(h.fake->requests.empty());
}

TEST(ProviderTable, APairHfrunLacksNamesWhatTheProviderRuns) {
  Harness h;
  h.push_json(mapping("groq", "m", TaskId::text_to_image));
  auto backend = make_serverless_backend();
  Call call{"serverless", "org/model", std::string("text-to-image"), {}, {{"provider", "groq"}}};
  auto plan = backend->plan(*h.client, call);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, ErrorKind::usage);
  EXPECT_NE(plan.error().hint.find("provider groq runs: conversational"), std::string::npos)
      << plan.error().hint;
}

// --- replies ----------------------------------------------------------------------------------

struct Run {
  Result<Outcome> outcome;
  std::vector<http::FakeTransport::Sent> requests;
};

Run run_pair(Harness& h,
             const std::string& provider,
             TaskId task,
             const std::string& /*provider_id: the caller pushed its mapping*/,
             const tasks::Inputs& inputs,
             bool raw = false) {
  auto backend = make_serverless_backend();
  Call call{
      "serverless", "org/model", std::string(tasks::task(task).name), {}, {{"provider", provider}}};
  auto plan = backend->plan(*h.client, call);
  EXPECT_TRUE(plan) << plan.error().message;
  auto request = backend->encode(*plan, inputs, EncodeContext{});
  EXPECT_TRUE(request) << request.error().message;
  ExecuteOptions options;
  options.raw = raw;
  auto outcome = backend->execute(*h.client, *plan, *request, options);
  return Run{std::move(outcome), h.fake->requests};
}

const std::string k_mp4("\0\0\0\x18"
                        "ftypmp42\0\0\0\0",
                        16);

TEST(ProviderReply, FalQueueIsPolledUntilCompletedThenTheVideoFetchedWithoutTheToken) {
  Harness h;
  h.push_json(mapping("fal-ai", "fal-ai/ltx-video", TaskId::text_to_video));
  h.push_json(R"({"status":"IN_QUEUE","request_id":"r1","queue_position":2,)"
              R"("response_url":"https://queue.fal.run/fal-ai/ltx-video/requests/r1",)"
              R"("status_url":"https://queue.fal.run/fal-ai/ltx-video/requests/r1/status"})");
  h.push_json(R"({"status":"IN_PROGRESS","request_id":"r1"})");
  h.push_json(R"({"status":"COMPLETED","request_id":"r1"})");
  h.push_json(R"({"video":{"url":"https://v3.fal.media/files/v.mp4","content_type":"video/mp4"}})");
  h.push_bytes("video/mp4", k_mp4);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "fal-ai", TaskId::text_to_video, "fal-ai/ltx-video", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  ASSERT_EQ(run.requests.size(), 6U);
  const std::string base = std::string(k_router) + "/fal-ai/fal-ai/ltx-video/requests/r1";
  EXPECT_EQ(run.requests[2].url, base + "/status?_subdomain=queue");
  EXPECT_EQ(run.requests[3].url, base + "/status?_subdomain=queue");
  EXPECT_EQ(run.requests[4].url, base + "?_subdomain=queue");
  EXPECT_TRUE(run.requests[4].headers.has("Authorization"));
  EXPECT_EQ(run.requests[5].url, "https://v3.fal.media/files/v.mp4");
  EXPECT_FALSE(run.requests[5].headers.has("Authorization"));
  EXPECT_EQ(h.sleeper.sleeps.size(), 2U); // one wait before each status poll, none real
  ASSERT_EQ(run.outcome->files.size(), 1U);
  EXPECT_EQ(run.outcome->files[0].content_type, "video/mp4");
  EXPECT_EQ(run.outcome->files[0].bytes, k_mp4);
}

TEST(ProviderReply, AFailedFalJobIsRejectedWithTheProvidersStatus) {
  Harness h;
  h.push_json(mapping("fal-ai", "fal-ai/ltx-video", TaskId::text_to_video));
  h.push_json(R"({"status":"IN_QUEUE","request_id":"r1",)"
              R"("response_url":"https://queue.fal.run/fal-ai/ltx-video/requests/r1"})");
  h.push_json(R"({"status":"FAILED","error":"prompt rejected"})");
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "fal-ai", TaskId::text_to_video, "fal-ai/ltx-video", inputs);
  ASSERT_FALSE(run.outcome);
  EXPECT_EQ(run.outcome.error().kind, ErrorKind::rejected);
  EXPECT_NE(run.outcome.error().message.find("FAILED: prompt rejected"), std::string::npos);
}

TEST(ProviderReply, AJobThatNeverEndsTimesOutWithoutSleepingForReal) {
  Harness h;
  h.push_json(mapping("together", "Wan-AI/Wan2.2-T2V", TaskId::text_to_video));
  h.push_json(R"({"id":"job1","status":"queued"})");
  for (int i = 0; i < 400; ++i) {
    h.push_json(R"({"id":"job1","status":"in_progress"})");
  }
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "together", TaskId::text_to_video, "Wan-AI/Wan2.2-T2V", inputs);
  ASSERT_FALSE(run.outcome);
  EXPECT_EQ(run.outcome.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(h.sleeper.total(), std::chrono::milliseconds(std::chrono::minutes(30)));
  EXPECT_EQ(run.requests[2].url, std::string(k_router) + "/together/v2/videos/job1");
}

TEST(ProviderReply, TogetherVideoJobEndsWithItsVideoUrl) {
  Harness h;
  h.push_json(mapping("together", "Wan-AI/Wan2.2-T2V", TaskId::text_to_video));
  h.push_json(R"({"id":"job1","status":"queued"})");
  h.push_json(
      R"({"id":"job1","status":"completed","outputs":{"video_url":"https://cdn.together.ai/v.mp4"}})");
  h.push_bytes("video/mp4", k_mp4);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "together", TaskId::text_to_video, "Wan-AI/Wan2.2-T2V", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.requests.back().url, "https://cdn.together.ai/v.mp4");
  EXPECT_FALSE(run.requests.back().headers.has("Authorization"));
}

TEST(ProviderReply, ReplicatePredictionStillRunningIsPolledThroughTheRouter) {
  Harness h;
  h.push_json(mapping("replicate", "owner/flux", TaskId::text_to_image));
  h.push_json(R"({"id":"p1","status":"processing","output":null,)"
              R"("urls":{"get":"https://api.replicate.com/v1/predictions/p1"}})",
              201);
  h.push_json(R"({"id":"p1","status":"succeeded","output":["https://replicate.delivery/x.png"]})");
  h.push_bytes("image/png", k_png);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "replicate", TaskId::text_to_image, "owner/flux", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  ASSERT_EQ(run.requests.size(), 4U);
  EXPECT_EQ(run.requests[2].url, std::string(k_router) + "/replicate/v1/predictions/p1");
  EXPECT_TRUE(run.requests[2].headers.has("Authorization"));
  EXPECT_FALSE(run.requests[3].headers.has("Authorization"));
  EXPECT_EQ(run.outcome->files[0].content_type, "image/png");
}

TEST(ProviderReply, ReplicateTranscriptIsTheTextOfItsOutput) {
  Harness h;
  h.push_json(mapping("replicate", "openai/whisper:abc", TaskId::automatic_speech_recognition));
  h.push_json(R"({"id":"p1","status":"succeeded","output":{"transcription":"hello there"}})", 201);
  tasks::Inputs inputs;
  inputs.file = write_temp("asr.wav", k_wav);
  auto run =
      run_pair(h, "replicate", TaskId::automatic_speech_recognition, "openai/whisper:abc", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.outcome->normalized["text"], "hello there");
}

TEST(ProviderReply, WavespeedJobIsPolledAtItsResultUrlUnderTheRouter) {
  Harness h;
  h.push_json(mapping("wavespeed", "wavespeed-ai/flux-dev", TaskId::text_to_image));
  h.push_json(R"({"code":200,"data":{"id":"w1","status":"created",)"
              R"("urls":{"get":"https://api.wavespeed.ai/api/v3/predictions/w1/result"}}})");
  h.push_json(
      R"({"code":200,"data":{"id":"w1","status":"completed","outputs":["https://d.wavespeed.ai/o.png"]}})");
  h.push_bytes("image/png", k_png);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "wavespeed", TaskId::text_to_image, "wavespeed-ai/flux-dev", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  ASSERT_EQ(run.requests.size(), 4U);
  EXPECT_EQ(run.requests[2].url, std::string(k_router) + "/wavespeed/api/v3/predictions/w1/result");
  EXPECT_EQ(run.requests[3].url, "https://d.wavespeed.ai/o.png");
  EXPECT_FALSE(run.requests[3].headers.has("Authorization"));
}

TEST(ProviderReply, ZaiImageIsPolledAtItsAsyncResult) {
  Harness h;
  h.push_json(mapping("zai-org", "cogview-4", TaskId::text_to_image));
  h.push_json(R"({"id":"z1","task_status":"PROCESSING","model":"cogview-4"})");
  h.push_json(
      R"({"id":"z1","task_status":"SUCCESS","image_result":[{"url":"https://cdn.z.ai/i.png"}]})");
  h.push_bytes("image/png", k_png);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "zai-org", TaskId::text_to_image, "cogview-4", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.requests[2].url, std::string(k_router) + "/zai-org/api/paas/v4/async-result/z1");
  EXPECT_EQ(run.requests[2].headers.get("x-source-channel").value_or(""), "hugging_face");
  EXPECT_FALSE(run.requests[3].headers.has("Authorization"));
}

TEST(ProviderReply, NovitaVideoUrlIsFetched) {
  Harness h;
  h.push_json(mapping("novita", "wan-t2v", TaskId::text_to_video));
  h.push_json(R"({"video":{"video_url":"https://cdn.novita.ai/v.mp4","video_url_ttl":"3600"}})");
  h.push_bytes("video/mp4", k_mp4);
  tasks::Inputs inputs;
  inputs.text = "a cat";
  auto run = run_pair(h, "novita", TaskId::text_to_video, "wan-t2v", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.requests[2].url, "https://cdn.novita.ai/v.mp4");
  EXPECT_EQ(run.outcome->files[0].bytes, k_mp4);
}

TEST(ProviderReply, FalSegmentationMaskBecomesOneSegment) {
  Harness h;
  h.push_json(mapping("fal-ai", "fal-ai/sam2/image", TaskId::image_segmentation));
  h.push_json(R"({"status":"COMPLETED","request_id":"s1",)"
              R"("response_url":"https://queue.fal.run/fal-ai/sam2/requests/s1"})");
  h.push_json(
      R"({"image":{"url":"data:image/png;base64,iVBORw0KGgo=","content_type":"image/png"}})");
  tasks::Inputs inputs;
  inputs.file = write_temp("seg.png", k_png);
  auto run = run_pair(h, "fal-ai", TaskId::image_segmentation, "fal-ai/sam2/image", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  ASSERT_EQ(run.requests.size(), 3U); // completed at once: the result, no status poll
  EXPECT_EQ(run.requests[2].url,
            std::string(k_router) + "/fal-ai/fal-ai/sam2/requests/s1?_subdomain=queue");
  EXPECT_EQ(run.outcome->normalized["segments"][0]["label"], "mask");
  EXPECT_EQ(run.outcome->normalized["segments"][0]["mask"], "iVBORw0KGgo=");
}

TEST(ProviderReply, OpenAiSpeechAudioBytesAreTheResult) {
  Harness h;
  h.push_json(mapping("deepinfra", "hexgrad/Kokoro-82M", TaskId::text_to_speech));
  h.push_bytes("audio/wav", k_wav);
  tasks::Inputs inputs;
  inputs.text = "hi";
  auto run = run_pair(h, "deepinfra", TaskId::text_to_speech, "hexgrad/Kokoro-82M", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.outcome->files[0].bytes, k_wav);
}

TEST(ProviderReply, EmbeddingsComeBackAsTheTasksVectors) {
  Harness h;
  h.push_json(mapping("scaleway", "bge-m3", TaskId::feature_extraction));
  h.push_json(
      R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,0.25]}]})");
  tasks::Inputs inputs;
  inputs.text = "hi";
  auto run = run_pair(h, "scaleway", TaskId::feature_extraction, "bge-m3", inputs);
  ASSERT_TRUE(run.outcome) << run.outcome.error().message;
  EXPECT_EQ(run.outcome->normalized["embeddings"], json::parse("[[0.5,0.25]]"));
}

TEST(ProviderMatrix, DocsHoldTheMatrixGeneratedFromTheTable) {
  std::ifstream docs(std::string(HFRUN_TEST_DATA_DIR) + "/../../docs/serverless.md");
  ASSERT_TRUE(docs) << "docs/serverless.md";
  const std::string text((std::istreambuf_iterator<char>(docs)), {});
  const std::string begin = "<!-- provider-matrix:begin -->\n";
  const std::string end = "<!-- provider-matrix:end -->";
  const auto from = text.find(begin);
  const auto to = text.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/serverless.md lacks " << begin;
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(text.substr(from + begin.size(), to - from - begin.size()), provider_matrix_markdown())
      << "regenerate it: hfrun serverless --provider-matrix";
}

} // namespace
} // namespace hfrun::backends
