// Every --json output contract (docs/schemas/*.schema.json, docs/output.md) checked against what
// the built hfrun prints against the emulator: one success per command (and per subcommand), and
// the {"error": {...}} line a failing call of each command ends stderr with. The per-task results
// of serverless and endpoint are checked in serverless_tasks_test.cpp, those of local in
// local_test.cpp.
#include "serverless_e2e.hpp"
#include "support/json_schema.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using serverless::describe;
using serverless::k_chat_model;
using serverless::k_png;
using serverless::k_wav;
using serverless::parse_json;
using serverless::run;
using serverless::RunOptions;
using serverless::with_env;
using serverless::with_stdin;

const std::string k_sentiment = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
const std::string k_sdxl = "stabilityai/stable-diffusion-xl-base-1.0";

// `doc` is valid against docs/schemas/`file` (or its $defs/`def`).
void expect_schema(const std::string& file, const json& doc, const std::string& def = "") {
  ASSERT_FALSE(doc.is_discarded()) << "not JSON (" << file << ")";
  const auto errors = validate_against(file, doc, def);
  EXPECT_TRUE(errors.empty()) << file << (def.empty() ? "" : "#/$defs/" + def) << ": "
                              << ::testing::PrintToString(errors) << "\n"
                              << doc.dump().substr(0, 1500);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

// A failing call under --json: the exit code is the error's, stdout holds no result, and the last
// line of stderr is the error object of error.schema.json, after the human line.
void expect_json_error(const ProcessResult& r, int exit_code, const std::string& kind) {
  EXPECT_EQ(r.exit_code, exit_code) << describe(r);
  const auto lines = lines_of(r.err);
  ASSERT_GE(lines.size(), 2U) << describe(r);
  const json last = parse_json(lines.back());
  expect_schema("error.schema.json", last);
  ASSERT_TRUE(last.is_object() && last.contains("error")) << r.err;
  EXPECT_EQ(last["error"]["kind"], kind) << r.err;
  EXPECT_EQ(last["error"]["exit_code"], exit_code) << r.err;
  // The human line (and its hint) come first.
  std::size_t human = lines.size() - 2;
  if (lines[human].starts_with("  hint: ") && human > 0) {
    --human;
  }
  EXPECT_TRUE(lines[human].starts_with("hfrun: error: "))
      << "the human line comes first: " << r.err;
  std::size_t objects = 0;
  for (const auto& line : lines) {
    objects += line.starts_with("{") ? 1 : 0;
  }
  EXPECT_EQ(objects, 1U) << "one JSON object on stderr: " << r.err;
}

// A fresh HF_HOME (its hub cache inside), so cache tests see only what they downloaded.
std::map<std::string, std::string> fresh_home() {
  const fs::path home = serverless::scratch() / "hf-home";
  fs::create_directories(home);
  return {{"HF_HOME", home.string()}};
}

// ---------------------------------------------------------------------------------------------
// whoami, doctor

TEST(JsonContracts, Whoami) {
  auto r = run({"whoami", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  expect_schema("whoami.schema.json", parse_json(r.out));
}

TEST(JsonContracts, WhoamiErrorWithoutAToken) {
  expect_json_error(run({"whoami", "--json"}, serverless::without_token()), 3, "auth");
}

TEST(JsonContracts, Doctor) {
  auto r = run({"doctor", "--json"}, with_env({{"HTTPS_PROXY", "http://user:pw@proxy:3128"}}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  expect_schema("doctor.schema.json", parse_json(r.out));
}

TEST(JsonContracts, DoctorWithTheHubUnreachableStillFollowsTheSchema) {
  auto r = run({"doctor", "--json"}, with_env({{"HF_ENDPOINT", "http://127.0.0.1:9"}}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  expect_schema("doctor.schema.json", doc);
  EXPECT_EQ(doc["connectivity"]["hub"]["reachable"], false) << r.out;
}

TEST(JsonContracts, DoctorUsageError) {
  expect_json_error(run({"doctor", "--json", "--color", "pink"}), 2, "usage");
}

// ---------------------------------------------------------------------------------------------
// download, cache

TEST(JsonContracts, DownloadAndEveryCacheSubcommand) {
  const auto home = fresh_home();
  auto dl = run({"download", k_sdxl, "--include", "*.json", "--json"}, with_env(home));
  ASSERT_EQ(dl.exit_code, 0) << describe(dl);
  expect_schema("download.schema.json", parse_json(dl.out));
  auto again = run({"download", k_sdxl, "--include", "*.json", "--json"}, with_env(home));
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  expect_schema("download.schema.json", parse_json(again.out)); // nothing fetched this time

  auto ls = run({"cache", "ls", "--json"}, with_env(home));
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  expect_schema("cache.schema.json", parse_json(ls.out), "ls");
  EXPECT_EQ(parse_json(ls.out).size(), 1U) << ls.out;
  auto one = run({"cache", "ls", k_sdxl, "--json"}, with_env(home));
  ASSERT_EQ(one.exit_code, 0) << describe(one);
  expect_schema("cache.schema.json", parse_json(one.out), "ls");

  auto verify = run({"cache", "verify", k_sdxl, "--json"}, with_env(home));
  ASSERT_EQ(verify.exit_code, 0) << describe(verify);
  expect_schema("cache.schema.json", parse_json(verify.out), "verify");

  auto planned = run({"--dry-run", "--json", "cache", "rm", k_sdxl}, with_env(home));
  ASSERT_EQ(planned.exit_code, 0) << describe(planned);
  expect_schema("cache.schema.json", parse_json(planned.out), "removal");
  auto pruned = run({"cache", "prune", "--yes", "--json"}, with_env(home));
  ASSERT_EQ(pruned.exit_code, 0) << describe(pruned);
  expect_schema("cache.schema.json", parse_json(pruned.out), "removal");
  auto removed = run({"cache", "rm", k_sdxl, "--yes", "--json"}, with_env(home));
  ASSERT_EQ(removed.exit_code, 0) << describe(removed);
  const json gone = parse_json(removed.out);
  expect_schema("cache.schema.json", gone, "removal");
  EXPECT_EQ(gone["removed"], true) << removed.out;
  auto empty = run({"cache", "ls", "--json"}, with_env(home));
  ASSERT_EQ(empty.exit_code, 0) << describe(empty);
  EXPECT_EQ(parse_json(empty.out), json::array()) << empty.out;
}

TEST(JsonContracts, ACorruptBlobIsAVerifyDocumentAndAnErrorLine) {
  const auto home = fresh_home();
  auto dl = run({"download", k_sdxl, "--include", "model_index.json"}, with_env(home));
  ASSERT_EQ(dl.exit_code, 0) << describe(dl);
  std::string snapshot = dl.out;
  while (!snapshot.empty() && snapshot.back() == '\n') {
    snapshot.pop_back();
  }
  const fs::path blob = fs::canonical(fs::path(snapshot) / "model_index.json");
  std::string bytes = serverless::read_bytes(blob);
  bytes[0] = bytes[0] == 'x' ? 'y' : 'x';
  serverless::write_bytes(blob, bytes);
  auto verify = run({"cache", "verify", k_sdxl, "--json"}, with_env(home));
  const json doc = parse_json(verify.out);
  expect_schema("cache.schema.json", doc, "verify");
  EXPECT_EQ(doc["ok"], false) << verify.out;
  ASSERT_EQ(doc["problems"].size(), 1U) << verify.out;
  EXPECT_EQ(doc["problems"][0]["kind"], "corrupt");
  expect_json_error(verify, 9, "bad_response");
}

TEST(JsonContracts, DownloadAndCacheErrors) {
  const auto home = fresh_home();
  expect_json_error(run({"download", "nobody/nothing", "--json"}, with_env(home)), 4, "not_found");
  expect_json_error(run({"cache", "ls", "nobody/nothing", "--json"}, with_env(home)), 4,
                    "not_found");
  expect_json_error(run({"cache", "rm", "nobody/nothing@", "--json"}, with_env(home)), 2, "usage");
}

// ---------------------------------------------------------------------------------------------
// serverless / endpoint: binary results, chat and streams (the other tasks:
// serverless_tasks_test.cpp)

TEST(JsonContracts, BinaryResultWrittenToAFile) {
  const auto dir = serverless::scratch();
  auto r = serverless::serverless(k_sdxl, {"--json", "--text", "a red square", "width:=16",
                                           "height:=16", "-o", (dir / "a.jpg").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  expect_schema("binary.schema.json", doc);
  EXPECT_EQ(doc["task"], "text-to-image");
}

TEST(JsonContracts, BinaryResultsOfSeveralFiles) {
  const auto dir = serverless::scratch();
  auto r = serverless::serverless("speechbrain/sepformer-wham",
                                  {"--json", "--file", k_wav, "--output-dir", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  expect_schema("binary.schema.json", doc);
  EXPECT_EQ(doc["task"], "audio-to-audio");
}

TEST(JsonContracts, BinaryResultWithoutAFileIsAUsageErrorLine) {
  expect_json_error(serverless::serverless(k_sdxl, {"--json", "--text", "a red square"}), 2,
                    "usage");
}

TEST(JsonContracts, ChatStreamedOrNot) {
  auto whole = serverless::serverless(k_chat_model, {"--json", "--text", "Hello"});
  ASSERT_EQ(whole.exit_code, 0) << describe(whole);
  expect_schema("tasks.schema.json", parse_json(whole.out), "conversational");
  auto streamed = serverless::serverless(k_chat_model, {"--stream", "--json", "--text", "Hello"});
  ASSERT_EQ(streamed.exit_code, 0) << describe(streamed);
  expect_schema("tasks.schema.json", parse_json(streamed.out), "conversational");
  EXPECT_EQ(parse_json(whole.out)["content"], parse_json(streamed.out)["content"]);
}

TEST(JsonContracts, TextGenerationStreamed) {
  auto r = serverless::serverless("openai-community/gpt2",
                                  {"--stream", "--json", "--text", "The answer is"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  expect_schema("tasks.schema.json", parse_json(r.out), "text-generation");
}

TEST(JsonContracts, SeveralInputsGiveABatchDocument) {
  auto r = serverless::serverless(k_sentiment, {"--json", "--inputs", R"(["good","bad"])"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  expect_schema("tasks.schema.json", doc, "text-classification");
  ASSERT_TRUE(doc.contains("batch")) << r.out;
  EXPECT_EQ(doc["batch"].size(), 2U) << r.out;
}

TEST(JsonContracts, ServerlessErrors) {
  expect_json_error(serverless::serverless("nobody/nothing", {"--json", "--text", "x"}), 4,
                    "not_found");
  expect_json_error(serverless::serverless(k_sentiment, {"--json", "--no-such-option"}), 2,
                    "usage");
}

TEST(JsonContracts, EndpointCallError) {
  expect_json_error(run({"endpoint", "no-such-endpoint", "--text", "x", "--json"}), 4, "not_found");
}

// ---------------------------------------------------------------------------------------------
// endpoint management

TEST(JsonContracts, EndpointListShowAndLifecycle) {
  auto list = run({"endpoint", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  expect_schema("endpoint.schema.json", parse_json(list.out), "list");
  auto show = run({"endpoint", "show", "llama-tgi", "--json"});
  ASSERT_EQ(show.exit_code, 0) << describe(show);
  expect_schema("endpoint.schema.json", parse_json(show.out), "endpoint");

  auto created = run({"endpoint", "create", "contract-check", "--model", k_sentiment, "--task",
                      "text-classification", "--json"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  expect_schema("endpoint.schema.json", parse_json(created.out), "endpoint");
  auto ready = run({"endpoint", "wait", "contract-check", "--timeout", "60", "--json"});
  ASSERT_EQ(ready.exit_code, 0) << describe(ready);
  expect_schema("endpoint.schema.json", parse_json(ready.out), "endpoint");
  auto called = run({"endpoint", "contract-check", "--text", "I love it", "--json"});
  ASSERT_EQ(called.exit_code, 0) << describe(called);
  expect_schema("tasks.schema.json", parse_json(called.out), "text-classification");
  for (const char* verb : {"pause", "resume", "wait", "scale-to-zero"}) {
    auto acted = run({"endpoint", verb, "contract-check", "--json"});
    ASSERT_EQ(acted.exit_code, 0) << verb << ": " << describe(acted);
    expect_schema("endpoint.schema.json", parse_json(acted.out), "endpoint");
  }
  auto updated = run({"endpoint", "update", "contract-check", "--min-replica", "0", "--json"});
  ASSERT_EQ(updated.exit_code, 0) << describe(updated);
  expect_schema("endpoint.schema.json", parse_json(updated.out), "endpoint");
  auto deleted = run({"endpoint", "delete", "contract-check", "--yes", "--json"});
  ASSERT_EQ(deleted.exit_code, 0) << describe(deleted);
  expect_schema("endpoint.schema.json", parse_json(deleted.out), "deleted");
}

TEST(JsonContracts, EndpointManagementErrors) {
  expect_json_error(run({"endpoint", "show", "no-such-endpoint", "--json"}), 4, "not_found");
  expect_json_error(run({"endpoint", "delete", "llama-tgi", "--json"}), 2, "usage"); // no --yes
}

// ---------------------------------------------------------------------------------------------
// space

TEST(JsonContracts, SpaceCallAndList) {
  auto called = run({"space", "hfrun-demo/echo", "name=cat", "--json"});
  ASSERT_EQ(called.exit_code, 0) << describe(called);
  expect_schema("space.schema.json", parse_json(called.out), "result");
  auto listed = run({"space", "hfrun-demo/calculator", "--list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  expect_schema("space.schema.json", parse_json(listed.out), "list");
}

TEST(JsonContracts, SpaceResultWithAFile) {
  const auto dir = serverless::scratch();
  auto r = run({"space", "hfrun-demo/image-generator", "prompt=a cat", "--output-dir", dir.string(),
                "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  expect_schema("space.schema.json", doc, "result");
  EXPECT_EQ(doc["files"].size(), 1U) << r.out;
}

TEST(JsonContracts, SpaceErrors) {
  expect_json_error(run({"space", "nobody/nothing", "--json"}), 4, "not_found");
}

// ---------------------------------------------------------------------------------------------
// probe (the report itself is checked case by case in probe_test.cpp)

TEST(JsonContracts, ProbeReportAndFailureLine) {
  auto one = run({"probe", k_sentiment, "--json"});
  ASSERT_EQ(one.exit_code, 0) << describe(one);
  expect_schema("probe.schema.json", parse_json(one.out));
  auto failed = run({"probe", "nobody/nothing", "--json"});
  expect_json_error(failed, 4, "not_found");
}

// Several models: JSON Lines on stdout, a report or a failure line each; stderr ends with the one
// error object of the run (each model's error is in its failure line, not repeated as JSON).
TEST(JsonContracts, ProbeOfSeveralModels) {
  auto r = run({"probe", k_sentiment, "nobody/nothing", "--json"});
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2U) << describe(r);
  expect_schema("probe.schema.json", parse_json(lines[0]));
  expect_schema("probe.schema.json", parse_json(lines[1]), "failure");
  expect_json_error(r, 4, "not_found");
}

// ---------------------------------------------------------------------------------------------
// --batch rows (batch.schema.json), their results against each command's own schema

std::vector<json> rows_of(const std::string& text) {
  std::vector<json> rows;
  for (const auto& line : lines_of(text)) {
    rows.push_back(parse_json(line));
  }
  return rows;
}

TEST(JsonContracts, ServerlessBatchRowsGoodAndBad) {
  auto r = run({"serverless", k_sentiment, "--batch", "-", "--ordered", "--json"},
               with_stdin("{\"id\": \"a\", \"text\": \"I love it\"}\nnot json\n"
                          "{\"id\": 7, \"model\": \"nobody/nothing\", \"text\": \"x\"}\n"));
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 3U) << describe(r);
  for (const auto& row : rows) {
    expect_schema("batch.schema.json", row);
  }
  EXPECT_EQ(rows[0]["ok"], true);
  expect_schema("tasks.schema.json", rows[0]["result"], "text-classification");
  EXPECT_EQ(rows[1]["ok"], false);
  EXPECT_EQ(rows[2]["error"]["kind"], "not_found");
  expect_json_error(r, 10, "batch_failed");
}

TEST(JsonContracts, BinaryBatchRows) {
  const auto dir = serverless::scratch();
  auto r = run({"serverless", k_sdxl, "--batch", "-", "--output-dir", dir.string()},
               with_stdin(R"({"id": "cat", "text": "a cat", "width": 8, "height": 8})"
                          "\n"));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 1U) << r.out;
  expect_schema("batch.schema.json", rows[0]);
  expect_schema("binary.schema.json", rows[0]["result"], "written");
}

TEST(JsonContracts, ProbeAndSpaceBatchRows) {
  auto probed =
      run({"probe", "--batch", "-"}, with_stdin("{\"model\": \"" + k_sentiment + "\"}\n"));
  ASSERT_EQ(probed.exit_code, 0) << describe(probed);
  const auto probe_rows = rows_of(probed.out);
  ASSERT_EQ(probe_rows.size(), 1U) << probed.out;
  expect_schema("batch.schema.json", probe_rows[0]);
  expect_schema("probe.schema.json", probe_rows[0]["result"]);

  auto spaced = run({"space", "hfrun-demo/calculator", "--api", "/add", "--batch", "-"},
                    with_stdin("{\"a\": 1, \"b\": 2}\n"));
  ASSERT_EQ(spaced.exit_code, 0) << describe(spaced);
  const auto space_rows = rows_of(spaced.out);
  ASSERT_EQ(space_rows.size(), 1U) << spaced.out;
  expect_schema("batch.schema.json", space_rows[0]);
  // Not the single call's document: no "space"/"api" (the run's), and "queue_ms" besides.
  expect_schema("space.schema.json", space_rows[0]["result"], "batch_result");
}

// ---------------------------------------------------------------------------------------------
// Colour and terminals (docs/output.md): none of the --json output is ever coloured, whatever
// --color says, so a script that forces colour for the human lines still parses stdout.

TEST(JsonContracts, ForcedColourNeverReachesTheJson) {
  auto r = run({"whoami", "--json", "--color", "always"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  expect_schema("whoami.schema.json", parse_json(r.out));
  auto failed = run({"whoami", "--json", "--color", "always"}, serverless::without_token());
  EXPECT_NE(failed.err.find("\x1b["), std::string::npos) << "the human line is coloured";
  const auto lines = lines_of(failed.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().find('\x1b'), std::string::npos) << lines.back();
  expect_schema("error.schema.json", parse_json(lines.back()));
}

// docs/output.md, "Field names": a renamed key is printed under its new name and, with the same
// value, under its old one, so scripts written against either keep working.
void expect_same_under_both(const json& object, const std::string& name, const std::string& old) {
  ASSERT_TRUE(object.is_object() && object.contains(name) && object.contains(old))
      << name << " / " << old << ": " << object.dump().substr(0, 800);
  EXPECT_EQ(object[name], object[old]) << name << " / " << old;
}

TEST(JsonContracts, RenamedFieldsKeepTheirOldNameWithTheSameValue) {
  const auto home = fresh_home();
  ASSERT_EQ(run({"download", k_sdxl, "--include", "*.json"}, with_env(home)).exit_code, 0);
  auto ls = run({"cache", "ls", "--json"}, with_env(home));
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  const json repos = parse_json(ls.out);
  ASSERT_EQ(repos.size(), 1U) << ls.out;
  expect_same_under_both(repos[0], "repo", "id");
  expect_same_under_both(repos[0], "bytes", "size");
  EXPECT_GT(repos[0]["bytes"], 0) << ls.out;
  expect_same_under_both(repos[0]["revisions"][0], "bytes", "size");

  auto doctor = run({"doctor", "--json"}, with_env(home));
  ASSERT_EQ(doctor.exit_code, 0) << describe(doctor);
  const json checked = parse_json(doctor.out);
  expect_same_under_both(checked["cache"], "bytes", "size");
  EXPECT_EQ(checked["cache"]["bytes"], repos[0]["bytes"]) << doctor.out;
  expect_same_under_both(checked["connectivity"]["hub"], "duration_ms", "ms");

  const auto dir = serverless::scratch();
  auto space = run({"space", "hfrun-demo/image-generator", "prompt=a cat", "--output-dir",
                    dir.string(), "--json"});
  ASSERT_EQ(space.exit_code, 0) << describe(space);
  const json file = parse_json(space.out)["files"][0];
  expect_same_under_both(file, "bytes", "size");
  expect_same_under_both(file, "content_type", "mime_type");
  EXPECT_EQ(file["bytes"], fs::file_size(file["path"].get<std::string>())) << space.out;

  auto batch = run({"serverless", k_sentiment, "--batch", "-", "--json"},
                   with_stdin("{\"text\": \"I love it\"}\n"));
  const auto rows = rows_of(batch.out);
  ASSERT_EQ(rows.size(), 1U) << describe(batch);
  expect_same_under_both(rows[0], "duration_ms", "elapsed_ms");
}

} // namespace
} // namespace hfrun::test
