// `hfrun probe` end to end: every branch of the verdict rules against a model of the emulator's
// world (tests/emulator/world/hub.json + inference.json), in both renderings, plus concurrency,
// exit codes,
// --revision, --dry-run and the token never leaking.
#include "emulator_fixture.hpp"
#include "support/json_schema.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

namespace hfrun::test {
namespace {

using nlohmann::json;

// What one world model must yield: the verdict per way and a fact of each way's evidence line.
struct Expected {
  std::string model;
  std::string task;                            // empty: null
  std::map<std::string, std::string> verdicts; // way -> yes|no|unknown
  std::map<std::string, std::string> evidence; // way -> substring of its terminal line
  std::vector<std::string> command_ways;       // `commands[].way`, in order
  json access;                                 // the `access` object, compared whole
};

std::string mark_of(const std::string& verdict) {
  return verdict == "yes" ? "✓" : verdict == "no" ? "✗" : "?";
}

json access(bool is_private, json gated, bool disabled) {
  const bool gated_any = !gated.is_boolean();
  return {{"private", is_private},
          {"gated", gated},
          {"disabled", disabled},
          {"needs_token", is_private || gated_any},
          {"needs_terms", gated_any}};
}

// A JSON Lines entry of a model whose probe failed, against docs/schemas/probe.schema.json's
// `$defs/failure`.
void expect_valid_failure(const json& doc) {
  const auto errors = validate_against("probe.schema.json", doc, "failure");
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

void expect_valid(const json& doc) {
  const auto errors = validate_against("probe.schema.json", doc);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

// The terminal line of `way` ("✓ serverless ..."), or "" when absent.
std::string way_line(const std::string& text, const std::string& way) {
  for (const auto& line : lines_of(text)) {
    // The mark is one code point (3 bytes in UTF-8), then a space, then the padded way name.
    const auto space = line.find(' ');
    if (space != std::string::npos && line.compare(space + 1, way.size() + 1, way + " ") == 0) {
      return line;
    }
  }
  return "";
}

const std::vector<std::string> k_ways = {"serverless", "endpoint", "space", "libraries", "local"};

const std::vector<Expected>& world_cases() {
  static const std::vector<Expected> cases = {
      {"ggml-org/gemma-3-1b-it-GGUF",
       "text-generation",
       {{"serverless", "no"},
        {"endpoint", "yes"},
        {"space", "no"},
        {"libraries", "no"},
        {"local", "yes"}},
       {{"serverless", "no Inference Provider serves it"},
        {"endpoint", "engines: llama.cpp"},
        {"space", "no Space uses it"},
        {"libraries", "no library_name"},
        {"local", "llama.cpp"}},
       {"endpoint", "local"},
       access(false, false, false)},
      {"second-state/All-MiniLM-L6-v2-Embedding-GGUF",
       "sentence-similarity",
       {{"serverless", "no"},
        {"endpoint", "unknown"},
        {"space", "no"},
        {"libraries", "no"},
        {"local", "no"}},
       {{"endpoint", "no endpoints_compatible tag; engines: TEI, llama.cpp"},
        {"libraries", "no library_name"},
        {"local", "GGUF without a parsed context_length"}},
       {},
       access(false, false, false)},
      {"mlx-community/Llama-3.2-1B-Instruct-4bit",
       "text-generation",
       {{"serverless", "no"},
        {"endpoint", "no"},
        {"space", "no"},
        {"libraries", "yes"},
        {"local", "yes"}},
       {{"endpoint", "no endpoints_compatible tag; no engine fits"},
        {"libraries", "library: mlx"},
        {"local", "apps: MLX LM, LM Studio"}},
       {},
       access(false, false, false)},
      {"stabilityai/stable-diffusion-xl-base-1.0",
       "text-to-image",
       {{"serverless", "yes"},
        {"endpoint", "yes"},
        {"space", "yes"},
        {"libraries", "yes"},
        {"local", "yes"}},
       {{"serverless", "live: hf-inference"},
        {"endpoint", "engines: Inference Toolkit"},
        {"space", "RUNNING: hysts/SDXL; SLEEPING: hfrun-tester/sdxl-sleepy"},
        {"libraries", "library: diffusers"},
        {"local", "Draw Things"}},
       {"serverless", "endpoint", "space"},
       access(false, false, false)},
      {"TheBloke/Mistral-7B-Instruct-v0.2-AWQ",
       "text-generation",
       {{"serverless", "no"},
        {"endpoint", "unknown"},
        {"space", "no"},
        {"libraries", "yes"},
        {"local", "yes"}},
       {{"endpoint", "no endpoints_compatible tag; engines: vLLM, SGLang, TGI"},
        {"libraries", "auto_model: AutoModelForCausalLM"},
        {"local", "apps: vLLM, SGLang, TGI"}},
       {"local"},
       access(false, false, false)},
      {"sentence-transformers/all-MiniLM-L6-v2",
       "sentence-similarity",
       {{"serverless", "yes"},
        {"endpoint", "yes"},
        {"space", "yes"},
        {"libraries", "yes"},
        {"local", "no"}},
       {{"serverless", "live: hf-inference"},
        {"endpoint", "engines: TEI"},
        {"space", "RUNNING: mteb/leaderboard"},
        {"libraries", "library: sentence-transformers"},
        {"local", "no local app matches"}},
       {"serverless", "endpoint", "space", "local"},
       access(false, false, false)},
      {"BAAI/bge-small-en-v1.5",
       "feature-extraction",
       {{"serverless", "no"},
        {"endpoint", "yes"},
        {"space", "no"},
        {"libraries", "yes"},
        {"local", "no"}},
       {{"serverless", "no Inference Provider serves it"},
        {"endpoint", "engines: TEI"},
        {"space", "no Space uses it"},
        {"libraries", "library: sentence-transformers"}},
       {"endpoint", "local"},
       access(false, false, false)},
      {"meta-llama/Llama-3.1-8B-Instruct",
       "text-generation",
       {{"serverless", "yes"},
        {"endpoint", "yes"},
        {"space", "yes"},
        {"libraries", "yes"},
        {"local", "yes"}},
       // Providers in the Hub's order (the world file's), which is the user's preference.
       {{"serverless",
         "live: hf-inference, cerebras, groq, fireworks-ai, novita, together; staging (the "
         "provider's org only): nscale; error (failed its latest health check): featherless-ai"},
        {"endpoint", "engines: vLLM, SGLang, TGI"},
        {"space", "RUNTIME_ERROR: hfrun-tester/llama-chat-broken"},
        {"libraries", "auto_model: AutoModelForCausalLM"},
        {"local", "vLLM"}},
       {"serverless", "endpoint", "space", "local"},
       access(false, "manual", false)},
      {"openai/whisper-large-v3",
       "automatic-speech-recognition",
       {{"serverless", "yes"},
        {"endpoint", "yes"},
        {"space", "yes"},
        {"libraries", "yes"},
        {"local", "no"}},
       {{"space",
         "5 Spaces use it; RUNNING: hf-audio/whisper-large-v3; SLEEPING: "
         "hfrun-tester/whisper-sleepy; "
         "BUILDING: hfrun-tester/whisper-building; RUNTIME_ERROR: hfrun-tester/whisper-broken; "
         "PAUSED: hfrun-org/whisper-paused"}},
       {"serverless", "endpoint", "space", "local"},
       access(false, false, false)},
      {"black-forest-labs/FLUX.1-dev",
       "text-to-image",
       {{"serverless", "yes"},
        {"endpoint", "yes"},
        {"space", "yes"},
        {"libraries", "yes"},
        {"local", "yes"}},
       {{"serverless", "live: fal-ai, together, replicate, wavespeed, deepinfra; staging (the "
                       "provider's org only): nscale"},
        {"libraries", "library: diffusers"}},
       {"serverless", "endpoint", "space"},
       access(false, "auto", false)},
      {"hfrun-tester/private-model",
       "text-classification",
       {{"serverless", "no"},
        {"endpoint", "unknown"},
        {"space", "no"},
        {"libraries", "yes"},
        {"local", "no"}},
       {{"endpoint", "engines: Inference Toolkit"},
        {"libraries", "auto_model: AutoModelForSequenceClassification"}},
       {"local"},
       access(true, false, false)},
      {"hfrun-emulator/disabled-model",
       "text-generation",
       {{"serverless", "no"},
        {"endpoint", "no"},
        {"space", "no"},
        {"libraries", "no"},
        {"local", "no"}},
       {{"serverless", "the model is disabled"},
        {"endpoint", "the model is disabled"},
        {"space", "the model is disabled"},
        {"libraries", "the model is disabled"},
        {"local", "the model is disabled"}},
       {},
       access(false, false, true)},
  };
  return cases;
}

// Keeps gtest from dumping the parameter's bytes in failure messages.
void PrintTo(const Expected& x, std::ostream* os) {
  *os << x.model;
}

class ProbeWorldE2e : public ::testing::TestWithParam<Expected> {};

TEST_P(ProbeWorldE2e, JsonMatchesTheSchemaAndTheVerdicts) {
  const Expected& x = GetParam();
  auto r = hfrun({"probe", "--json", x.model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  expect_valid(doc);
  EXPECT_EQ(doc["input"], x.model);
  EXPECT_EQ(doc["model"], x.model);
  EXPECT_TRUE(doc["sha"].is_string() && doc["sha"].get<std::string>().size() == 40) << doc["sha"];
  EXPECT_EQ(doc["task"], x.task.empty() ? json(nullptr) : json(x.task));
  for (const auto& way : k_ways) {
    EXPECT_EQ(doc["ways"][way]["available"], x.verdicts.at(way)) << way;
  }
  EXPECT_EQ(doc["access"], x.access);
  std::vector<std::string> ways;
  for (const auto& c : doc["commands"]) {
    ways.push_back(c["way"]);
    EXPECT_TRUE(c["command"].get<std::string>().starts_with("hfrun ")) << c;
  }
  EXPECT_EQ(ways, x.command_ways);
  for (const auto& way : k_ways) {
    EXPECT_FALSE(doc["ways"][way]["evidence"].empty())
        << way << ": a verdict always comes with its evidence";
  }
  EXPECT_TRUE(doc["ways"]["endpoint"]["heuristic"].get<bool>());
}

TEST_P(ProbeWorldE2e, TerminalShowsOneMarkedLinePerWay) {
  const Expected& x = GetParam();
  auto r = hfrun({"probe", x.model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines[0].starts_with(x.model + " @ ")) << lines[0];
  EXPECT_NE(lines[0].find("task: " + (x.task.empty() ? std::string("unknown") : x.task)),
            std::string::npos)
      << lines[0];
  for (const auto& way : k_ways) {
    const auto line = way_line(r.out, way);
    ASSERT_FALSE(line.empty()) << way << " missing in:\n" << r.out;
    EXPECT_TRUE(line.starts_with(mark_of(x.verdicts.at(way)) + " ")) << line;
    if (auto e = x.evidence.find(way); e != x.evidence.end()) {
      EXPECT_NE(line.find(e->second), std::string::npos)
          << "expected '" << e->second << "' in: " << line;
    }
  }
  const bool flagged = x.access["private"].get<bool>() || x.access["disabled"].get<bool>() ||
                       !x.access["gated"].is_boolean();
  EXPECT_EQ(r.out.find("! access") != std::string::npos, flagged) << r.out;
  EXPECT_EQ(r.out.find("\nNext:\n") != std::string::npos, !x.command_ways.empty()) << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when stdout is not a terminal";
}

INSTANTIATE_TEST_SUITE_P(World,
                         ProbeWorldE2e,
                         ::testing::ValuesIn(world_cases()),
                         [](const ::testing::TestParamInfo<Expected>& param_info) {
                           std::string name;
                           for (char c : param_info.param.model) {
                             name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
                           }
                           return name;
                         });

// Log entries written after `from` (entries of the run that followed), waiting briefly for the
// emulator, which logs a request just after answering it.
std::vector<json> log_since(std::size_t from,
                            const std::function<bool(const std::vector<json>&)>& done) {
  std::vector<json> tail;
  for (int i = 0; i < 50; ++i) {
    auto all = request_log();
    tail.assign(all.begin() + static_cast<std::ptrdiff_t>(std::min(from, all.size())), all.end());
    if (done(tail)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return tail;
}

std::vector<json> requests_to(const std::vector<json>& log, const std::string& path) {
  std::vector<json> out;
  std::copy_if(log.begin(), log.end(), std::back_inserter(out),
               [&](const json& e) { return e.value("path", "") == path; });
  return out;
}

TEST(ProbeE2e, SeveralModelsAreProbedConcurrentlyAndPrintedAsJsonLinesInOrder) {
  const std::vector<std::string> models = {"openai/whisper-large-v3", "BAAI/bge-small-en-v1.5",
                                           "ggml-org/gemma-3-1b-it-GGUF"};
  const auto before = request_log().size();
  // Every Hub answer waits 400 ms: one after the other, the three model-info requests would be
  // logged at least 400 ms apart.
  auto r = hfrun({"-H", "X-Emulator-Fault: stall_ms=400;role=hub", "probe", "--json", models[0],
                  models[1], models[2]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3U) << r.out;
  for (std::size_t i = 0; i < 3; ++i) {
    auto doc = json::parse(lines[i], nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << lines[i];
    expect_valid(doc);
    EXPECT_EQ(doc["model"], models[i]);
  }

  const auto log = log_since(before, [](const std::vector<json>& l) {
    return std::count_if(l.begin(), l.end(), [](const json& e) {
             return e.value("path", "").ends_with("/runtime");
           }) >= 5;
  });
  std::vector<std::int64_t> times;
  for (const auto& model : models) {
    const auto hits = requests_to(log, "/api/models/" + model);
    ASSERT_EQ(hits.size(), 1U) << model;
    EXPECT_EQ(hits[0]["status"], 200);
    EXPECT_EQ(hits[0]["fault"], "stall_ms=400;role=hub")
        << "the stall that makes overlap measurable";
    EXPECT_NE(hits[0]["query"].get<std::string>().find("expand%5B%5D=inferenceProviderMapping"),
              std::string::npos)
        << hits[0]["query"];
    times.push_back(hits[0]["ts_ms"].get<std::int64_t>());
  }
  const auto [lo, hi] = std::minmax_element(times.begin(), times.end());
  EXPECT_LT(*hi - *lo, 300) << "the model-info requests did not overlap";

  // Whisper's five Spaces (bge and the GGUF have none) get their runtime, concurrently too.
  std::vector<std::int64_t> runtime_times;
  for (const std::string space :
       {"hf-audio/whisper-large-v3", "hfrun-tester/whisper-sleepy", "hfrun-tester/whisper-building",
        "hfrun-tester/whisper-broken", "hfrun-org/whisper-paused"}) {
    const auto hits = requests_to(log, "/api/spaces/" + space + "/runtime");
    ASSERT_EQ(hits.size(), 1U) << space;
    runtime_times.push_back(hits[0]["ts_ms"].get<std::int64_t>());
    EXPECT_GE(runtime_times.back(), *hi) << "the runtimes come after the model infos";
  }
  const auto [rlo, rhi] = std::minmax_element(runtime_times.begin(), runtime_times.end());
  EXPECT_LT(*rhi - *rlo, 300) << "the runtime requests did not overlap";
}

TEST(ProbeE2e, JsonCarriesTheFactsBehindTheVerdicts) {
  auto chat = hfrun({"probe", "--json", "meta-llama/Llama-3.1-8B-Instruct"});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  const auto chat_doc = json::parse(chat.out);
  std::map<std::string, json> providers;
  for (const auto& p : chat_doc["ways"]["serverless"]["providers"]) {
    providers[p["provider"]] = p;
  }
  ASSERT_EQ(providers.size(), 8U) << chat.out;
  EXPECT_EQ(providers["cerebras"]["provider_id"], "llama3.1-8b");
  EXPECT_EQ(providers["cerebras"]["status"], "live");
  EXPECT_EQ(providers["cerebras"]["task"], "conversational");
  EXPECT_EQ(providers["nscale"]["status"], "staging");
  EXPECT_EQ(providers["featherless-ai"]["status"], "error");

  auto spaces = hfrun({"probe", "--json", "openai/whisper-large-v3"});
  ASSERT_EQ(spaces.exit_code, 0) << spaces.err;
  const auto space = json::parse(spaces.out)["ways"]["space"];
  EXPECT_EQ(space["total"], 5);
  EXPECT_EQ(space["checked"], json::parse(R"([
      {"id": "hf-audio/whisper-large-v3", "stage": "RUNNING"},
      {"id": "hfrun-tester/whisper-sleepy", "stage": "SLEEPING"},
      {"id": "hfrun-tester/whisper-building", "stage": "BUILDING"},
      {"id": "hfrun-tester/whisper-broken", "stage": "RUNTIME_ERROR"},
      {"id": "hfrun-org/whisper-paused", "stage": "PAUSED"}])"));

  auto gguf = hfrun({"probe", "--json", "ggml-org/gemma-3-1b-it-GGUF"});
  ASSERT_EQ(gguf.exit_code, 0) << gguf.err;
  const auto local = json::parse(gguf.out)["ways"]["local"];
  ASSERT_FALSE(local["apps"].empty());
  EXPECT_EQ(local["apps"][0], json::parse(R"({"key": "llama.cpp", "label": "llama.cpp",
                                               "snippet": "llama-server -hf ggml-org/gemma-3-1b-it-GGUF"})"));
  EXPECT_EQ(local["settings_url"], "https://huggingface.co/settings/local-apps");
  EXPECT_EQ(local["source"]["file"], "packages/tasks/src/local-apps.ts");
}

TEST(ProbeE2e, AFailedSpaceRuntimeLookupLeavesThatSpaceUncheckedNotTheProbeFailed) {
  const auto& e = EmulatorEnvironment::emulator();
  if (!std::filesystem::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "curl posts the emulator's fault rule";
  }
  // One 404 for the runtime of the only Space that uses the model (a rule, used up by this probe).
  auto posted = run_process(
      {"/usr/bin/curl", "-sf", "-X", "POST", e.hub + "/_emulator/faults", "-d",
       R"({"path_prefix": "/api/spaces/mteb/leaderboard/runtime", "fault": "status=404",)"
       R"( "times": 1})"},
      {});
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  auto r = hfrun({"probe", "--json", "sentence-transformers/all-MiniLM-L6-v2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  expect_valid(doc);
  EXPECT_EQ(doc["ways"]["space"]["checked"],
            json::parse(R"([{"id": "mteb/leaderboard", "stage": null}])"));
  EXPECT_EQ(doc["ways"]["space"]["available"], "unknown");
  EXPECT_EQ(doc["ways"]["serverless"]["available"], "yes");
}

TEST(ProbeE2e, SeveralModelsTerminalReportsComeInOrder) {
  auto r = hfrun({"probe", "BAAI/bge-small-en-v1.5", "ggml-org/gemma-3-1b-it-GGUF"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto first = r.out.find("BAAI/bge-small-en-v1.5 @ ");
  const auto second = r.out.find("\nggml-org/gemma-3-1b-it-GGUF @ ");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_LT(first, second);
}

TEST(ProbeE2e, UnknownModelIsExitFour) {
  auto r = hfrun({"probe", "hfrun-emulator/no-such-model"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("404"), std::string::npos) << r.err;
}

TEST(ProbeE2e, PrivateModelWithoutTokenIsExitThree) {
  auto r = hfrun({"probe", "hfrun-tester/private-model"}, false);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
}

TEST(ProbeE2e, UnknownModelWithoutTokenIsExitThreeLikeAPrivateOne) {
  // Without a token the Hub answers 401 RepoNotFound for missing and private repos alike.
  auto r = hfrun({"probe", "hfrun-emulator/no-such-model"}, false);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("does not exist, or it is private"), std::string::npos) << r.err;
}

TEST(ProbeE2e, AnotherUsersPrivateModelWithTokenIsExitFour) {
  auto r = hfrun({"probe", "--json", "someone-else/secret-model"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(ProbeE2e, OrgPrivateModelIsVisibleToAMember) {
  auto r = hfrun({"probe", "--json", "hfrun-org/internal-classifier"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  expect_valid(doc);
  EXPECT_EQ(doc["access"]["private"], true);
  EXPECT_EQ(doc["access"]["needs_token"], true);
}

TEST(ProbeE2e, OneFailureAmongSeveralKeepsTheOtherReportsAndItsExitCode) {
  auto r = hfrun({"probe", "--json", "BAAI/bge-small-en-v1.5", "hfrun-emulator/no-such-model",
                  "ggml-org/gemma-3-1b-it-GGUF"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3U) << r.out;
  EXPECT_EQ(json::parse(lines[0])["model"], "BAAI/bge-small-en-v1.5");
  // The failed model keeps its place, as a line a script can match to its input.
  const auto failure = json::parse(lines[1], nullptr, false);
  ASSERT_FALSE(failure.is_discarded()) << lines[1];
  expect_valid_failure(failure);
  EXPECT_EQ(failure["input"], "hfrun-emulator/no-such-model");
  EXPECT_EQ(failure["error"]["kind"], "not_found");
  EXPECT_EQ(failure["error"]["exit_code"], 4);
  EXPECT_EQ(failure["error"]["status"], 404);
  EXPECT_EQ(failure["error"]["message"], "model hfrun-emulator/no-such-model");
  EXPECT_FALSE(failure.contains("model")) << "a failure is not a report";
  EXPECT_EQ(json::parse(lines[2])["model"], "ggml-org/gemma-3-1b-it-GGUF");
  EXPECT_NE(r.err.find("hfrun-emulator/no-such-model"), std::string::npos) << r.err;
}

TEST(ProbeE2e, EveryFailureAmongSeveralGetsItsLineAndTheFirstFailuresExitCode) {
  // Another user's private model and a missing one: both 404 with a token, a line each.
  auto r = hfrun(
      {"probe", "--json", "someone-else/secret-model", "gpt2", "hfrun-emulator/no-such-model"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3U) << r.out;
  const auto first = json::parse(lines[0]);
  expect_valid_failure(first);
  EXPECT_EQ(first["input"], "someone-else/secret-model");
  EXPECT_EQ(first["error"]["exit_code"], 4);
  const auto renamed = json::parse(lines[1]);
  expect_valid(renamed);
  EXPECT_EQ(renamed["input"], "gpt2");
  EXPECT_EQ(renamed["model"], "openai-community/gpt2");
  const auto last = json::parse(lines[2]);
  expect_valid_failure(last);
  EXPECT_EQ(last["input"], "hfrun-emulator/no-such-model");
}

TEST(ProbeE2e, AFailureWithoutJsonPrintsOnlyTheReportsOnStdout) {
  auto r = hfrun({"probe", "hfrun-emulator/no-such-model", "BAAI/bge-small-en-v1.5"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(r.out.starts_with("BAAI/bge-small-en-v1.5 @ ")) << r.out;
  EXPECT_EQ(r.out.find("no-such-model"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("hfrun: error: model hfrun-emulator/no-such-model"), std::string::npos)
      << r.err;
}

TEST(ProbeE2e, DisabledModelExitsZeroWithEveryWayUnavailableAndItsFactsKept) {
  auto r = hfrun({"probe", "--json", "hfrun-emulator/disabled-model"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  for (const auto& way : k_ways) {
    EXPECT_EQ(doc["ways"][way]["available"], "no") << way;
  }
  EXPECT_EQ(doc["ways"]["libraries"]["library"], "transformers");
  EXPECT_TRUE(doc["commands"].empty()) << doc["commands"];
}

TEST(ProbeE2e, RevisionIsInThePathPercentEncodedWhole) {
  const std::string model = "ggml-org/gemma-3-1b-it-GGUF";
  const auto before = request_log().size();
  auto pr = hfrun({"probe", "--json", "--revision", "refs/pr/1", model});
  ASSERT_EQ(pr.exit_code, 0) << pr.err;
  const auto path = "/api/models/" + model + "/revision/refs%2Fpr%2F1";
  const auto log =
      log_since(before, [&](const std::vector<json>& l) { return !requests_to(l, path).empty(); });
  EXPECT_EQ(requests_to(log, path).size(), 1U) << ::testing::PrintToString(log);
  auto main = hfrun({"probe", "--json", model});
  ASSERT_EQ(main.exit_code, 0) << main.err;
  // The report is the pull request's commit, not the main branch's.
  EXPECT_NE(json::parse(pr.out)["sha"], json::parse(main.out)["sha"]);
  EXPECT_EQ(json::parse(pr.out)["model"], model);
}

TEST(ProbeE2e, RenamedModelIsReportedUnderItsNewId) {
  auto r = hfrun({"probe", "--json", "gpt2"}); // the Hub answers 307 to openai-community/gpt2
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(r.out);
  expect_valid(doc);
  EXPECT_EQ(doc["input"], "gpt2");
  EXPECT_EQ(doc["model"], "openai-community/gpt2");
  EXPECT_EQ(doc["ways"]["serverless"]["available"], "yes");
}

TEST(ProbeE2e, RenamedModelAmongSeveralKeepsItsInputInItsLine) {
  auto r = hfrun({"probe", "--json", "gpt2", "BAAI/bge-small-en-v1.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2U) << r.out;
  const auto first = json::parse(lines[0]);
  expect_valid(first);
  EXPECT_EQ(first["input"], "gpt2");
  EXPECT_EQ(first["model"], "openai-community/gpt2");
  EXPECT_EQ(json::parse(lines[1])["input"], "BAAI/bge-small-en-v1.5");
}

TEST(ProbeE2e, UnknownRevisionFails) {
  auto r = hfrun({"probe", "--revision", "no-such-branch", "BAAI/bge-small-en-v1.5"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("revision (branch, tag or commit) does not exist"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("owner/name"), std::string::npos) << "the id is fine: " << r.err;
}

TEST(ProbeE2e, DryRunPrintsCurlAndSendsNothing) {
  // Models no other probe test asks for, and only the log lines written after this point, so that
  // a late log line of an earlier test cannot interfere.
  const std::vector<std::string> models = {"hfrun-emulator/many-files",
                                           "hfrun-emulator/large-file"};
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto before = request_log().size();
  auto r = hfrun({"--dry-run", "probe", models[0], models[1]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2U) << r.out;
  for (const auto& line : lines) {
    EXPECT_TRUE(line.starts_with("curl ")) << line;
    EXPECT_NE(line.find("$HF_TOKEN"), std::string::npos) << line;
  }
  EXPECT_NE(lines[0].find("/api/models/" + models[0] + "?expand%5B%5D="), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("/api/models/" + models[1] + "?expand%5B%5D="), std::string::npos)
      << lines[1];
  EXPECT_EQ(r.out.find(EmulatorEnvironment::emulator().token), std::string::npos);
  EXPECT_EQ(r.err.find(EmulatorEnvironment::emulator().token), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto log = log_since(before, [](const std::vector<json>&) { return true; });
  for (const auto& model : models) {
    EXPECT_TRUE(requests_to(log, "/api/models/" + model).empty()) << "--dry-run sent a request";
  }
  EXPECT_TRUE(std::none_of(log.begin(), log.end(), [](const json& e) {
    return e.value("path", "").ends_with("/runtime");
  })) << ::testing::PrintToString(log);
}

TEST(ProbeE2e, TokenNeverAppearsInOutput) {
  const auto& token = EmulatorEnvironment::emulator().token;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-vv", "probe", "meta-llama/Llama-3.1-8B-Instruct"},
           {"-vv", "probe", "--json", "hfrun-tester/private-model", "someone-else/secret-model"},
           {"-vv", "probe", "hfrun-emulator/no-such-model"}}) {
    auto r = hfrun(args);
    EXPECT_EQ(r.out.find(token), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(token), std::string::npos) << r.err;
  }
}

} // namespace
} // namespace hfrun::test
