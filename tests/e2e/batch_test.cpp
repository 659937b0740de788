// `--batch` end to end against the emulator: the rows of mixed good and bad lines and exit 10,
// --resume after SIGKILL mid-run (no finished row lost, none twice), shards that together are one
// unsharded run, a 429 storm with Retry-After that ends with no failed row, --ordered, endpoint
// and binary results. docs/batch.md is what these hold hfrun to.
#include "serverless_e2e.hpp"

#include <map>
#include <set>
#include <signal.h>
#include <support/subprocess.hpp>

namespace hfrun::test::serverless {
namespace {

namespace fs = std::filesystem;

const std::string k_model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
const std::string k_model_path = "/hf-inference/models/" + k_model;

fs::path scratch(const std::string& name) {
  const fs::path dir = EmulatorEnvironment::emulator().dir / ("batch-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path write_lines(const fs::path& dir, std::size_t count) {
  const fs::path path = dir / "in.jsonl";
  std::ofstream out(path);
  for (std::size_t i = 1; i <= count; ++i) {
    out << json{{"id", "item-" + std::to_string(i)}, {"text", "line " + std::to_string(i)}}.dump()
        << "\n";
  }
  return path;
}

std::vector<json> rows_of(const std::string& text) {
  std::vector<json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      rows.push_back(json::parse(line, nullptr, false));
    }
  }
  return rows;
}

std::vector<json> rows_in(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return rows_of(text.str());
}

// id -> how many ok rows carry it.
std::map<std::string, int> ok_ids(const std::vector<json>& rows) {
  std::map<std::string, int> ids;
  for (const auto& row : rows) {
    if (row.value("ok", false)) {
      ++ids[row["id"].dump()];
    }
  }
  return ids;
}

void add_rule(const json& rule) {
  httplib::Client router(EmulatorEnvironment::emulator().router);
  auto r = router.Post("/_emulator/faults", rule.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 200);
}

void clear_rules() {
  httplib::Client router(EmulatorEnvironment::emulator().router);
  ASSERT_TRUE(router.Delete("/_emulator/faults"));
}

TEST(Batch, MixedLinesGiveOneRowEachAndExitTen) {
  const auto dir = scratch("mixed");
  const fs::path in = dir / "in.jsonl";
  std::ofstream(in) << R"({"id": "a", "text": "I love it"})"
                    << "\n"
                    << R"({"text": "terrible", "top_k": 1})"
                    << "\n"
                    << "not json\n"
                    << "\n"
                    << R"({"id": "b", "model": "nobody/nothing", "text": "x"})"
                    << "\n"
                    << R"({"id": "c", "params": {"top_k": 2}, "text": "fine"})"
                    << "\n";
  auto r = run({"serverless", k_model, "--batch", in.string()});
  EXPECT_EQ(r.exit_code, 10) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 5U) << r.out;
  std::map<std::string, json> by_id;
  for (const auto& row : rows) {
    by_id[row["id"].dump()] = row;
  }
  EXPECT_TRUE(by_id["\"a\""]["ok"]);
  EXPECT_EQ(by_id["\"a\""]["result"]["task"], "text-classification");
  EXPECT_EQ(by_id["\"a\""]["status"], 200);
  EXPECT_EQ(by_id["\"a\""]["attempts"], 1);
  EXPECT_EQ(by_id["2"]["result"]["labels"].size(), 1U) << "a flat key is a parameter";
  EXPECT_EQ(by_id["\"c\""]["result"]["labels"].size(), 2U) << "\"params\" are parameters";
  EXPECT_FALSE(by_id["3"]["ok"]);
  EXPECT_EQ(by_id["3"]["error"]["exit_code"], 2);
  EXPECT_NE(by_id["3"]["error"]["message"].get<std::string>().find("line 3"), std::string::npos);
  EXPECT_FALSE(by_id["\"b\""]["ok"]);
  EXPECT_EQ(by_id["\"b\""]["error"]["kind"], "not_found");
  EXPECT_EQ(by_id["\"b\""]["error"]["exit_code"], 4);
  EXPECT_EQ(by_id["\"b\""]["line"], 5);
  EXPECT_NE(r.err.find("2 failed"), std::string::npos) << r.err;
}

TEST(Batch, AllGoodIsExitZeroAndOneLookupForTheWholeBatch) {
  const auto dir = scratch("good");
  const auto in = write_lines(dir, 30);
  LogWindow log;
  auto r = run({"serverless", k_model, "--batch", in.string(), "-j", "8", "-o",
                (dir / "out.jsonl").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "") << "with -o nothing goes to stdout";
  const auto ids = ok_ids(rows_in(dir / "out.jsonl"));
  EXPECT_EQ(ids.size(), 30U);
  std::size_t lookups = 0;
  for (const auto& e : log.entries(31, "")) {
    lookups += e.value("role", "") == "hub" && e.value("method", "") == "GET" ? 1 : 0;
  }
  EXPECT_EQ(lookups, 1U) << "the model is looked up once, not per line";
}

TEST(Batch, OrderedRowsFollowTheInputWhenTheFirstIsSlow) {
  const auto dir = scratch("ordered");
  const auto in = write_lines(dir, 12);
  clear_rules();
  add_rule(
      {{"path_prefix", k_model_path}, {"fault", "stall_ms=400"}, {"times", 1}, {"method", "POST"}});
  auto r = run({"serverless", k_model, "--batch", in.string(), "-j", "4", "--ordered"});
  clear_rules();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 12U);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["line"], i + 1) << r.out;
  }
}

