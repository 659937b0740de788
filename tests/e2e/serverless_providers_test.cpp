// `hfrun serverless MODEL --provider P` end to end for every third-party (provider, task) pair of
// the provider table beyond chat (serverless_chat_test.cpp covers chat): each runs against the
// emulator's provider routes, queued jobs are polled through the router with the token, and the
// result files are fetched from the CDN role without it (the CDN refuses a token, as pre-signed
// storage does). Then --list-providers, and the openai provider refused with an HF token.
#include "serverless_e2e.hpp"

namespace hfrun::test::serverless {
namespace {

enum class Result { text, embeddings, segments, file };

struct PairCase {
  std::string provider;
  std::string task;
  std::string model;
  std::vector<std::string> input;
  Result result;
  std::string content_type; // file results: the type written
  std::string route;        // the first router path the request goes to
  int polls = 0;            // GET requests to the router after it (status polls, result)
};

const std::string k_t2v = "Wan-AI/Wan2.1-T2V-14B";
const std::string k_i2v = "Wan-AI/Wan2.1-I2V-14B-720P";
const std::string k_kontext = "black-forest-labs/FLUX.1-Kontext-dev";

const std::vector<PairCase>& pairs() {
  static const std::vector<PairCase> cases = {
      {"deepinfra",
       "automatic-speech-recognition",
       "openai/whisper-large-v3",
       {"--file", k_wav},
       Result::text,
       "",
       "/deepinfra/v1/openai/audio/transcriptions"},
      {"fal-ai",
       "automatic-speech-recognition",
       "openai/whisper-large-v3",
       {"--file", k_wav},
       Result::text,
       "",
       "/fal-ai/fal-ai/whisper"},
      {"replicate",
       "automatic-speech-recognition",
       "openai/whisper-large-v3",
       {"--file", k_wav},
       Result::text,
       "",
       "/replicate/v1/predictions"},
      {"deepinfra",
       "feature-extraction",
       "BAAI/bge-m3",
       {"--text", "That is a happy person"},
       Result::embeddings,
       "",
       "/deepinfra/v1/openai/embeddings"},
      {"scaleway",
       "feature-extraction",
       "BAAI/bge-m3",
       {"--text", "That is a happy person"},
       Result::embeddings,
       "",
       "/scaleway/v1/embeddings"},
      {"together",
       "feature-extraction",
       "BAAI/bge-m3",
       {"--text", "That is a happy person"},
       Result::embeddings,
       "",
       "/together/v1/embeddings"},
      {"deepinfra",
       "text-generation",
       "Qwen/Qwen2.5-7B",
       {"--text", "Once upon", "max_tokens:=5"},
       Result::text,
       "",
       "/deepinfra/v1/openai/completions"},
      {"featherless-ai",
       "text-generation",
       "Qwen/Qwen2.5-7B",
       {"--text", "Once upon", "max_tokens:=5"},
       Result::text,
       "",
       "/featherless-ai/v1/completions"},
      {"novita",
       "text-generation",
       "Qwen/Qwen2.5-7B",
       {"--text", "Once upon", "max_tokens:=5"},
       Result::text,
       "",
       "/novita/v3/openai/completions"},
      {"together",
       "text-generation",
       "Qwen/Qwen2.5-7B",
       {"--text", "Once upon", "max_tokens:=5"},
       Result::text,
       "",
       "/together/v1/completions"},
      {"deepinfra",
       "text-to-speech",
       "hexgrad/Kokoro-82M",
       {"--text", "Hello world"},
       Result::file,
       "audio/wav",
       "/deepinfra/v1/openai/audio/speech"},
      {"fal-ai",
       "text-to-speech",
       "hexgrad/Kokoro-82M",
       {"--text", "Hello world"},
       Result::file,
       "audio/wav",
       "/fal-ai/fal-ai/kokoro/american-english"},
      {"replicate",
       "text-to-speech",
       "hexgrad/Kokoro-82M",
       {"--text", "Hello world"},
       Result::file,
       "audio/wav",
       "/replicate/v1/predictions"},
      {"together",
       "text-to-speech",
       "hexgrad/Kokoro-82M",
       {"--text", "Hello world"},
       Result::file,
       "audio/wav",
       "/together/v1/audio/speech"},
      {"fal-ai",
       "text-to-image",
       "black-forest-labs/FLUX.1-dev",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/fal-ai/fal-ai/flux/dev"},
      {"nscale",
       "text-to-image",
       "black-forest-labs/FLUX.1-dev",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/nscale/v1/images/generations"},
      {"replicate",
       "text-to-image",
       "black-forest-labs/FLUX.1-dev",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/replicate/v1/models/black-forest-labs/flux-dev/predictions"},
      {"together",
       "text-to-image",
       "black-forest-labs/FLUX.1-dev",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/together/v1/images/generations"},
      {"wavespeed",
       "text-to-image",
       "black-forest-labs/FLUX.1-dev",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/wavespeed/api/v3/wavespeed-ai/flux-dev",
       2},
      {"zai-org",
       "text-to-image",
       "zai-org/CogView4-6B",
       {"--text", "a red square"},
       Result::file,
       "image/jpeg",
       "/zai-org/api/paas/v4/async/images/generations",
       1},
      {"fal-ai",
       "image-to-image",
       k_kontext,
       {"--file", k_png, "prompt=a sketch"},
       Result::file,
       "image/jpeg",
       "/fal-ai/fal-ai/flux-kontext/dev",
       3},
      {"replicate",
       "image-to-image",
       k_kontext,
       {"--file", k_png, "prompt=a sketch"},
       Result::file,
       "image/jpeg",
       "/replicate/v1/models/black-forest-labs/flux-kontext-dev/predictions"},
      {"together",
       "image-to-image",
       k_kontext,
       {"--file", k_png, "prompt=a sketch"},
       Result::file,
       "image/jpeg",
       "/together/v1/images/generations"},
      {"wavespeed",
       "image-to-image",
       k_kontext,
       {"--file", k_png, "prompt=a sketch"},
       Result::file,
       "image/jpeg",
       "/wavespeed/api/v3/wavespeed-ai/flux-kontext-dev",
       2},
      {"fal-ai",
       "image-segmentation",
       "facebook/sam2.1-hiera-large",
       {"--file", k_png},
       Result::segments,
       "",
       "/fal-ai/fal-ai/sam2/image",
       3},
      {"fal-ai",
       "text-to-video",
       k_t2v,
       {"--text", "a cat playing piano"},
       Result::file,
       "video/mp4",
       "/fal-ai/fal-ai/wan/v2.1/t2v",
       3},
      {"novita",
       "text-to-video",
       k_t2v,
       {"--text", "a cat playing piano"},
       Result::file,
       "video/mp4",
       "/novita/v3/hf/wan-t2v"},
      {"replicate",
       "text-to-video",
       k_t2v,
       {"--text", "a cat playing piano"},
       Result::file,
       "video/mp4",
       "/replicate/v1/models/wavespeedai/wan-2.1-t2v-480p/predictions"},
      {"together",
       "text-to-video",
       k_t2v,
       {"--text", "a cat playing piano"},
       Result::file,
       "video/mp4",
       "/together/v2/videos",
       2},
      {"wavespeed",
       "text-to-video",
       k_t2v,
       {"--text", "a cat playing piano"},
       Result::file,
       "video/mp4",
       "/wavespeed/api/v3/wavespeed-ai/wan-2.1/t2v-480p",
       2},
      {"fal-ai",
       "image-to-video",
       k_i2v,
       {"--file", k_png, "prompt=it moves"},
       Result::file,
       "video/mp4",
       "/fal-ai/fal-ai/wan-i2v",
       3},
      {"together",
       "image-to-video",
       k_i2v,
       {"--file", k_png, "prompt=it moves"},
       Result::file,
       "video/mp4",
       "/together/v2/videos",
       2},
      {"wavespeed",
       "image-to-video",
       k_i2v,
       {"--file", k_png, "prompt=it moves"},
       Result::file,
       "video/mp4",
       "/wavespeed/api/v3/wavespeed-ai/wan-2.1/i2v-720p",
       2},
  };
  return cases;
}

// gtest names a failing case by this, not by its bytes.
void PrintTo(const PairCase& c, std::ostream* out) {
  *out << c.provider << " " << c.task << " " << c.model;
}

class ProviderPair : public ::testing::TestWithParam<PairCase> {};

TEST_P(ProviderPair, RunsEndToEnd) {
  const PairCase& c = GetParam();
  const auto dir = scratch();
  std::vector<std::string> args = c.input;
  args.insert(args.end(), {"--provider", c.provider, "--task", c.task, "--json"});
  const auto out = dir / "result.bin";
  if (c.result == Result::file) {
    args.insert(args.end(), {"-o", out.string()});
  }
  LogWindow log;
  const auto r = serverless(c.model, args);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json result = parse_json(r.out);
  ASSERT_TRUE(result.is_object()) << r.out;
  EXPECT_EQ(result.value("task", ""), c.task);
  switch (c.result) {
  case Result::text:
    EXPECT_FALSE(result.value(c.task == "text-generation" ? "generated_text" : "text", "").empty())
        << r.out;
    break;
  case Result::embeddings:
    EXPECT_EQ(result.value("dimension", 0), 1024) << r.out;
    break;
  case Result::segments:
    ASSERT_TRUE(result.contains("segments")) << r.out;
    EXPECT_EQ(result["segments"][0].value("label", ""), "mask");
    EXPECT_TRUE(result["segments"][0].value("mask", "").starts_with("iVBORw0KGgo")) << r.out;
    break;
  case Result::file: {
    EXPECT_EQ(result.value("content_type", ""), c.content_type) << r.out;
    const std::string bytes = read_bytes(out);
    EXPECT_EQ(result.value("bytes", 0U), bytes.size());
    EXPECT_GT(bytes.size(), 16U);
    break;
  }
  }
  // The inference request, then its polls, on the router with the token; a result file from the
  // CDN (or the router's /_media) without it: the CDN answers 400 to a token.
  const auto router = log.entries(1 + static_cast<std::size_t>(c.polls), "router");
  ASSERT_GE(router.size(), 1U);
  EXPECT_EQ(router[0].value("method", ""), "POST");
  EXPECT_EQ(router[0].value("path", ""), c.route);
  int polls = 0;
  for (std::size_t i = 1; i < router.size(); ++i) {
    EXPECT_EQ(router[i].value("method", ""), "GET") << router[i].dump();
    EXPECT_EQ(router[i].value("status", 0), 200) << router[i].dump();
    if (router[i].value("path", "").starts_with("/_media/")) {
      EXPECT_TRUE(header(router[i], "authorization").empty()) << router[i].dump();
    } else {
      EXPECT_FALSE(header(router[i], "authorization").empty()) << router[i].dump();
      ++polls;
    }
  }
  EXPECT_EQ(polls, c.polls);
  for (const auto& fetch : log.entries(0, "cdn")) {
    EXPECT_TRUE(header(fetch, "authorization").empty()) << fetch.dump();
    EXPECT_EQ(fetch.value("status", 0), 200) << fetch.dump();
  }
}

std::string pair_name(const ::testing::TestParamInfo<PairCase>& info) {
  std::string name = info.param.provider + "_" + info.param.task;
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) {
      ch = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryPair, ProviderPair, ::testing::ValuesIn(pairs()), pair_name);

TEST(ServerlessProviders, TheIssuesExampleTranscribesOnFalAi) {
  // `hfrun serverless openai/whisper-large-v3 --provider fal-ai --file a.flac` used to answer
  // "hfrun does not know how to run automatic-speech-recognition on provider fal-ai".
  const auto r = serverless("openai/whisper-large-v3", {"--provider", "fal-ai", "--file", k_wav});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_FALSE(r.out.empty());
}

TEST(ServerlessProviders, AQueuedVideoSaysOnStderrThatItWaits) {
  const auto dir = scratch();
  const auto r = serverless(
      k_t2v, {"--provider", "fal-ai", "--text", "a cat", "-o", (dir / "cat.mp4").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("fal-ai: text-to-video job IN_QUEUE"), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(dir / "cat.mp4").substr(4, 4), "ftyp");
}

TEST(ServerlessProviders, AReplicatePredictionStillStartingIsPolledToItsEnd) {
  // Without `Prefer: wait` Replicate answers "starting" at once: hfrun polls urls.get through the
  // router until "succeeded".
  const auto dir = scratch();
  LogWindow log;
  const auto r = serverless(k_t2v, {"--provider", "replicate", "--text", "a cat", "-H",
                                    "Prefer: respond-async", "-o", (dir / "cat.mp4").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(read_bytes(dir / "cat.mp4").substr(4, 4), "ftyp");
  const auto router = log.entries(3, "router");
  ASSERT_EQ(router.size(), 3U);
  EXPECT_TRUE(router[1].value("path", "").starts_with("/replicate/v1/predictions/"))
      << router[1].dump();
  EXPECT_EQ(router[2].value("path", ""), router[1].value("path", ""));
  EXPECT_NE(r.err.find("replicate: text-to-video job starting"), std::string::npos) << r.err;
}

TEST(ServerlessProviders, OpenAiProviderIsRefusedWithAnHfToken) {
  LogWindow log;
  const auto r = serverless("openai/gpt-oss-120b", {"--provider", "openai", "--text", "Hello"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("own API key"), std::string::npos) << r.err;
  EXPECT_TRUE(log.entries(0, "router").empty());
}

TEST(ServerlessProviders, ListProvidersShowsEachMappingAndHfrunsSupport) {
  const auto r = run({"serverless", "--list-providers", "openai/whisper-large-v3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  ASSERT_TRUE(doc.contains("providers")) << r.out;
  std::vector<std::string> names;
  for (const auto& p : doc["providers"]) {
    names.push_back(p.value("provider", ""));
    EXPECT_EQ(p.value("task", ""), "automatic-speech-recognition");
    EXPECT_TRUE(p.value("supported", false)) << p.dump();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"hf-inference", "fal-ai", "deepinfra", "replicate",
                                             "together"}));
  const auto text = run({"serverless", "--list-providers", "openai/whisper-large-v3"});
  ASSERT_EQ(text.exit_code, 0) << describe(text);
  EXPECT_NE(text.out.find("fal-ai"), std::string::npos);
  EXPECT_NE(text.out.find("yes (direct)"), std::string::npos) << text.out;
}

TEST(ServerlessProviders, ListProvidersMarksPolledPairs) {
  const auto r = run({"serverless", "--list-providers", k_t2v, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  for (const auto& p : doc["providers"]) {
    const bool polled = p.value("provider", "") != "novita";
    EXPECT_EQ(p.value("how", ""), polled ? "polled" : "direct") << p.dump();
  }
}

} // namespace
} // namespace hfrun::test::serverless
