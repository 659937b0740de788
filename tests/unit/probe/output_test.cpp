// The two renderings: --json against the documented schema, and the terminal table as snapshots.
// Set HFRUN_UPDATE_SNAPSHOTS=1 to rewrite tests/data/probe/render/*.txt after an intended change.
#include "probe_fixtures.hpp"
#include "support/json_schema.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <hfrun/probe/evaluate.hpp>
#include <hfrun/probe/output.hpp>

namespace hfrun::probe {
namespace {

using nlohmann::json;
using namespace testing;

// Every fixture under tests/data/probe/models/, with the verdicts it must get
// (serverless, endpoint, space, libraries, local).
struct FixtureCase {
  const char* file;
  Verdict serverless, endpoint, space, libraries, local;
};

constexpr Verdict Y = Verdict::yes;
constexpr Verdict N = Verdict::no;
constexpr Verdict U = Verdict::unknown;

const FixtureCase k_fixtures[] = {
    {"gemma-3-1b-it-GGUF", N, Y, Y, N, Y},
    {"FLUX.1-dev-gguf", N, U, N, Y, N},
    {"Llama-3.2-3B-Instruct-4bit", N, N, N, Y, Y},
    {"FLUX.1-dev", Y, Y, Y, Y, Y},
    {"Mistral-7B-Instruct-v0.2-AWQ", N, U, U, Y, Y},
    {"all-MiniLM-L6-v2", Y, Y, Y, Y, N},
    {"Llama-3.1-8B-Instruct", Y, Y, N, Y, Y},
    {"gpt2", N, Y, Y, Y, Y},
    {"Qwen2.5-7B-Instruct-list", Y, Y, N, Y, Y},
    {"private-classifier", N, Y, N, Y, N},
    {"disabled-model", N, N, N, N, N},
};

Report report_for(const std::string& file) {
  json info = load_json("models/" + file + ".json");
  EXPECT_FALSE(info.is_discarded()) << file;
  return evaluate(info, load_runtimes());
}

class Fixtures : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(Fixtures, GetTheExpectedVerdicts) {
  const auto& c = GetParam();
  Report r = report_for(c.file);
  EXPECT_EQ(verdict_name(r.ways.serverless.available), verdict_name(c.serverless)) << "serverless";
  EXPECT_EQ(verdict_name(r.ways.endpoint.available), verdict_name(c.endpoint)) << "endpoint";
  EXPECT_EQ(verdict_name(r.ways.space.available), verdict_name(c.space)) << "space";
  EXPECT_EQ(verdict_name(r.ways.libraries.available), verdict_name(c.libraries)) << "libraries";
  EXPECT_EQ(verdict_name(r.ways.local.available), verdict_name(c.local)) << "local";
}

TEST_P(Fixtures, JsonMatchesTheDocumentedSchema) {
  json doc = to_json(report_for(GetParam().file));
  const auto errors = hfrun::test::validate_against("probe.schema.json", doc);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST_P(Fixtures, RenderMatchesSnapshot) {
  std::string got = render(report_for(GetParam().file), false, 100);
  std::string path = probe_data_path(std::string("render/") + GetParam().file + ".txt");
  if (const char* update = std::getenv("HFRUN_UPDATE_SNAPSHOTS"); update && *update == '1') {
    std::ofstream(path, std::ios::binary) << got;
  }
  EXPECT_EQ(got, read_text(path)) << "snapshot " << path;
}

INSTANTIATE_TEST_SUITE_P(Models,
                         Fixtures,
                         ::testing::ValuesIn(k_fixtures),
                         [](const ::testing::TestParamInfo<FixtureCase>& p) {
                           std::string name = p.param.file;
                           for (char& ch : name) {
                             ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return name;
                         });

TEST(Schema, ValidatorCatchesMissingKeysWrongTypesAndBadEnums) {
  json doc = to_json(report_for("gpt2"));
  doc.erase("sha");
  doc["ways"]["space"]["total"] = "six";
  doc["ways"]["local"]["available"] = "maybe";
  const auto errors = hfrun::test::validate_against("probe.schema.json", doc);
  EXPECT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
}

TEST(Json, CarriesProvidersSpacesAppsAndAccess) {
  json doc = to_json(report_for("Llama-3.1-8B-Instruct"));
  EXPECT_EQ(doc["model"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(doc["task"], "text-generation");
  EXPECT_EQ(doc["ways"]["serverless"]["available"], "yes");
  const json& providers = doc["ways"]["serverless"]["providers"];
  ASSERT_EQ(providers.size(), 4u);
  EXPECT_EQ(providers[0]["provider"], "cerebras");
  EXPECT_EQ(providers[0]["status"], "error");
  EXPECT_EQ(providers[2]["provider_id"], "meta-llama/llama-3.1-8b-instruct");
  EXPECT_EQ(doc["ways"]["endpoint"]["heuristic"], true);
  EXPECT_EQ(doc["ways"]["space"]["checked"][0]["stage"], "PAUSED");
  EXPECT_EQ(doc["ways"]["local"]["source"]["commit"], "fe42e680");
  EXPECT_EQ(doc["access"]["gated"], "manual");
  EXPECT_EQ(doc["access"]["needs_terms"], true);
  EXPECT_EQ(doc["commands"][0]["command"],
            R"(hfrun serverless meta-llama/Llama-3.1-8B-Instruct --text "Hello")");
}

TEST(Json, UngatedIsFalseAndMissingShaIsNull) {
  json doc = to_json(evaluate(json::parse(R"({"id":"a/b"})")));
  EXPECT_EQ(doc["access"]["gated"], false);
  EXPECT_TRUE(doc["sha"].is_null());
  EXPECT_TRUE(doc["task"].is_null());
}

TEST(Json, InputIsTheIdAsGivenBesideTheHubsModelId) {
  Report report = evaluate(json::parse(R"({"id":"openai-community/gpt2"})"));
  report.input = "gpt2";
  const json doc = to_json(report);
  EXPECT_EQ(doc["input"], "gpt2");
  EXPECT_EQ(doc["model"], "openai-community/gpt2");
}

TEST(Json, FailureLineCarriesTheInputAndTheErrorObject) {
  Error error = make_error(ErrorKind::not_found, "model org/missing", "check the name or URL");
  error.http_status = 404;
  error.server_message = "Repository not found";
  const json line = failure_json("org/missing", error);
  EXPECT_EQ(line, json::parse(R"({"input": "org/missing", "error": {"kind": "not_found",
      "exit_code": 4, "status": 404, "message": "model org/missing",
      "server_message": "Repository not found", "request_id": null,
      "hint": "check the name or URL"}})"));
  const auto errors = hfrun::test::validate_against("probe.schema.json", line, "failure");
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Json, FailureLineWithoutAnHttpAnswerHasNullStatus) {
  const json line = failure_json("a/b", make_error(ErrorKind::network, "model a/b"));
  EXPECT_TRUE(line["error"]["status"].is_null());
  EXPECT_TRUE(line["error"]["request_id"].is_null());
  EXPECT_EQ(line["error"]["exit_code"], 8);
  EXPECT_EQ(line["error"]["kind"], "network");
}

TEST(Render, ColourWrapsOnlyTheMark) {
  std::string out = render(report_for("gpt2"), true, 0);
  EXPECT_NE(out.find("\x1b[31m✗\x1b[0m serverless no"), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[32m✓\x1b[0m endpoint   heuristic: "), std::string::npos) << out;
  EXPECT_EQ(out.find("\x1b[", out.find("Next:")), std::string::npos) << "commands stay plain";
}

TEST(Render, TruncatesWayLinesButNeverCommands) {
  std::string out = render(report_for("FLUX.1-dev"), false, 30);
  std::istringstream lines(out);
  bool in_next = false;
  for (std::string line; std::getline(lines, line);) {
    if (line == "Next:") {
      in_next = true;
    }
    bool way_line = line.starts_with("✓") || line.starts_with("✗") || line.starts_with("?");
    if (way_line) {
      std::size_t cols = 0;
      for (char ch : line) {
        cols += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
      }
      EXPECT_LE(cols, 30u) << line;
    }
    if (in_next && line.starts_with("  hfrun serverless")) {
      EXPECT_NE(line.find("-o image.png"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(in_next);
}

} // namespace
} // namespace hfrun::probe
