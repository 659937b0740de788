// The router of the real hfrun-emulator binary, over HTTP: recorded tapes come back byte for byte,
// streams have the recorded framing, errors the recorded shapes, generated media are real files.
#include "support/emulator_process.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One emulator process for the whole suite (tests/support/emulator_process.hpp), stopped at exit.
class Emulator {
public:
  Emulator() {
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BINARY;
    auto started = hfrun::test::EmulatorProcess::start(options);
    if (started) {
      m_process = std::move(*started);
    } else {
      m_error = started.error();
    }
  }

  [[nodiscard]] bool ready() const { return m_process != nullptr; }
  [[nodiscard]] const std::string& error() const { return m_error; }
  [[nodiscard]] std::string router() const { return m_process->info().router; }
  [[nodiscard]] std::string token() const { return m_process->info().token; }

private:
  std::unique_ptr<hfrun::test::EmulatorProcess> m_process;
  std::string m_error;
};

Emulator& emulator() {
  static Emulator instance;
  return instance;
}

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

Answer post(const std::string& path,
            const std::string& body,
            const std::string& content_type = "application/json",
            bool with_token = true) {
  httplib::Client client(emulator().router());
  client.set_read_timeout(30, 0);
  httplib::Headers headers;
  if (with_token)
    headers.emplace("Authorization", "Bearer " + emulator().token());
  auto res = content_type.empty()
                 ? client.Post(path.c_str(), headers, body, "application/octet-stream")
                 : client.Post(path.c_str(), headers, body, content_type.c_str());
  if (!res)
    return {};
  return {res->status, res->get_header_value("Content-Type"), res->body};
}

// The SSE frames of a body: "data: <payload>" events separated by a blank line.
std::vector<std::string> frames(const std::string& body) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < body.size()) {
    const auto end = body.find("\n\n", at);
    if (end == std::string::npos) {
      out.push_back(body.substr(at));
      break;
    }
    out.push_back(body.substr(at, end - at));
    at = end + 2;
  }
  return out;
}

class RouterTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(emulator().ready()) << "hfrun-emulator did not start: " << emulator().error();
  }
};

TEST_F(RouterTest, AnswersEveryMatchingTapeWithTheRecordedBody) {
  const auto tapes = json::parse(read_file(HFRUN_TAPES_FILE), nullptr, false);
  ASSERT_TRUE(tapes.is_object());
  constexpr std::string_view k_origin = "https://router.huggingface.co";
  // The emulator answers a (method, path, body) with the first tape in key order, as here.
  std::vector<std::string> seen;
  int replayed = 0;
  for (const auto& [key, tape] : tapes.items()) {
    const std::string url = tape.value("url", "");
    const auto& init = tape["init"];
    const auto& response = tape["response"];
    if (url.rfind(k_origin, 0) != 0 || !init.contains("body") || init.value("method", "") != "POST")
      continue;
    const std::string body = response.value("body", "");
    const std::string type = response["headers"].value("content-type", "");
    if (body.empty())
      continue; // binary replies were recorded without their bytes
    const std::string path = url.substr(k_origin.size());
    const std::string request = init["body"].get<std::string>();
    const std::string identity = path + "\n" + json::parse(request, nullptr, false).dump();
    if (std::find(seen.begin(), seen.end(), identity) != seen.end())
      continue;
    seen.push_back(identity);
    const Answer answer = post(path, request);
    EXPECT_EQ(answer.status, response.value("status", 0)) << path << " " << request;
    EXPECT_EQ(answer.content_type, type) << path;
    EXPECT_EQ(answer.body, body) << path << " " << request;
    ++replayed;
  }
  EXPECT_GT(replayed, 90);
}

