// Text generation with TGI's parameters and outputs (docs/serverless.md, "text-generation"):
// details, prefill, top tokens, best-of sequences and grammars through hf-inference and through a
// TGI endpoint, streamed and not; the fallback to OpenAI completions for a model served only
// through the OpenAI routes (the emulator's Qwen/Qwen2.5-1.5B, vLLM's 404 on the model route),
// and the clear refusal of TGI-only parameters there.
#include "emulator_fixture.hpp"
#include "serverless_e2e.hpp"

#include <gtest/gtest.h>

namespace hfrun::test {
namespace {

using nlohmann::json;
using serverless::describe;
using serverless::LogWindow;
using serverless::parse_json;
using serverless::run;

constexpr const char* k_tgi_model = "meta-llama/Llama-3.2-3B"; // TGI on hf-inference
constexpr const char* k_vllm_model = "Qwen/Qwen2.5-1.5B";      // only the OpenAI routes

std::vector<std::string> generation(const std::string& model, std::vector<std::string> rest) {
  std::vector<std::string> args{"serverless",      model,        "--task",
                                "text-generation", "--provider", "hf-inference"};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

std::string tgi_endpoint() {
  return EmulatorEnvironment::emulator().endpoints + "/servers/tgi";
}

std::vector<std::string>
posted_paths(const LogWindow& log, std::size_t at_least, const std::string& role = "router") {
  std::vector<std::string> out;
  for (const auto& e : log.entries(at_least, role)) {
    if (e["method"] == "POST") {
      out.push_back(e["path"].get<std::string>() + " " + std::to_string(e["status"].get<int>()));
    }
  }
  return out;
}

TEST(TextGeneration, HfInferenceSendsTgisBodyToTheModelRoute) {
  auto dry = run(generation(
      k_tgi_model, {"--text", "The answer is", "max_new_tokens=5", "details=true", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << describe(dry);
  const auto body = serverless::dry_run_body(dry.out);
  ASSERT_TRUE(body.has_value()) << dry.out;
  // key=value text became TGI's types; the continuation alone, as huggingface_hub asks.
  EXPECT_EQ(parse_json(*body),
            (json{{"inputs", "The answer is"},
                  {"parameters",
                   {{"details", true}, {"max_new_tokens", 5}, {"return_full_text", false}}}}));
  EXPECT_NE(dry.out.find("/hf-inference/models/meta-llama/Llama-3.2-3B"), std::string::npos)
      << dry.out;
  EXPECT_EQ(dry.out.find("/v1/completions"), std::string::npos) << dry.out;
}

TEST(TextGeneration, DetailsThroughHfInference) {
  LogWindow log;
  auto r = run(generation(k_tgi_model,
                          {"--text", "The answer is", "max_new_tokens:=6",
                           "decoder_input_details:=true", "top_n_tokens:=2", "seed:=7", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  const json& d = doc["details"];
  ASSERT_TRUE(d.is_object()) << r.out;
  EXPECT_EQ(d["finish_reason"], "length");
  EXPECT_EQ(d["generated_tokens"], 6);
  EXPECT_EQ(d["seed"], 7);
  ASSERT_EQ(d["tokens"].size(), 6U);
  for (const auto& t : d["tokens"]) {
    EXPECT_TRUE(t["id"].is_number_integer() && t["logprob"].is_number() &&
                t["special"].is_boolean())
        << t.dump();
  }
  std::string joined;
  for (const auto& t : d["tokens"]) {
    joined += t["text"].get<std::string>();
  }
  EXPECT_EQ(joined, doc["generated_text"]) << "the tokens spell the text";
  ASSERT_EQ(d["top_tokens"].size(), 6U);
  EXPECT_EQ(d["top_tokens"][0].size(), 2U);
  EXPECT_EQ(d["top_tokens"][0][0], d["tokens"][0]) << "the chosen token leads its candidates";
  ASSERT_EQ(d["prefill"].size(), 3U) << "the prompt's three tokens";
  EXPECT_TRUE(d["prefill"][0]["logprob"].is_null());
  EXPECT_EQ(doc["usage"],
            (json{{"prompt_tokens", 3}, {"completion_tokens", 6}, {"total_tokens", 9}}));
  EXPECT_EQ(posted_paths(log, 1),
            (std::vector<std::string>{"/hf-inference/models/meta-llama/Llama-3.2-3B 200"}));
}

TEST(TextGeneration, BestOfSequencesAndTheirValidation) {
  auto r = run(generation(k_tgi_model, {"--text", "Once upon a time", "best_of:=2",
                                        "do_sample:=true", "max_new_tokens:=4", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  ASSERT_EQ(doc["details"]["best_of_sequences"].size(), 1U) << r.out;
  EXPECT_TRUE(doc["details"]["best_of_sequences"][0]["generated_text"].is_string());
  EXPECT_TRUE(doc["details"]["seed"].is_number_unsigned()) << "sampling reports its seed";
  // TGI's own rule, in its words: best_of needs sampling.
  auto greedy = run(generation(k_tgi_model, {"--text", "Once", "best_of:=2", "--json"}));
  EXPECT_EQ(greedy.exit_code, 6) << describe(greedy);
  EXPECT_NE(greedy.err.find("you must use sampling when `best_of` is > 1"), std::string::npos)
      << greedy.err;
  // And it cannot stream: an explicit --stream gets TGI's refusal inside the stream.
  auto streamed =
      run(generation(k_tgi_model, {"--text", "Once", "best_of:=2", "do_sample:=true", "--stream"}));
  EXPECT_EQ(streamed.exit_code, 6) << describe(streamed);
  EXPECT_NE(streamed.err.find("not supported when streaming tokens"), std::string::npos)
      << streamed.err;
}

TEST(TextGeneration, JsonGrammarGivesJsonOfTheSchema) {
  const std::string grammar = R"({"type":"json","value":{"properties":{"location":{"type":)"
                              R"("string"},"animals_seen":{"type":"integer","minimum":1,)"
                              R"("maximum":5}},"required":["location","animals_seen"]}})";
  auto r = run(generation(
      k_tgi_model, {"--text", "I saw a puppy in the park", "grammar:=" + grammar, "--json"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  const json generated = parse_json(doc["generated_text"].get<std::string>());
  ASSERT_TRUE(generated.is_object()) << r.out;
  EXPECT_TRUE(generated["location"].is_string());
  ASSERT_TRUE(generated["animals_seen"].is_number_integer());
  EXPECT_GE(generated["animals_seen"].get<int>(), 1);
  EXPECT_LE(generated["animals_seen"].get<int>(), 5);
  EXPECT_EQ(doc["finish_reason"], "eos_token");
}

TEST(TextGeneration, RegexGrammarStreamed) {
  auto r = run(generation(k_tgi_model, {"--text", "Is the sky blue?",
                                        R"x(grammar:={"type":"regex","value":"(yes|no)"})x",
                                        "--stream", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  const std::string text = doc["generated_text"];
  EXPECT_TRUE(text == "yes" || text == "no") << r.out;
  ASSERT_TRUE(doc["details"].is_object()) << "hfrun asks for details: the finish reason";
  EXPECT_EQ(doc["details"]["tokens"].size(), doc["details"]["generated_tokens"]);
}

TEST(TextGeneration, ABadGrammarIsAUsageErrorBeforeSending) {
  LogWindow log;
  auto r =
      run(generation(k_tgi_model, {"--text", "x", R"(grammar:={"type":"xml","value":"<a/>"})"}));
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("grammar"), std::string::npos) << r.err;
  EXPECT_TRUE(posted_paths(log, 0).empty()) << "nothing was sent";
}

TEST(TextGeneration, StreamedDetailsMatchTheWholeReply) {
  const std::vector<std::string> common{"--text", "Tell me a story", "max_new_tokens:=5",
                                        "stop:=[\" river\"]", "--json"};
  auto whole = run(generation(k_tgi_model, common));
  ASSERT_EQ(whole.exit_code, 0) << describe(whole);
  auto args = common;
  args.push_back("--stream");
  auto streamed = run(generation(k_tgi_model, args));
  ASSERT_EQ(streamed.exit_code, 0) << describe(streamed);
  const json a = parse_json(whole.out);
  const json b = parse_json(streamed.out);
  EXPECT_EQ(a["generated_text"], b["generated_text"]);
  EXPECT_EQ(a["finish_reason"], b["finish_reason"]);
  EXPECT_EQ(a["details"]["tokens"], b["details"]["tokens"]);
  EXPECT_EQ(a["details"]["generated_tokens"], b["details"]["generated_tokens"]);
  EXPECT_EQ(b["details"]["input_length"], 4) << "a stream's last event counts the prompt";
}

TEST(TextGeneration, TheTerminalShowsDetailsOnlyWhenAsked) {
  auto plain = run(generation(k_tgi_model, {"--text", "The answer is", "max_new_tokens:=3"}));
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_EQ(plain.out.find("details"), std::string::npos) << plain.out;
  EXPECT_EQ(std::count(plain.out.begin(), plain.out.end(), '\n'), 1) << plain.out;
  for (const char* mode : {"--no-stream", "--stream"}) {
    auto shown = run(generation(
        k_tgi_model, {"--text", "The answer is", "max_new_tokens:=3", "details:=true", mode}));
    ASSERT_EQ(shown.exit_code, 0) << describe(shown);
    EXPECT_TRUE(shown.out.starts_with(plain.out)) << mode << ":\n" << shown.out;
    EXPECT_NE(shown.out.find("details: finish_reason length, 3 generated tokens, seed none"),
              std::string::npos)
        << mode << ":\n"
        << shown.out;
  }
}

TEST(TextGeneration, AModelWithOnlyOpenAiRoutesFallsBackToCompletions) {
  for (const bool stream : {false, true}) {
    LogWindow log;
    std::vector<std::string> rest{"--text", "The answer is", "max_new_tokens:=4", "--json"};
    if (stream) {
      rest.push_back("--stream");
    }
    auto r = run(generation(k_vllm_model, rest));
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json doc = parse_json(r.out);
    EXPECT_EQ(doc["usage"]["completion_tokens"], 4) << "max_new_tokens became max_tokens";
    EXPECT_EQ(doc["finish_reason"], "length");
    EXPECT_TRUE(doc["details"].is_null()) << "OpenAI completions have no TGI details";
    EXPECT_EQ(
        posted_paths(log, 2),
        (std::vector<std::string>{"/hf-inference/models/Qwen/Qwen2.5-1.5B 404",
                                  "/hf-inference/models/Qwen/Qwen2.5-1.5B/v1/completions 200"}))
        << (stream ? "streamed" : "whole");
  }
}

TEST(TextGeneration, TheFallbackRefusesWhatOnlyTgiGives) {
  for (const std::vector<std::string>& asked :
       {std::vector<std::string>{"details:=true"},
        std::vector<std::string>{R"x(grammar:={"type":"regex","value":"(yes|no)"})x"},
        std::vector<std::string>{"decoder_input_details:=true", "--stream"}}) {
    LogWindow log;
    std::vector<std::string> rest{"--text", "The answer is"};
    rest.insert(rest.end(), asked.begin(), asked.end());
    auto r = run(generation(k_vllm_model, rest));
    EXPECT_EQ(r.exit_code, 2) << describe(r);
    EXPECT_NE(r.err.find("has no TGI route (HTTP 404)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("OpenAI completions, which has no"), std::string::npos) << r.err;
    EXPECT_EQ(posted_paths(log, 1),
              (std::vector<std::string>{"/hf-inference/models/Qwen/Qwen2.5-1.5B 404"}))
        << "no second request that would silently drop them";
  }
}

TEST(TextGeneration, AnUnknownModelIsNotFoundWithoutAFallback) {
  LogWindow log;
  auto r = run(generation("nobody/no-such-model", {"--text", "x"}));
  EXPECT_EQ(r.exit_code, 4) << describe(r);
  EXPECT_EQ(posted_paths(log, 1).size(), 1U) << "the router's 404 names the model: no retry";
}

TEST(TextGeneration, TgiEndpointDetailsGrammarAndStreaming) {
  auto whole = run({"endpoint", tgi_endpoint(), "--task", "text-generation", "--text",
                    "Once upon a time", "max_new_tokens=4", "top_n_tokens=3", "--json"});
  ASSERT_EQ(whole.exit_code, 0) << describe(whole);
  const json doc = parse_json(whole.out);
  ASSERT_EQ(doc["details"]["tokens"].size(), 4U) << whole.out;
  EXPECT_EQ(doc["details"]["top_tokens"][0].size(), 3U);
  auto streamed =
      run({"endpoint", tgi_endpoint(), "--task", "text-generation", "--text", "Once upon a time",
           "max_new_tokens=4", "top_n_tokens=3", "--stream", "--json"});
  ASSERT_EQ(streamed.exit_code, 0) << describe(streamed);
  const json s = parse_json(streamed.out);
  EXPECT_EQ(s["details"]["tokens"], doc["details"]["tokens"]);
  EXPECT_EQ(s["details"]["top_tokens"], doc["details"]["top_tokens"]);
  auto grammar = run({"endpoint", tgi_endpoint(), "--task", "text-generation", "--text",
                      "Answer:", R"x(grammar:={"type":"regex","value":"(yes|no)"})x", "--json"});
  ASSERT_EQ(grammar.exit_code, 0) << describe(grammar);
  const std::string text = parse_json(grammar.out)["generated_text"];
  EXPECT_TRUE(text == "yes" || text == "no") << grammar.out;
}

TEST(TextGeneration, OpenAiEndpointRefusesTgiOnlyParametersBeforeSending) {
  auto r = run({"endpoint", EmulatorEnvironment::emulator().endpoints + "/servers/vllm", "--task",
                "text-generation", "--text", "Once", "details:=true"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("OpenAI completions, which has no details"), std::string::npos) << r.err;
}

} // namespace
} // namespace hfrun::test
