// `hfrun serverless` against the emulator's faults and error replies: retries, exit codes, error
// messages (summarised, with the server's words), no partial output file, and --dry-run.
#include "serverless_e2e.hpp"

namespace hfrun::test::serverless {
namespace {

const std::string k_vit = "google/vit-base-patch16-224";
const std::string k_vit_path = "/hf-inference/models/google/vit-base-patch16-224";

std::vector<json> posts_to(const LogWindow& log, const std::string& path, std::size_t at_least) {
  std::vector<json> out;
  for (const auto& e : log.entries(at_least)) {
    if (e["method"] == "POST" && e["path"] == path) {
      out.push_back(e);
    }
  }
  return out;
}

TEST(ServerlessFaults, RateLimitWithRetryAfterIsRetriedThenSucceeds) {
  LogWindow log;
  const auto started = std::chrono::steady_clock::now();
  auto r = serverless(k_vit,
                      {"-H", fault("status=429;retry_after=1;times=1"), "--json", "--file", k_png});
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "image-classification");
  const auto posts = posts_to(log, k_vit_path, 2);
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(posts[0]["status"], 429);
  EXPECT_EQ(posts[1]["status"], 200);
  EXPECT_EQ(posts[0]["body_sha256"], posts[1]["body_sha256"]) << "the same body is sent again";
  EXPECT_GE(waited, std::chrono::milliseconds(950)) << "Retry-After: 1 was honoured";
}

TEST(ServerlessFaults, RateLimitAfterRetriesIsExitFive) {
  LogWindow log;
  auto r = serverless(k_vit,
                      {"--retries", "1", "-H", fault("status=429;retry_after=0"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 5) << describe(r);
  EXPECT_TRUE(contains(r.err, "429")) << r.err;
  EXPECT_EQ(posts_to(log, k_vit_path, 2).size(), 2U);
}

TEST(ServerlessFaults, UnavailableFourTimesIsExitSevenAfterThreeRetries) {
  LogWindow log;
  auto r = serverless(k_vit,
                      {"--retries", "3", "-H", fault("status=503;retry_after=0"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
  EXPECT_TRUE(contains(r.err, "503")) << r.err;
  const auto posts = posts_to(log, k_vit_path, 4);
  ASSERT_EQ(posts.size(), 4U) << "one try and three retries";
  for (const auto& p : posts) {
    EXPECT_EQ(p["status"], 503);
  }
}

TEST(ServerlessFaults, ConnectionResetIsRetried) {
  LogWindow log;
  auto r = serverless(k_vit, {"-H", fault("reset_after=0;times=1"), "--json", "--file", k_png});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parse_json(r.out)["task"], "image-classification");
  EXPECT_EQ(posts_to(log, k_vit_path, 2).size(), 2U) << "the reset request and its retry";
}

// The headers arrive, then the connection closes before the body: a reset connection is a network
// error (docs/exit-codes.md: 8), not an unavailable server (7) nor a bad reply (9).
TEST(ServerlessFaults, ConnectionResetWithoutRetriesIsExitEight) {
  auto r = serverless(k_vit, {"--retries", "0", "-H", fault("reset_after=0"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 8) << describe(r);
  EXPECT_TRUE(r.out.empty());
}

TEST(ServerlessFaults, ErrorInsideA200StreamIsExitSixWithTheServersMessage) {
  // hf-inference (TGI): {"error": "...", "error_type": "validation"} as an event.
  auto tgi = serverless(k_chat_model, {"--provider", "hf-inference", "--stream", "--text", "Hello",
                                       "max_tokens:=100000"});
  EXPECT_EQ(tgi.exit_code, 6) << describe(tgi);
  EXPECT_TRUE(contains(tgi.err, "Input validation error")) << tgi.err;
  // A provider through the router (OpenAI shape {"error": {"message": ...}}).
  auto openai =
      serverless(k_chat_model + ":cerebras", {"--stream", "--text", "Hello", "max_tokens:=100000"});
  EXPECT_EQ(openai.exit_code, 6) << describe(openai);
  EXPECT_TRUE(contains(openai.err, "Input validation error")) << openai.err;
  EXPECT_TRUE(contains(openai.err, "32768"))
      << "the limit from the server's message: " << openai.err;
}

TEST(ServerlessFaults, ErrorInsideAStreamWithJsonIsExitSix) {
  auto r = serverless(k_chat_model, {"--provider", "hf-inference", "--stream", "--json", "--text",
                                     "Hello", "max_tokens:=100000"});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_TRUE(r.out.empty()) << "no half document: " << r.out;
}

TEST(ServerlessFaults, ValidationErrorWithoutStreamIsExitSix) {
  auto r = serverless(k_chat_model, {"--text", "Hello", "max_tokens:=100000"});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_TRUE(contains(r.err, "Input validation error")) << r.err;
  EXPECT_TRUE(contains(r.err, "400")) << r.err;
}

TEST(ServerlessFaults, ServerRejectingTheInputIsExitSix) {
  auto r =
      serverless("google-bert/bert-base-uncased", {"--text", "Paris is the capital of France."});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_TRUE(contains(r.err, "No mask_token ([MASK]) found on the input")) << r.err;
  EXPECT_TRUE(contains(r.err, "Root=1-")) << "the request id is in the message: " << r.err;
}

TEST(ServerlessFaults, PayloadTooLargeIsExitSix) {
  auto r = serverless(k_vit, {"-H", fault("max_body=10"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_TRUE(contains(r.err, "413")) << r.err;
}

TEST(ServerlessFaults, InvalidJsonBodyIsExitNine) {
  auto r = serverless(k_vit, {"-H", fault("invalid_json"), "--json", "--file", k_png});
  EXPECT_EQ(r.exit_code, 9) << describe(r);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(contains(r.err, "unterminated")) << "the start of the body is shown: " << r.err;
}

// The body ends cleanly (Content-Length: 12) in the middle of the JSON: an undecodable reply (9).
TEST(ServerlessFaults, TruncatedBodyIsExitNine) {
  auto r = serverless(
      k_vit, {"--retries", "0", "-H", fault("truncate_after=12"), "--json", "--file", k_png});
  EXPECT_EQ(r.exit_code, 9) << describe(r);
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(ServerlessFaults, UnknownModelIsExitFour) {
  auto r = serverless("nobody-here/no-such-model", {"--text", "Hello"});
  EXPECT_EQ(r.exit_code, 4) << describe(r);
  EXPECT_TRUE(contains(r.err, "nobody-here/no-such-model")) << r.err;
  // Straight to hf-inference, no Hub lookup: the router's 404.
  LogWindow log;
  auto direct =
      serverless("nobody-here/no-such-model", {"--task", "text-classification", "--provider",
                                               "hf-inference", "--text", "Hello"});
  EXPECT_EQ(direct.exit_code, 4) << describe(direct);
  EXPECT_TRUE(contains(direct.err, "does not exist")) << direct.err;
  EXPECT_TRUE(log.entries(0, "hub").empty());
}

// No Hub lookup (chat with --provider auto): the router answers 400 model_not_supported, and a 400
// is the server rejecting the request (docs/exit-codes.md: 6).
TEST(ServerlessFaults, UnknownChatModelThroughTheRouterIsExitSix) {
  auto r = serverless("nobody-here/no-such-model", {"--task", "conversational", "--text", "Hello"});
  EXPECT_EQ(r.exit_code, 6) << describe(r);
  EXPECT_TRUE(contains(r.err, "not supported by any provider")) << r.err;
}

TEST(ServerlessFaults, BadTokenIsExitThree) {
  const RunOptions bad = without_token({{"HF_TOKEN", "hf_bad_token_for_tests"}});
  auto r = serverless(k_vit, {"--file", k_png}, bad);
  EXPECT_EQ(r.exit_code, 3) << describe(r);
  EXPECT_TRUE(contains(r.err, "Invalid username or password.")) << r.err;
  auto chat = serverless(k_chat_model, {"--text", "Hello"}, bad);
  EXPECT_EQ(chat.exit_code, 3) << describe(chat);
  auto option = serverless(k_chat_model, {"--token", "hf_bad_token_for_tests", "--text", "Hello"},
                           without_token({{"HF_TOKEN", "hf_bad_token_for_tests"}}));
  EXPECT_EQ(option.exit_code, 3) << describe(option);
}

TEST(ServerlessFaults, NoTokenIsExitThree) {
  auto r = serverless(k_chat_model, {"--text", "Hello"}, without_token());
  EXPECT_EQ(r.exit_code, 3) << describe(r);
  EXPECT_TRUE(contains(r.err, "token")) << "says a token is needed: " << r.err;
}

TEST(ServerlessFaults, HtmlErrorPageIsSummarisedNotDumped) {
  auto r = serverless(k_vit, {"--retries", "0", "-H", fault("html_error=502"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
  EXPECT_TRUE(contains(r.err, "502")) << r.err;
  EXPECT_FALSE(contains(r.err, "<html>")) << r.err;
  EXPECT_FALSE(contains(r.err, "<center>")) << r.err;
  EXPECT_LT(std::count(r.err.begin(), r.err.end(), '\n'), 6) << "a short message: " << r.err;
}

TEST(ServerlessFaults, FailedRequestWithOutputLeavesNoFile) {
  const auto dir = scratch();
  auto r = serverless("stabilityai/stable-diffusion-xl-base-1.0",
                      {"--retries", "0", "-H", fault("status=500"), "--text", "a red square", "-o",
                       (dir / "out.jpg").string()});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.jpg"));
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "no temporary file left behind";
}

TEST(ServerlessFaults, ResetMidBodyWithOutputLeavesNoFile) {
  const auto dir = scratch();
  auto r = serverless("stabilityai/stable-diffusion-xl-base-1.0",
                      {"--retries", "0", "-H", fault("reset_after=100"), "--text", "a red square",
                       "-o", (dir / "out.jpg").string()});
  EXPECT_EQ(r.exit_code, 8) << "a connection reset mid-body is a network error: " << describe(r);
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "no partial file";
}

TEST(ServerlessFaults, TimeoutIsExitSeven) {
  auto r = serverless(
      k_vit, {"--retries", "0", "--timeout", "0.5", "-H", fault("stall_ms=1500"), "--file", k_png});
  EXPECT_EQ(r.exit_code, 7) << describe(r);
}

TEST(ServerlessFaults, ConnectionRefusedIsExitEight) {
  auto r = serverless(k_chat_model, {"--retries", "0", "--text", "Hello"},
                      with_env({{"HFRUN_ROUTER_URL", "http://127.0.0.1:1"}}));
  EXPECT_EQ(r.exit_code, 8) << describe(r);
}

TEST(ServerlessDryRun, PrintsCurlWithoutTheTokenAndSendsNothing) {
  LogWindow log;
  auto r = serverless(k_vit, {"--dry-run", "--task", "image-classification", "--provider",
                              "hf-inference", "--file", k_png});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(r.out.starts_with("curl ")) << r.out;
  EXPECT_TRUE(contains(r.out, "$HF_TOKEN")) << r.out;
  EXPECT_TRUE(contains(r.out, k_vit_path)) << r.out;
  EXPECT_TRUE(contains(r.out, "Content-Type: image/png")) << r.out;
  EXPECT_EQ(dry_run_body(r.out), read_bytes(k_png));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(log.entries(0, "").empty()) << "nothing sent";
}

TEST(ServerlessDryRun, Base64BodyIsAShellPipeline) {
  auto r = serverless(k_vit, {"--dry-run", "--task", "image-classification", "--provider",
                              "hf-inference", "--file", k_png, "top_k:=2"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto body = dry_run_body(r.out);
  ASSERT_TRUE(body.has_value()) << r.out;
  EXPECT_EQ(parse_json(*body),
            json({{"inputs", base64_of(read_bytes(k_png))}, {"parameters", {{"top_k", 2}}}}));
  // The shell pipeline builds the very body hfrun would send.
  LogWindow log;
  auto sent = serverless(k_vit, {"--task", "image-classification", "--provider", "hf-inference",
                                 "--file", k_png, "top_k:=2"});
  ASSERT_EQ(sent.exit_code, 0) << describe(sent);
  EXPECT_EQ(log.last_post()["body_sha256"], sha256_hex(*body));
}

TEST(ServerlessDryRun, WithoutTaskShowsTheHubLookup) {
  LogWindow log;
  auto r = serverless(k_vit, {"--dry-run", "--file", k_png});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "curl")) << r.out;
  EXPECT_TRUE(contains(r.out, "/api/models/" + k_vit)) << r.out;
  EXPECT_TRUE(contains(r.err, "--task"))
      << "the note says how to see the inference request: " << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(log.entries(0, "").empty()) << "nothing sent";
}

TEST(ServerlessDryRun, ExplicitTokenIsNotPrinted) {
  auto r = serverless(k_chat_model,
                      {"--dry-run", "--token", "hf_explicit_secret_for_test", "--text", "Hello"},
                      without_token({{"HF_TOKEN", "hf_explicit_secret_for_test"}}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "$HF_TOKEN")) << r.out;
}

TEST(ServerlessVerbose, RequestHeadersAreShownWithTheTokenMasked) {
  auto r = serverless(k_chat_model, {"-vv", "--text", "Hello"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(contains(r.err, "/v1/chat/completions")) << r.err;
  EXPECT_EQ(r.out, "You said: Hello\n") << "logs stay on stderr";
}

} // namespace
} // namespace hfrun::test::serverless
