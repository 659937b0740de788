// `hfrun serverless` end to end: binary results (text-to-image, image-to-image, text-to-speech,
// audio-to-audio) to -o or stdout, the extension warning, inputs from stdin, task detection.
#include "serverless_e2e.hpp"

namespace hfrun::test::serverless {
namespace {

bool is_jpeg(const std::string& bytes) {
  return bytes.size() > 4 && bytes.starts_with("\xFF\xD8\xFF");
}
bool is_flac(const std::string& bytes) {
  return bytes.starts_with("fLaC");
}

// Width and height from a JPEG's start-of-frame segment.
std::optional<std::pair<int, int>> jpeg_size(const std::string& b) {
  std::size_t i = 2;
  while (i + 9 < b.size()) {
    if (static_cast<unsigned char>(b[i]) != 0xFF) {
      return std::nullopt;
    }
    const auto marker = static_cast<unsigned char>(b[i + 1]);
    const auto length =
        (static_cast<unsigned char>(b[i + 2]) << 8) | static_cast<unsigned char>(b[i + 3]);
    if (marker >= 0xC0 && marker <= 0xC3) {
      const int height =
          (static_cast<unsigned char>(b[i + 5]) << 8) | static_cast<unsigned char>(b[i + 6]);
      const int width =
          (static_cast<unsigned char>(b[i + 7]) << 8) | static_cast<unsigned char>(b[i + 8]);
      return std::make_pair(width, height);
    }
    i += 2 + static_cast<std::size_t>(length);
  }
  return std::nullopt;
}

const std::string k_sdxl = "stabilityai/stable-diffusion-xl-base-1.0";

TEST(ServerlessBinary, TextToImageWritesTheJpegToOutputFile) {
  const auto dir = scratch();
  LogWindow log;
  auto r = serverless(k_sdxl, {"--text", "a tiny red square", "-o", (dir / "square.jpg").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(r.out.empty()) << "the image went to the file, not stdout: " << r.out.size()
                             << " bytes";
  const auto bytes = read_bytes(dir / "square.jpg");
  ASSERT_TRUE(is_jpeg(bytes)) << "JPEG magic FF D8 expected";
  EXPECT_EQ(jpeg_size(bytes), std::make_pair(512, 512)) << "the service's default size";
  const auto post = log.last_post();
  EXPECT_EQ(post["path"], "/hf-inference/models/" + k_sdxl);
  EXPECT_EQ(header(post, "accept"), "image/png") << "Accept as the Python client asks";
  // No partial or temporary files beside the result.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(ServerlessBinary, TextToImageParametersSetTheSize) {
  const auto dir = scratch();
  auto r = serverless(k_sdxl, {"--text", "a tiny red square", "width:=64", "height:=48",
                               "num_inference_steps:=2", "-o", (dir / "square.jpg").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto bytes = read_bytes(dir / "square.jpg");
  ASSERT_TRUE(is_jpeg(bytes));
  EXPECT_EQ(jpeg_size(bytes), std::make_pair(64, 48));
}

TEST(ServerlessBinary, BinaryGoesToStdoutWhenItIsNotATerminal) {
  auto r = serverless(k_sdxl, {"--text", "a tiny red square", "width:=16", "height:=16"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(is_jpeg(r.out)) << r.out.substr(0, 40);
  EXPECT_EQ(jpeg_size(r.out), std::make_pair(16, 16));
}

TEST(ServerlessBinary, WarnsWhenTheExtensionDoesNotMatchTheServersType) {
  const auto dir = scratch();
  auto r = serverless(k_sdxl, {"--text", "a tiny red square", "width:=16", "height:=16", "-o",
                               (dir / "square.png").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.err, "warning")) << r.err;
  EXPECT_TRUE(contains(r.err, "image/jpeg")) << r.err;
  EXPECT_TRUE(contains(r.err, "image/png")) << r.err;
  // The bytes are written as received.
  EXPECT_TRUE(is_jpeg(read_bytes(dir / "square.png")));
}

TEST(ServerlessBinary, NoWarningWhenTheExtensionMatches) {
  const auto dir = scratch();
  auto r = serverless(k_sdxl, {"--text", "a tiny red square", "width:=16", "height:=16", "-o",
                               (dir / "square.jpeg").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_FALSE(contains(r.err, "warning")) << r.err;
}

TEST(ServerlessBinary, RawBinaryIsTheServersBytes) {
  auto a = serverless(k_sdxl, {"--raw", "--text", "same prompt", "width:=24", "height:=24"});
  auto b = serverless(k_sdxl, {"--text", "same prompt", "width:=24", "height:=24"});
  ASSERT_EQ(a.exit_code, 0) << describe(a);
  ASSERT_EQ(b.exit_code, 0) << describe(b);
  EXPECT_TRUE(is_jpeg(a.out));
  EXPECT_EQ(a.out, b.out) << "the emulator's image is deterministic per prompt";
}

TEST(ServerlessBinary, JsonPrintsMetadataAndTheFileHoldsTheBytes) {
  // docs/outputs.md: "--json prints metadata: {task, content_type, bytes} ... the CLI adds path".
  const auto dir = scratch();
  const auto path = (dir / "square.jpg").string();
  auto r = serverless(
      k_sdxl, {"--json", "--text", "a tiny red square", "width:=16", "height:=16", "-o", path});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto bytes = read_bytes(path);
  EXPECT_TRUE(is_jpeg(bytes)) << "-o holds the image, not the JSON: " << bytes.substr(0, 60);
  auto j = parse_json(r.out);
  ASSERT_FALSE(j.is_discarded()) << "stdout: " << r.out.substr(0, 100);
  EXPECT_EQ(j["task"], "text-to-image");
  EXPECT_EQ(j["content_type"], "image/jpeg");
  EXPECT_EQ(j["bytes"], bytes.size());
  EXPECT_EQ(j["path"], path);
}

TEST(ServerlessBinary, ImageToImageKeepsTheInputSizeOrTheTargetSize) {
  const auto dir = scratch();
  LogWindow log;
  auto r = serverless("lllyasviel/sd-controlnet-canny",
                      {"--file", k_png, "-o", (dir / "a.jpg").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto bytes = read_bytes(dir / "a.jpg");
  ASSERT_TRUE(is_jpeg(bytes));
  EXPECT_TRUE(jpeg_size(bytes).has_value());
  EXPECT_EQ(header(log.last_post(), "content-type"), "image/png") << "raw upload, sniffed type";

  auto p = serverless("lllyasviel/sd-controlnet-canny",
                      {"--file", k_png, "prompt=make it blue",
                       R"(target_size:={"width":32,"height":20})", "-o", (dir / "b.jpg").string()});
  ASSERT_EQ(p.exit_code, 0) << describe(p);
  bytes = read_bytes(dir / "b.jpg");
  ASSERT_TRUE(is_jpeg(bytes));
  EXPECT_EQ(jpeg_size(bytes), std::make_pair(32, 20));
}

TEST(ServerlessBinary, TextToSpeechWritesFlac) {
  const auto dir = scratch();
  LogWindow log;
  auto r = serverless("espnet/kan-bayashi_ljspeech_vits",
                      {"--text", "Hello world", "-o", (dir / "hello.flac").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(is_flac(read_bytes(dir / "hello.flac")));
  EXPECT_FALSE(contains(r.err, "warning")) << r.err;
  const auto post = log.last_post();
  EXPECT_EQ(post["body_size"], std::string(R"({"inputs":"Hello world"})").size());
}

TEST(ServerlessBinary, TextToSpeechWarnsForAWavName) {
  const auto dir = scratch();
  auto r = serverless("espnet/kan-bayashi_ljspeech_vits",
                      {"--text", "Hello world", "-o", (dir / "hello.wav").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.err, "audio/flac")) << r.err;
  EXPECT_TRUE(is_flac(read_bytes(dir / "hello.wav")));
}

TEST(ServerlessBinary, TextToSpeechToStdout) {
  auto r = serverless("espnet/kan-bayashi_ljspeech_vits", {"--text", "Hello world"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(is_flac(r.out));
}

TEST(ServerlessBinary, AudioToAudioWritesTheFirstSourceAsFlac) {
  const auto dir = scratch();
  LogWindow log;
  auto r = serverless("speechbrain/sepformer-wham",
                      {"--file", k_wav, "-o", (dir / "clean.flac").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(is_flac(read_bytes(dir / "clean.flac")));
  EXPECT_EQ(header(log.last_post(), "content-type"), "audio/wav");

  auto raw = serverless("speechbrain/sepformer-wham", {"--raw", "--file", k_wav});
  ASSERT_EQ(raw.exit_code, 0) << describe(raw);
  auto j = parse_json(raw.out);
  ASSERT_TRUE(j.is_array() && !j.empty()) << raw.out.substr(0, 200);
  EXPECT_EQ(j[0]["content-type"], "audio/flac");
  EXPECT_TRUE(j[0]["blob"].is_string());
}

TEST(ServerlessInputs, ImageFromStdin) {
  LogWindow log;
  auto r = serverless("google/vit-base-patch16-224", {"--json"}, with_stdin(read_bytes(k_png)));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto j = parse_json(r.out);
  EXPECT_EQ(j["task"], "image-classification");
  const auto post = log.last_post();
  EXPECT_EQ(post["body_sha256"], sha256_hex(read_bytes(k_png))) << "stdin's bytes, untouched";
  EXPECT_EQ(header(post, "content-type"), "image/png");
}

TEST(ServerlessInputs, FileDashReadsStdin) {
  auto r = serverless("openai/whisper-large-v3", {"--json", "--file", "-"},
                      with_stdin(read_bytes(k_wav)));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "automatic-speech-recognition");
}

TEST(ServerlessInputs, TextFromStdin) {
  auto r = serverless("distilbert/distilbert-base-uncased-finetuned-sst-2-english", {"--json"},
                      with_stdin(std::string("I love this movie!\n")));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "text-classification");
}

TEST(ServerlessInputs, PositionalInputIsTheFileForImageTasks) {
  auto r = serverless("google/vit-base-patch16-224", {"--json", k_png});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "image-classification");
}

TEST(ServerlessInputs, MissingInputFileIsUsageError) {
  auto r = serverless("google/vit-base-patch16-224", {"--file", "/nonexistent/cat.png"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "/nonexistent/cat.png")) << r.err;
}

TEST(ServerlessInputs, BadJsonParameterIsUsageError) {
  auto r = serverless("google/vit-base-patch16-224", {"--file", k_png, "top_k:=[1"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "top_k")) << r.err;
}

TEST(ServerlessInputs, ZeroShotWithoutCandidateLabelsIsUsageError) {
  LogWindow log;
  auto r = serverless("facebook/bart-large-mnli", {"--text", "I want my money back"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "candidate_labels")) << r.err;
  for (const auto& e : log.entries(0)) {
    EXPECT_NE(e["method"], "POST") << "nothing was sent: " << e.dump();
  }
}

TEST(ServerlessTaskDetection, TaskOptionWinsOverTheModelsTask) {
  // all-MiniLM-L6-v2 is mapped as feature-extraction; --task sentence-similarity uses that route.
  LogWindow log;
  auto r = serverless("sentence-transformers/all-MiniLM-L6-v2",
                      {"--json", "--task", "sentence-similarity", "--text",
                       "That is a happy person", R"(sentences:=["That is a happy dog"])"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "sentence-similarity");
  EXPECT_EQ(
      log.last_post()["path"],
      "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/sentence-similarity");
}

TEST(ServerlessTaskDetection, TheMappingGivesTheTaskAndOneHubLookup) {
  LogWindow log;
  auto r = serverless("sentence-transformers/all-MiniLM-L6-v2",
                      {"--json", "--text", "That is a happy person"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "feature-extraction");
  const auto hub = log.entries(1, "hub");
  ASSERT_EQ(hub.size(), 1U);
  EXPECT_EQ(hub[0]["path"], "/api/models/sentence-transformers/all-MiniLM-L6-v2");
  EXPECT_TRUE(contains(hub[0]["query"].get<std::string>(), "inferenceProviderMapping"))
      << hub[0].dump();
  EXPECT_EQ(header(hub[0], "authorization"), "<present>")
      << "the mapping is asked with the token (user's order)";
  EXPECT_EQ(
      log.last_post()["path"],
      "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction");
}

TEST(ServerlessTaskDetection, UnknownTaskIsUsageError) {
  auto r = serverless("google/vit-base-patch16-224", {"--task", "image-juggling", "--file", k_png});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "image-juggling")) << r.err;
}

} // namespace
} // namespace hfrun::test::serverless
