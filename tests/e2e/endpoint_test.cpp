// hfrun endpoint against the emulator's router standing in for servers it resembles: its
// hf-inference route for an Inference Toolkit endpoint (POST / with the toolkit's bodies), its root
// for an OpenAI-compatible server. The emulator's own inference servers, one per flavour, are
// endpoint_servers_test.cpp's; named endpoints and their management endpoint_manage_test.cpp's.
#include "emulator_fixture.hpp"
#include "serverless_e2e.hpp"

#include <gtest/gtest.h>

namespace hfrun::test {
namespace {

using nlohmann::json;
using serverless::k_png;

TEST(Endpoint, AToolkitEndpointRunsTheTaskGiven) {
  const std::string url =
      EmulatorEnvironment::emulator().router + "/hf-inference/models/google/vit-base-patch16-224";
  auto r = hfrun({"endpoint", url, "--task", "image-classification", "--file", k_png, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["task"], "image-classification");
  EXPECT_FALSE(doc["labels"].empty()) << r.out;
  auto untold = hfrun({"endpoint", url, "--file", k_png});
  EXPECT_EQ(untold.exit_code, 2) << untold.err;
  EXPECT_NE(untold.err.find("pass --task"), std::string::npos) << untold.err;
}

TEST(Endpoint, TheJsonIsServerlesssForTheSameTask) {
  const std::string url =
      EmulatorEnvironment::emulator().router + "/hf-inference/models/google/vit-base-patch16-224";
  auto endpoint =
      hfrun({"endpoint", url, "--task", "image-classification", "--file", k_png, "--json"});
  ASSERT_EQ(endpoint.exit_code, 0) << endpoint.err;
  auto serverless =
      hfrun({"serverless", "google/vit-base-patch16-224", "--provider", "hf-inference", "--task",
             "image-classification", "--file", k_png, "--json"});
  ASSERT_EQ(serverless.exit_code, 0) << serverless.err;
  EXPECT_EQ(json::parse(endpoint.out), json::parse(serverless.out));
  auto chat =
      hfrun({"endpoint", EmulatorEnvironment::emulator().router, "--text", "Hello", "--json"});
  auto routed =
      hfrun({"serverless", "meta-llama/Llama-3.1-8B-Instruct", "--text", "Hello", "--json"});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  ASSERT_EQ(routed.exit_code, 0) << routed.err;
  auto keys = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& [k, v] : j.items()) {
      out.push_back(k);
    }
    return out;
  };
  EXPECT_EQ(keys(json::parse(chat.out)), keys(json::parse(routed.out)));
}

TEST(Endpoint, InputKeySendsTheFileAsBase64UnderThatKey) {
  const std::string url =
      EmulatorEnvironment::emulator().router + "/hf-inference/models/google/vit-base-patch16-224";
  // The toolkit route reads {"inputs": "<base64>"}, so --input-key inputs must give its answer.
  auto keyed = hfrun({"endpoint", url, "--flavor", "toolkit", "--task", "image-classification",
                      "--input-key", "inputs", "--file", k_png, "--json"});
  ASSERT_EQ(keyed.exit_code, 0) << keyed.err;
  auto plain =
      hfrun({"endpoint", url, "--task", "image-classification", "--file", k_png, "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(json::parse(keyed.out), json::parse(plain.out));
  auto dry = hfrun({"endpoint", url, "--flavor", "toolkit", "--task", "image-classification",
                    "--input-key", "image", "--file", k_png, "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("{\"image\":\""), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("base64 -w0"), std::string::npos) << dry.out;
}

TEST(Endpoint, AnOpenAiServerChatsByDefault) {
  auto r = hfrun(
      {"endpoint", EmulatorEnvironment::emulator().router, "--text", "Hello", "--json", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out, nullptr, false);
  EXPECT_EQ(doc["task"], "conversational") << r.out;
  EXPECT_EQ(doc["content"], "You said: Hello");
  EXPECT_NE(r.err.find("via openai (GET /v1/models: owned_by"), std::string::npos) << r.err;
}

TEST(Endpoint, ConnectionRefusedIsWaitedForThenExitEight) {
  auto now = hfrun({"endpoint", "http://127.0.0.1:9", "--text", "Hello", "--wait-timeout", "0"});
  EXPECT_EQ(now.exit_code, 8) << now.err;
  auto later = hfrun({"endpoint", "http://127.0.0.1:9", "--text", "Hello", "--wait-timeout", "1"});
  EXPECT_EQ(later.exit_code, 8) << later.err;
  EXPECT_NE(
      later.err.find("waiting for http://127.0.0.1:9 to come up (connection refused, 0 s of 1 s"),
      std::string::npos)
      << later.err;
}

} // namespace
} // namespace hfrun::test
