// hfrun endpoint URL against every inference server of the emulator (docs/emulator.md, "Inference
// servers"): each flavour found without --flavor, chat with serverless's JSON, streamed and not,
// TGI's own generation routes, TEI, the llama.cpp loading wait, an API key, an error inside a
// stream, TGI's 2 MB limit and a custom handler's own body.
#include "emulator_fixture.hpp"
#include "serverless_e2e.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace hfrun::test {
namespace {

using nlohmann::json;
using serverless::run;

std::string server(const std::string& name) {
  return EmulatorEnvironment::emulator().endpoints + "/servers/" + name;
}

std::vector<std::string> keys(const json& doc) {
  std::vector<std::string> out;
  for (const auto& [key, value] : doc.items()) {
    out.push_back(key);
  }
  return out;
}

constexpr const char* k_chat_servers[] = {"tgi",      "vllm",  "sglang", "transformers-serve",
                                          "llamacpp", "ollama"};

TEST(EndpointServers, EveryChatServerIsFoundAndAnswersWithServerlesssJson) {
  auto routed =
      run({"serverless", "meta-llama/Llama-3.1-8B-Instruct", "--text", "Hello", "--json"});
  ASSERT_EQ(routed.exit_code, 0) << routed.err;
  const json reference = json::parse(routed.out);
  const std::map<std::string, std::string> flavors{
      {"tgi", "tgi"},           {"vllm", "vllm"},
      {"sglang", "sglang"},     {"transformers-serve", "transformers-serve"},
      {"llamacpp", "llamacpp"}, {"ollama", "ollama"}};
  for (const char* name : k_chat_servers) {
    auto r = run({"endpoint", server(name), "--text", "Hello", "--json", "-v"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const json doc = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << name << ": " << r.out;
    EXPECT_EQ(doc["content"], "You said: Hello") << name;
    EXPECT_EQ(keys(doc), keys(reference)) << name;
    EXPECT_NE(r.err.find("via " + flavors.at(name) + " ("), std::string::npos) << r.err;
  }
}

TEST(EndpointServers, EveryChatServerStreams) {
  for (const char* name : k_chat_servers) {
    auto r = run({"endpoint", server(name), "--text", "Hello", "--stream"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, "You said: Hello\n") << name;
  }
}

TEST(EndpointServers, TgiGeneratesThroughItsOwnRoutesWithDetails) {
  auto whole = run({"endpoint", server("tgi"), "--task", "text-generation", "--text", "Once upon",
                    "max_tokens:=4", "--json"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const json doc = json::parse(whole.out);
  EXPECT_EQ(doc["finish_reason"], "length") << doc.dump(); // from the details TGI sends when asked
  EXPECT_TRUE(doc["generated_text"].is_string());
  auto streamed = run({"endpoint", server("tgi"), "--task", "text-generation", "--text",
                       "Once upon", "max_tokens:=4", "--stream"});
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(streamed.out, doc["generated_text"].get<std::string>() + "\n");
  const auto log = request_log();
  std::vector<std::string> paths;
  for (const auto& entry : log) {
    const std::string path = entry.contains("path") && entry["path"].is_string()
                                 ? entry["path"].get<std::string>()
                                 : std::string();
    if (path.starts_with("/servers/tgi/generate")) {
      paths.push_back(path);
    }
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/servers/tgi/generate", "/servers/tgi/generate_stream"}));
}

TEST(EndpointServers, TeiEmbedsAndClassifiesByItsModelType) {
  auto embed = run({"endpoint", server("tei"), "--text", "a sentence", "--json"});
  ASSERT_EQ(embed.exit_code, 0) << embed.err;
  EXPECT_EQ(json::parse(embed.out)["dimension"], 384);
  auto classify = run({"endpoint", server("tei-classifier"), "--text", "I love it", "--json"});
  ASSERT_EQ(classify.exit_code, 0) << classify.err;
  const json doc = json::parse(classify.out);
  EXPECT_EQ(doc["task"], "text-classification");
  EXPECT_FALSE(doc["labels"].empty());
}

TEST(EndpointServers, OllamaRunsThroughItsOwnRoutes) {
  auto chat = run({"endpoint", server("ollama"), "--text", "Hello", "max_tokens:=8", "--json"});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_EQ(json::parse(chat.out)["content"], "You said: Hello");
  auto generated = run({"endpoint", server("ollama"), "--task", "text-generation", "--text",
                        "Once upon", "max_tokens:=5", "--json"});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  EXPECT_EQ(json::parse(generated.out)["finish_reason"], "length"); // num_predict reached it
  auto streamed = run({"endpoint", server("ollama"), "--task", "text-generation", "--text",
                       "Once upon", "max_tokens:=5", "--stream"});
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(streamed.out, json::parse(generated.out)["generated_text"].get<std::string>() + "\n");
  std::vector<std::string> posts;
  for (const auto& entry : request_log()) {
    if (entry.contains("method") && entry["method"] == "POST" && entry.contains("path") &&
        entry["path"].is_string()) {
      posts.push_back(entry["path"].get<std::string>());
    }
  }
  EXPECT_EQ(posts,
            (std::vector<std::string>{"/servers/ollama/api/chat", "/servers/ollama/api/generate",
                                      "/servers/ollama/api/generate"}));
}

TEST(EndpointServers, ATeiRerankerRanksWithoutBeingTold) {
  auto r =
      run({"endpoint", server("tei-reranker"), "--text", "What is Deep Learning?",
           R"(texts:=["Cheese is made of milk","Deep learning is a kind of machine learning"])",
           "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["task"], "text-ranking");
  ASSERT_EQ(doc["ranking"].size(), 2u) << r.out;
  EXPECT_EQ(doc["ranking"][0]["index"], 1) << r.out; // the relevant text first
  EXPECT_EQ(doc["ranking"][0]["text"], "Deep learning is a kind of machine learning");
}

TEST(EndpointServers, OpenAiServersEmbedThroughTheirEmbeddingsRoute) {
  auto tei = run({"endpoint", server("tei"), "--text", "a sentence", "--json"});
  ASSERT_EQ(tei.exit_code, 0) << tei.err;
  for (const char* name : {"vllm-embed", "llamacpp", "ollama"}) {
    auto r = run({"endpoint", server(name), "--task", "feature-extraction", "--text", "a sentence",
                  "--json"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    // Every emulated server embeds a text alike, so the same text gives TEI's vector.
    EXPECT_EQ(json::parse(r.out), json::parse(tei.out)) << name;
  }
}

TEST(EndpointServers, ALoadingLlamaCppIsWaitedFor) {
  auto r = run({"endpoint", server("llamacpp-loading"), "--text", "Hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "You said: Hello\n");
  EXPECT_NE(r.err.find("to come up (HTTP 503, 0 s of 600 s; --wait-timeout)"), std::string::npos)
      << r.err;
}

TEST(EndpointServers, AnApiKeyServerWantsItsKey) {
  auto refused = run({"endpoint", server("tgi-secured"), "--text", "Hello"});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  auto keyed =
      run({"endpoint", server("tgi-secured"), "--text", "Hello", "--token", "sk-emulator-local"});
  EXPECT_EQ(keyed.exit_code, 0) << keyed.err;
  EXPECT_EQ(keyed.err.find("sk-emulator-local"), std::string::npos);
}

TEST(EndpointServers, AnErrorInsideAStreamFailsWithTheServersWords) {
  for (const char* name : {"tgi", "vllm"}) {
    auto r = run({"endpoint", server(name), "--text", "__hfrun_stream_error__", "--stream"});
    EXPECT_EQ(r.exit_code, 7) << name << ": " << r.err; // a generation failure, not bad input
    EXPECT_NE(r.err.find("the server reported an error inside the stream: "), std::string::npos)
        << r.err;
  }
  // Ollama's NDJSON error line is a bare string, no type: taken as a refused request (sse.hpp).
  auto ollama = run({"endpoint", server("ollama"), "--text", "__hfrun_stream_error__", "--stream"});
  EXPECT_EQ(ollama.exit_code, 6) << ollama.err;
  EXPECT_NE(ollama.err.find("inside the stream: an error was encountered while running the model"),
            std::string::npos)
      << ollama.err;
}

TEST(EndpointServers, TgiRefusesBodiesAboveTwoMegabytes) {
  const auto path = EmulatorEnvironment::emulator().dir / "big-body.json";
  std::ofstream(path) << R"({"inputs":")" << std::string(2'100'000, 'a') << R"("})";
  auto r =
      run({"endpoint", server("tgi"), "--task", "text-generation", "--data", "@" + path.string()});
  EXPECT_EQ(r.exit_code, 6) << r.err.substr(0, 500) << r.out.substr(0, 300);
  EXPECT_NE(r.err.find("TGI and TEI accept 2 MB"), std::string::npos) << r.err.substr(0, 500);
}

TEST(EndpointServers, ACustomHandlerGetsItsOwnKey) {
  auto r = run({"endpoint", server("custom-image"), "--task", "image-classification", "--input-key",
                "image", "--file", serverless::k_png, "--raw"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out, nullptr, false);
  EXPECT_EQ(doc["format"], "png") << r.out;
}

} // namespace
} // namespace hfrun::test