TEST(Batch, ShardsTogetherAreTheUnshardedRun) {
  const auto dir = scratch("shards");
  const auto in = write_lines(dir, 25);
  std::map<std::string, int> together;
  for (int k = 0; k < 3; ++k) {
    auto r =
        run({"serverless", k_model, "--batch", in.string(), "--shard", std::to_string(k) + "/3"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    for (const auto& [id, n] : ok_ids(rows_of(r.out))) {
      together[id] += n;
    }
  }
  auto whole = run({"serverless", k_model, "--batch", in.string()});
  ASSERT_EQ(whole.exit_code, 0) << describe(whole);
  EXPECT_EQ(together, ok_ids(rows_of(whole.out)));
  EXPECT_EQ(together.size(), 25U);
}

TEST(Batch, ShardAutoReadsTheKubernetesIndex) {
  const auto dir = scratch("shard-auto");
  const auto in = write_lines(dir, 10);
  auto r = run({"serverless", k_model, "--batch", in.string(), "--shard", "auto/4"},
               with_env({{"JOB_COMPLETION_INDEX", "1"}}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::set<int> lines;
  for (const auto& row : rows_of(r.out)) {
    lines.insert(row["line"].get<int>());
  }
  EXPECT_EQ(lines, (std::set<int>{2, 6, 10}));
  auto bad = run({"serverless", k_model, "--batch", in.string(), "--shard", "4/4"});
  EXPECT_EQ(bad.exit_code, 2) << describe(bad);
}

TEST(Batch, ResumeAfterSigkillLosesNoRowAndRepeatsNone) {
  const auto dir = scratch("resume");
  const auto in = write_lines(dir, 24);
  const fs::path out = dir / "out.jsonl";
  clear_rules();
  add_rule({{"path_prefix", k_model_path}, {"fault", "stall_ms=150"}, {"method", "POST"}});
  auto& e = EmulatorEnvironment::emulator();
  {
    BackgroundProcess first(
        {HFRUN_BIN, "serverless", k_model, "--batch", in.string(), "-j", "2", "-o", out.string()},
        {{"HF_ENDPOINT", e.hub},
         {"HFRUN_ROUTER_URL", e.router},
         {"HF_HOME", (e.dir / "home").string()},
         {"HF_TOKEN", e.token}},
        (dir / "first.log").string());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_TRUE(first.running()) << "the first run ended before the kill";
    EXPECT_EQ(first.signal_and_wait(SIGKILL), 128 + SIGKILL);
  }
  const auto before = ok_ids(rows_in(out));
  EXPECT_GT(before.size(), 2U);
  EXPECT_LT(before.size(), 24U);
  clear_rules();
  auto r = run({"serverless", k_model, "--batch", in.string(), "-o", out.string(), "--resume"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto after = ok_ids(rows_in(out));
  EXPECT_EQ(after.size(), 24U);
  for (const auto& [id, n] : after) {
    EXPECT_EQ(n, 1) << id << " has " << n << " rows";
  }
  EXPECT_NE(r.err.find(std::to_string(before.size()) + " already done"), std::string::npos)
      << r.err;
}

TEST(Batch, ResumeRunsTheFailedAgainAndKeepsOneRowPerId) {
  const auto dir = scratch("resume-failed");
  const auto in = write_lines(dir, 6);
  const fs::path out = dir / "out.jsonl";
  clear_rules();
  add_rule(
      {{"path_prefix", k_model_path}, {"fault", "status=500"}, {"times", 2}, {"method", "POST"}});
  auto first = run({"serverless", k_model, "--batch", in.string(), "-j", "1", "--retries", "0",
                    "-o", out.string()});
  clear_rules();
  EXPECT_EQ(first.exit_code, 10) << describe(first);
  EXPECT_NE(first.err.find("--resume -o"), std::string::npos) << first.err;
  auto second =
      run({"serverless", k_model, "--batch", in.string(), "-o", out.string(), "--resume"});
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  const auto rows = rows_in(out);
  EXPECT_EQ(rows.size(), 6U) << "the failed rows were replaced, not added to";
  EXPECT_EQ(ok_ids(rows).size(), 6U);
}

TEST(Batch, ARateLimitStormWithRetryAfterEndsWithNoFailedRow) {
  const auto dir = scratch("storm");
  const auto in = write_lines(dir, 40);
  clear_rules();
  add_rule({{"path_prefix", k_model_path},
            {"fault", "status=429;retry_after=1"},
            {"times", 16},
            {"method", "POST"}});
  LogWindow log;
  auto r = run({"serverless", k_model, "--batch", in.string(), "-j", "8", "--retries", "8"});
  clear_rules();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto rows = rows_of(r.out);
  EXPECT_EQ(ok_ids(rows).size(), 40U);
  std::size_t throttled = 0;
  for (const auto& e : log.entries(56)) {
    throttled += e.value("status", 0) == 429 ? 1 : 0;
  }
  EXPECT_EQ(throttled, 16U);
  EXPECT_NE(r.err.find("rate-limited"), std::string::npos) << r.err;
}

TEST(Batch, AnEndpointBatchFromStdin) {
  const std::string url =
      EmulatorEnvironment::emulator().router + "/hf-inference/models/" + k_model;
  auto r = run({"endpoint", url, "--task", "text-classification", "--batch", "-"},
               with_stdin("{\"text\": \"good\"}\n{\"text\": \"bad\"}\n"));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(ok_ids(rows_of(r.out)).size(), 2U);
}

TEST(Batch, BinaryResultsGoToTheOutputDirNamedByTheId) {
  const auto dir = scratch("binary");
  const fs::path in = dir / "in.jsonl";
  std::ofstream(in) << R"({"id": "cat", "text": "a cat", "width": 8, "height": 8})"
                    << "\n";
  const std::string model = "stabilityai/stable-diffusion-xl-base-1.0";
  auto without = run({"serverless", model, "--batch", in.string()});
  EXPECT_EQ(without.exit_code, 10) << describe(without);
  EXPECT_NE(without.out.find("--output-dir"), std::string::npos) << without.out;
  auto r = run({"serverless", model, "--batch", in.string(), "--output-dir", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 1U);
  const std::string path = rows[0]["result"]["path"];
  EXPECT_EQ(fs::path(path).filename().stem(), "cat");
  EXPECT_GT(fs::file_size(path), 0U);
}

TEST(Batch, BadOptionsAreUsageErrorsBeforeAnythingIsWritten) {
  const auto dir = scratch("usage");
  const auto in = write_lines(dir, 2);
  const fs::path out = dir / "keep.jsonl";
  std::ofstream(out) << "precious\n";
  auto resume_stdout = run({"serverless", k_model, "--batch", in.string(), "--resume"});
  EXPECT_EQ(resume_stdout.exit_code, 2) << describe(resume_stdout);
  auto missing =
      run({"serverless", k_model, "--batch", (dir / "nope.jsonl").string(), "-o", out.string()});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  auto not_rows =
      run({"serverless", k_model, "--batch", in.string(), "-o", out.string(), "--resume"});
  EXPECT_EQ(not_rows.exit_code, 2) << describe(not_rows);
  std::ifstream kept(out);
  std::string content((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious\n") << "an output that is not rows is left as it was";
  auto j_alone = run({"serverless", k_model, "--text", "hi", "-j", "4"});
  EXPECT_EQ(j_alone.exit_code, 2) << describe(j_alone);
}

TEST(Batch, ProbeTakesAModelALine) {
  auto r = run({"probe", "--batch", "-", "--ordered"},
               with_stdin("{\"model\": \"" + k_model + "\"}\n{\"model\": \"nobody/nothing\"}\n"));
  EXPECT_EQ(r.exit_code, 10) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 2U) << r.out;
  EXPECT_TRUE(rows[0]["ok"]);
  EXPECT_EQ(rows[0]["result"]["model"], k_model) << rows[0].dump();
  EXPECT_EQ(rows[1]["error"]["exit_code"], 4);
}

TEST(Batch, ASpaceIsConnectedOnceAndEachLineIsOneJob) {
  const auto dir = scratch("space");
  const fs::path in = dir / "in.jsonl";
  std::ofstream(in) << R"({"a": 1, "b": 2})"
                    << "\n"
                    << R"({"id": "p", "params": {"a": 10}})"
                    << "\n"
                    << R"({"inputs": [5, 6]})"
                    << "\n";
  LogWindow log;
  auto r =
      run({"space", "hfrun-demo/calculator", "--api", "/add", "--batch", in.string(), "--ordered"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 3U) << r.out;
  EXPECT_EQ(rows[0]["result"]["data"][0], 3.0);
  EXPECT_EQ(rows[1]["result"]["data"][0], 11.0) << "b defaults to 1";
  EXPECT_EQ(rows[2]["result"]["data"][0], 11.0);
  std::size_t host_lookups = 0;
  for (const auto& e : log.entries(4, "hub")) {
    const std::string path = e.value("path", "");
    host_lookups += path.find("/host") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(host_lookups, 1U) << "the Space is looked up once for the whole batch";
}

} // namespace
} // namespace hfrun::test::serverless