TEST_F(RouterTest, StreamsChatWithRoleChunkUsageChunkAndDone) {
  const Answer answer = post(
      "/v1/chat/completions",
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Tell me more"}],)"
      R"("stream":true,"stream_options":{"include_usage":true}})");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/event-stream");
  const auto events = frames(answer.body);
  ASSERT_GE(events.size(), 4U);
  for (const auto& event : events)
    EXPECT_EQ(event.rfind("data: ", 0), 0U) << event;
  EXPECT_EQ(events.back(), "data: [DONE]");
  const auto first = json::parse(events.front().substr(6));
  EXPECT_EQ(first["choices"][0]["delta"], json({{"role", "assistant"}}));
  const auto usage = json::parse(events[events.size() - 2].substr(6));
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_GT(usage["usage"]["total_tokens"].get<int>(), 0);
  const auto last = json::parse(events[events.size() - 3].substr(6));
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  std::string content;
  for (std::size_t i = 1; i + 3 < events.size(); ++i) {
    content +=
        json::parse(events[i].substr(6))["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(content, "You said: Tell me more");
}

TEST_F(RouterTest, StreamsTgiTextGenerationWithFinalGeneratedText) {
  const Answer answer =
      post("/hf-inference/models/meta-llama/Llama-3.2-3B",
           R"({"inputs":"Once upon a time","parameters":{"max_new_tokens":4},"stream":true})");
  ASSERT_EQ(answer.status, 200);
  const auto events = frames(answer.body);
  ASSERT_EQ(events.size(), 4U);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto event = json::parse(events[i].substr(6));
    EXPECT_EQ(event["index"], i + 1);
    EXPECT_EQ(event["generated_text"].is_null(), i + 1 < events.size());
  }
}

TEST_F(RouterTest, ReportsTooManyTokensInsideA200Stream) {
  const Answer answer =
      post("/hf-inference/models/meta-llama/Llama-3.2-3B",
           R"({"inputs":"Write a story","parameters":{"max_new_tokens":10000},"stream":true})");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body,
            "data: {\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be "
            "<= 4096. Given: 3 "
            "`inputs` tokens and 10000 `max_new_tokens`\",\"error_type\":\"validation\"}\n\n");
  const Answer plain = post("/hf-inference/models/meta-llama/Llama-3.2-3B",
                            R"({"inputs":"Write a story","parameters":{"max_new_tokens":10000}})");
  EXPECT_EQ(plain.status, 422);
  EXPECT_EQ(json::parse(plain.body)["error_type"], "validation");
}

TEST_F(RouterTest, AnswersTheRecordedErrorShapes) {
  EXPECT_EQ(post("/hf-inference/models/nobody/nothing", R"({"inputs":"x"})").body,
            R"({"error":"Model nobody/nothing does not exist"})");
  const Answer no_token = post("/hf-inference/models/google-bert/bert-base-uncased",
                               R"({"inputs":"[MASK]"})", "application/json", false);
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(no_token.body, R"({"error":"Invalid username or password."})");
  EXPECT_EQ(post("/hf-inference/models/google/gemma-2b/v1/chat/completions",
                 R"({"messages":[{"role":"user","content":"Hi"}]})")
                .body,
            R"({"error":"Template error: template not found","error_type":"template_error"})");
  EXPECT_EQ(post("/hf-inference/models/google-bert/bert-base-uncased/pipeline/sentence-similarity",
                 R"({"inputs":"x"})")
                .status,
            400);
  const Answer gone = post("/api-inference/models/gpt2", R"({"inputs":"x"})");
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(
      gone.body,
      R"({"error":"https://api-inference.huggingface.co is no longer supported. Please use https://router.huggingface.co instead."})");
  const Answer auto_suffix = post(
      "/v1/chat/completions", R"({"model":"meta-llama/Llama-3.1-8B-Instruct:auto","messages":[]})");
  EXPECT_EQ(auto_suffix.status, 400);
  EXPECT_EQ(json::parse(auto_suffix.body)["error"]["code"], "model_not_supported");
  const Answer unknown =
      post("/v1/chat/completions", R"({"model":"nobody/nothing","messages":[]})");
  EXPECT_EQ(
      json::parse(unknown.body)["error"]["message"],
      "The requested model 'nobody/nothing' is not supported by any provider you have enabled.");
}

TEST_F(RouterTest, GeneratesRealMediaFiles) {
  const Answer image = post("/hf-inference/models/stabilityai/stable-diffusion-xl-base-1.0",
                            R"({"inputs":"a red square","parameters":{"width":64,"height":48}})");
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.content_type, "image/jpeg");
  ASSERT_GT(image.body.size(), 100U);
  EXPECT_EQ(image.body.substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_EQ(image.body.substr(image.body.size() - 2), "\xFF\xD9");
  const Answer speech =
      post("/hf-inference/models/espnet/kan-bayashi_ljspeech_vits", R"({"inputs":"Hello world"})");
  ASSERT_EQ(speech.status, 200);
  EXPECT_EQ(speech.content_type, "audio/flac");
  EXPECT_EQ(speech.body.substr(0, 4), "fLaC");
}

TEST_F(RouterTest, ClassifiesDifferentImagesDifferently) {
  const std::string png =
      read_file(std::filesystem::path(HFRUN_TEST_DATA_DIR) / "peer-captures" / "tiny.png");
  const Answer jpeg = post("/hf-inference/models/stabilityai/stable-diffusion-xl-base-1.0",
                           R"({"inputs":"another","parameters":{"width":16,"height":16}})");
  const Answer a = post("/hf-inference/models/google/vit-base-patch16-224", png, "");
  const Answer b =
      post("/hf-inference/models/google/vit-base-patch16-224", jpeg.body, "image/jpeg");
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_NE(a.body, b.body);
  EXPECT_EQ(post("/hf-inference/models/google/vit-base-patch16-224", png, "").body, a.body);
}

} // namespace
