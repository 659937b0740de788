// The generic run-model command through the backend seam, end to end: --data sent verbatim,
// replies with several files written whole, stdin and FIFO inputs, empty inputs refused, Ctrl-C and
// SIGTERM during a retry wait, the renamed-repo lookup, offline mode.
#include "serverless_e2e.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <thread>

namespace hfrun::test::serverless {
namespace {

const std::string k_classifier = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
const std::string k_separator = "speechbrain/sepformer-wham";

std::string fault(const std::string& spec) {
  return "X-Emulator-Fault: " + spec;
}

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("hfrun-run-model-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(RunModel, DataIsSentVerbatimToThePlannedUrl) {
  LogWindow log;
  const std::string body = R"({"inputs":"I love this","parameters":{"top_k":1}})";
  auto r = serverless(k_classifier, {"--task", "text-classification", "--provider", "hf-inference",
                                     "--data", body, "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json post = log.last_post();
  ASSERT_TRUE(post.is_object());
  EXPECT_EQ(post["path"], "/hf-inference/models/" + k_classifier);
  EXPECT_EQ(post["body_sha256"], sha256_hex(body)) << post.dump();
  EXPECT_EQ(parse_json(r.out)["task"], "text-classification") << r.out;
}

TEST(RunModel, DataFromAFileIsSentVerbatim) {
  const auto dir = scratch("data-file");
  const auto path = dir / "body.json";
  std::ofstream(path) << R"({"inputs":"from a file"})";
  LogWindow log;
  auto r = serverless(k_classifier, {"--task", "text-classification", "--provider", "hf-inference",
                                     "--data", "@" + path.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(log.last_post()["body_sha256"], sha256_hex(R"({"inputs":"from a file"})"));
}

TEST(RunModel, EverySeparatedSourceIsWrittenWithMinusO) {
  const auto dir = scratch("sources");
  auto r = serverless(k_separator, {"--file", k_wav, "-o", (dir / "out.flac").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json meta = parse_json(r.out);
  ASSERT_TRUE(meta.contains("files")) << r.out;
  ASSERT_EQ(meta["files"].size(), 2U) << r.out;
  EXPECT_EQ(meta["files"][0]["path"], (dir / "out.flac").string());
  EXPECT_EQ(meta["files"][1]["path"],
            (dir / ("out-" + meta["files"][1]["label"].get<std::string>() + ".flac")).string());
  for (const auto& file : meta["files"]) {
    const std::filesystem::path path = file["path"].get<std::string>();
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(std::filesystem::file_size(path), file["bytes"].get<std::uint64_t>());
  }
}

TEST(RunModel, EverySeparatedSourceIsWrittenIntoTheOutputDir) {
  const auto dir = scratch("output-dir");
  auto r = serverless(k_separator, {"--file", k_wav, "--output-dir", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().extension(), ".flac");
    ++count;
  }
  EXPECT_EQ(count, 2U);
}

TEST(RunModel, SeveralFilesToStdoutIsAUsageError) {
  auto r = serverless(k_separator, {"--file", k_wav});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("--output-dir"), std::string::npos) << r.err;
}

TEST(RunModel, DryRunOfStdinShowsAtMinus) {
  std::ifstream in(k_png, std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = serverless(
      "google/vit-base-patch16-224",
      {"--dry-run", "--task", "image-classification", "--provider", "hf-inference", "--file", "-"},
      with_stdin(png));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("--data-binary @-"), std::string::npos) << r.out;
}

TEST(RunModel, AFifoInputIsSpooledAndSent) {
  const auto dir = scratch("fifo");
  const auto fifo = dir / "in.png";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ifstream in(k_png, std::ios::binary);
    std::ofstream out(fifo, std::ios::binary);
    out << in.rdbuf();
  });
  auto r = serverless("google/vit-base-patch16-224", {"--json", "--file", fifo.string()});
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "image-classification");
}

TEST(RunModel, AnEmptyInputFileIsRefusedBeforeSending) {
  const auto dir = scratch("empty");
  const auto path = dir / "empty.png";
  std::ofstream(path).close();
  LogWindow log;
  auto r =
      serverless("google/vit-base-patch16-224", {"--task", "image-classification", "--provider",
                                                 "hf-inference", "--file", path.string()});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  EXPECT_TRUE(log.entries(0).empty());
}

TEST(RunModel, TextAndInputsTogetherIsAUsageError) {
  auto r = serverless(k_classifier, {"--text", "a", "--inputs", "\"b\""});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
}

TEST(RunModel, NonUtf8TextIsAUsageErrorNamingTheInput) {
  auto r = serverless(k_classifier, {"--text", "caf\xE9"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("--text"), std::string::npos) << r.err;
}

// hfrun under `timeout -s SIG 1`: the signal arrives during a 15 s Retry-After wait.
ProcessResult signalled_during_retry_wait(const std::string& signal) {
  auto& e = EmulatorEnvironment::emulator();
  std::map<std::string, std::string> env{{"HF_ENDPOINT", e.hub},
                                         {"HFRUN_ROUTER_URL", e.router},
                                         {"HF_HOME", (e.dir / "home").string()},
                                         {"HF_TOKEN", e.token}};
  return run_process({"/usr/bin/timeout", "--preserve-status", "-s", signal, "1", HFRUN_BIN,
                      "serverless", "google/vit-base-patch16-224", "--task", "image-classification",
                      "--provider", "hf-inference", "-H", fault("status=503;retry_after=15"),
                      "--file", k_png},
                     env);
}

TEST(RunModel, CtrlCDuringARetryWaitExitsAtOnceWith130) {
  const auto start = std::chrono::steady_clock::now();
  auto r = signalled_during_retry_wait("INT");
  EXPECT_EQ(r.exit_code, 130) << describe(r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST(RunModel, SigtermDuringARetryWaitExitsWith143) {
  const auto start = std::chrono::steady_clock::now();
  auto r = signalled_during_retry_wait("TERM");
  EXPECT_EQ(r.exit_code, 143) << describe(r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST(RunModel, ARenamedRepoIsCalledByItsCurrentId) {
  LogWindow log;
  auto r = serverless("gpt2", {"--text", "hi", "--no-stream", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json post = log.last_post();
  EXPECT_NE(post.value("path", "").find("openai-community/gpt2"), std::string::npos) << post.dump();
}

TEST(RunModel, OfflineModeFailsAtOnce) {
  auto r = serverless(k_classifier, {"--text", "hi"}, with_env({{"HF_HUB_OFFLINE", "1"}}));
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("HF_HUB_OFFLINE"), std::string::npos) << r.err;
}

} // namespace
} // namespace hfrun::test::serverless
