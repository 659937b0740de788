// TGI text generation in the codec: parameters typed and mapped (native and OpenAI completions),
// details decoded from recorded replies (tests/data/tgi/, origins in tests/data/README.md),
// streamed details assembled from recorded events, and their terminal rendering.
#include "support.hpp"

#include <gtest/gtest.h>
#include <hfrun/http/limits.hpp>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/tasks/render.hpp>
#include <sstream>

namespace hfrun::tasks::test {
namespace {

using json = nlohmann::json;

std::filesystem::path tgi_dir() {
  return shared_dir() / "tgi";
}

const TaskSpec& generation() {
  return task(TaskId::text_generation);
}

json encoded_json(const Inputs& in, GenerationBody kind, std::optional<bool> stream = {}) {
  EncodeOptions options;
  options.model = "m";
  options.generation_body = kind;
  options.stream = stream;
  auto body = encode(generation(), in, options);
  EXPECT_TRUE(body.has_value()) << (body ? "" : body.error().message);
  return body ? json::parse(body->json) : json();
}

Inputs prompt_with(json params) {
  Inputs in;
  in.text = "The answer is";
  in.params = std::move(params);
  return in;
}

// The data: payloads of a recorded event stream, fed in order.
ChatStreamAssembler assembled(const std::string& sse) {
  ChatStreamAssembler a("text-generation");
  std::istringstream lines(sse);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("data:")) {
      auto fed = a.feed_data(std::string_view(line).substr(5));
      EXPECT_TRUE(fed.has_value()) << line;
    }
  }
  return a;
}

TEST(TgiParameters, KeyValueTextBecomesTgisTypes) {
  auto typed = tgi_parameters(json{{"details", "true"},
                                   {"max_new_tokens", "20"},
                                   {"temperature", "0.5"},
                                   {"stop", "\n"},
                                   {"custom", "as is"}});
  ASSERT_TRUE(typed.has_value()) << typed.error().message;
  EXPECT_EQ(*typed, (json{{"details", true},
                          {"max_new_tokens", 20},
                          {"temperature", 0.5},
                          {"stop", json::array({"\n"})},
                          {"custom", "as is"}}));
}

TEST(TgiParameters, AWrongValueIsAUsageErrorNamingTheKey) {
  for (const json& params : {json{{"max_new_tokens", "many"}}, json{{"details", "yes"}},
                             json{{"top_k", -1}}, json{{"stop", json::array({1})}}}) {
    auto typed = tgi_parameters(params);
    ASSERT_FALSE(typed.has_value()) << params.dump();
    EXPECT_EQ(typed.error().kind, ErrorKind::usage);
    EXPECT_NE(typed.error().message.find(params.begin().key()), std::string::npos)
        << typed.error().message;
  }
}

TEST(TgiParameters, GrammarIsCheckedAndMayComeAsJsonText) {
  const std::string schema = R"({"type":"json","value":{"properties":{"a":{"type":"string"}}}})";
  auto from_text = tgi_parameters(json{{"grammar", schema}}); // grammar=@grammar.json
  ASSERT_TRUE(from_text.has_value()) << from_text.error().message;
  EXPECT_EQ((*from_text)["grammar"], json::parse(schema));
  auto regex = tgi_parameters(json{{"grammar", {{"type", "regex"}, {"value", "(yes|no)"}}}});
  ASSERT_TRUE(regex.has_value());
  for (const json& bad : {json{{"type", "xml"}, {"value", "x"}}, json{{"type", "regex"}},
                          json{{"type", "regex"}, {"value", 3}}, json("not json")}) {
    auto checked = tgi_parameters(json{{"grammar", bad}});
    ASSERT_FALSE(checked.has_value()) << bad.dump();
    EXPECT_EQ(checked.error().kind, ErrorKind::usage);
  }
}

TEST(TgiEncoding, NativeBodyHasTheParametersTypedAndStreamBeside) {
  const json body = encoded_json(prompt_with(json{{"max_tokens", "8"},
                                                  {"details", true},
                                                  {"grammar", {{"type", "regex"}, {"value", "a"}}},
                                                  {"best_of", 2}}),
                                 GenerationBody::inputs, true);
  EXPECT_EQ(body, (json{{"inputs", "The answer is"},
                        {"parameters",
                         {{"max_new_tokens", 8},
                          {"details", true},
                          {"grammar", {{"type", "regex"}, {"value", "a"}}},
                          {"best_of", 2}}},
                        {"stream", true}}));
}

TEST(TgiEncoding, CompletionsBodyMapsTgiNames) {
  const json body = encoded_json(prompt_with(json{{"max_new_tokens", 8},
                                                  {"return_full_text", true},
                                                  {"do_sample", false},
                                                  {"stop", "."},
                                                  {"seed", 1},
                                                  {"details", false}}),
                                 GenerationBody::openai);
  EXPECT_EQ(body, (json{{"model", "m"},
                        {"max_tokens", 8},
                        {"echo", true},
                        {"temperature", 0},
                        {"stop", json::array({"."})},
                        {"seed", 1},
                        {"prompt", "The answer is"}}));
}

TEST(TgiEncoding, CompletionsRefuseWhatOnlyTgiAnswers) {
  for (const char* key : {"details", "decoder_input_details", "watermark"}) {
    EncodeOptions options;
    auto body = encode(generation(), prompt_with(json{{key, true}}), options);
    ASSERT_FALSE(body.has_value()) << key;
    EXPECT_EQ(body.error().kind, ErrorKind::usage);
    EXPECT_NE(body.error().message.find(key), std::string::npos) << body.error().message;
  }
  auto grammar =
      encode(generation(), prompt_with(json{{"grammar", {{"type", "regex"}, {"value", "a"}}}}));
  ASSERT_FALSE(grammar.has_value());
  EXPECT_NE(grammar.error().message.find("grammar"), std::string::npos);
  auto top_n = encode(generation(), prompt_with(json{{"top_n_tokens", 3}}));
  ASSERT_FALSE(top_n.has_value());
  // A zero count asks for nothing.
  EXPECT_TRUE(encode(generation(), prompt_with(json{{"top_n_tokens", 0}})).has_value());
}

TEST(TgiDecoding, RecordedDetailsWithPrefillBecomeTheNormalizedDetails) {
  // huggingface_hub cassette test_generate_with_details (flan-t5-xxl, decoder_input_details).
  auto r = decode(generation(), "application/json", read_file(tgi_dir() / "generate_details.json"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)["generated_text"], "");
  EXPECT_EQ((*r)["finish_reason"], "length");
  const json& d = (*r)["details"];
  EXPECT_EQ(d,
            (json{{"finish_reason", "length"},
                  {"generated_tokens", 1},
                  {"seed", nullptr},
                  {"input_length", nullptr},
                  {"prefill", json::array({{{"id", 0}, {"text", "<pad>"}, {"logprob", nullptr}}})},
                  {"tokens",
                   json::array(
                       {{{"id", 3}, {"text", " "}, {"logprob", -2.0078125}, {"special", false}}})},
                  {"top_tokens", json::array()},
                  {"best_of_sequences", json::array()}}));
  // The prefill counts the prompt: the usage is known.
  EXPECT_EQ((*r)["usage"],
            (json{{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}));
}

TEST(TgiDecoding, RecordedBestOfSequencesAreKept) {
  // huggingface_hub cassette test_async_generate_best_of (gpt2, best_of=2): u64 seeds.
  auto r = decode(generation(), "application/json", read_file(tgi_dir() / "generate_best_of.json"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const json& d = (*r)["details"];
  EXPECT_EQ(d["seed"].get<std::uint64_t>(), 18435558523380366744ULL);
  ASSERT_EQ(d["best_of_sequences"].size(), 1U);
  const json& other = d["best_of_sequences"][0];
  EXPECT_EQ(other["generated_text"], "esh");
  EXPECT_EQ(other["seed"].get<std::uint64_t>(), 8244064336017720203ULL);
  EXPECT_EQ(other["tokens"][0]["id"], 5069);
  EXPECT_EQ(other["prefill"][0], (json{{"id", 9288}, {"text", "test"}, {"logprob", nullptr}}));
}

TEST(TgiDecoding, RecordedGrammarReplyWithoutDetails) {
  // huggingface_hub cassette test_generate_with_grammar (zephyr-orpo, a JSON grammar).
  auto r = decode(generation(), "application/json", read_file(tgi_dir() / "generate_grammar.json"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const json inner = json::parse((*r)["generated_text"].get<std::string>());
  EXPECT_EQ(inner["location"], "park");
  EXPECT_TRUE((*r)["details"].is_null());
  EXPECT_TRUE((*r)["finish_reason"].is_null());
}

TEST(TgiDecoding, TopTokensOfTheDocumentedShape) {
  // TGI's openapi Details.top_tokens: one list of Token per generated token.
  const std::string body = R"([{"generated_text":" yes","details":{"finish_reason":"eos_token",
    "generated_tokens":1,"seed":null,"prefill":[],"tokens":[{"id":9891,"text":" yes",
    "logprob":-0.1,"special":false}],"top_tokens":[[{"id":9891,"text":" yes","logprob":-0.1,
    "special":false},{"id":912,"text":" no","logprob":-2.4,"special":false}]]}}])";
  auto r = decode(generation(), "application/json", body);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const json& top = (*r)["details"]["top_tokens"];
  ASSERT_EQ(top.size(), 1U);
  ASSERT_EQ(top[0].size(), 2U);
  EXPECT_EQ(top[0][1]["text"], " no");
  EXPECT_EQ(top[0][1]["logprob"], -2.4);
}

TEST(TgiDecoding, OpenAiCompletionHasNoDetails) {
  auto r = decode(generation(), "application/json",
                  R"({"choices":[{"text":" 42","finish_reason":"length"}],"usage":null})");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->contains("details"));
  EXPECT_TRUE((*r)["details"].is_null());
}

TEST(TgiStream, RecordedStreamWithDetailsAssemblesTheSameDocument) {
  // huggingface_hub cassette test_generate_stream_with_details: one event, details in it.
  const auto a = assembled(read_file(tgi_dir() / "stream_details.sse"));
  EXPECT_TRUE(a.finished());
  const json r = a.result();
  EXPECT_EQ(r["generated_text"], " ");
  EXPECT_EQ(r["finish_reason"], "length");
  EXPECT_EQ(r["details"]["generated_tokens"], 1);
  EXPECT_EQ(r["details"]["tokens"],
            json::array({{{"id", 3}, {"text", " "}, {"logprob", -2.0078125}, {"special", false}}}));
}

TEST(TgiStream, RecordedStreamWithoutDetailsIsWholeAndKeepsSpecialTokensOutOfTheText) {
  // huggingface.js tape: flan-t5-xxl streamed, the last token "</s>" special, details null.
  const auto a = assembled(read_file(tgi_dir() / "stream_no_details.sse"));
  EXPECT_TRUE(a.finished()) << "the last event carries generated_text: the stream is whole";
  const json r = a.result();
  EXPECT_EQ(r["generated_text"], "one two three four");
  EXPECT_TRUE(r["details"].is_null());
  EXPECT_TRUE(r["finish_reason"].is_null());
}

TEST(TgiStream, TopTokensAndInputLengthOfTheLastEvent) {
  ChatStreamAssembler a("text-generation");
  ASSERT_TRUE(a.feed_data(R"({"index":1,"token":{"id":5,"text":" a","logprob":-0.5,
    "special":false},"top_tokens":[{"id":5,"text":" a","logprob":-0.5,"special":false},
    {"id":6,"text":" b","logprob":-1.5,"special":false}],"generated_text":null,"details":null})"));
  ASSERT_TRUE(a.feed_data(R"({"index":2,"token":{"id":7,"text":" c","logprob":-0.2,
    "special":false},"top_tokens":[{"id":7,"text":" c","logprob":-0.2,"special":false}],
    "generated_text":" a c","details":{"finish_reason":"stop_sequence","generated_tokens":2,
    "seed":42,"input_length":3}})"));
  const json r = a.result();
  EXPECT_EQ(r["finish_reason"], "stop_sequence");
  EXPECT_EQ(r["details"]["seed"], 42);
  ASSERT_EQ(r["details"]["top_tokens"].size(), 2U);
  EXPECT_EQ(r["details"]["top_tokens"][0][1]["text"], " b");
  EXPECT_EQ(r["usage"],
            (json{{"prompt_tokens", 3}, {"completion_tokens", 2}, {"total_tokens", 5}}));
}

TEST(TgiRender, DetailsOnlyWhenAsked) {
  auto r = decode(generation(), "application/json", read_file(tgi_dir() / "generate_best_of.json"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(render(generation(), *r), "us\n");
  RenderOptions options;
  options.details = true;
  const std::string shown = render(generation(), *r, options);
  EXPECT_TRUE(shown.starts_with("us\ndetails: finish_reason length, 1 generated tokens, seed "
                                "18435558523380366744\n"))
      << shown;
  EXPECT_NE(shown.find("\"us\""), std::string::npos) << shown;
  EXPECT_NE(shown.find("-7.5679"), std::string::npos) << shown;
  EXPECT_NE(shown.find("prefill (1 tokens)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("best_of sequence 2: \"esh\" (finish_reason length, 1 tokens)"),
            std::string::npos)
      << shown;
}

// A stream that never ends stops being assembled at http::k_max_body_in_memory of event data.
TEST(ChatStreamAssembler, AStreamThatNeverEndsFailsAtTheCap) {
  ChatStreamAssembler a("conversational");
  const std::string event =
      R"({"choices":[{"index":0,"delta":{"content":")" + std::string(1000, 'a') + "\"}}]}";
  std::size_t fed = 0;
  Result<std::string> delta;
  while (delta && fed <= http::k_max_body_in_memory) {
    delta = a.feed_data(event);
    fed += event.size();
  }
  ASSERT_FALSE(delta);
  EXPECT_EQ(delta.error().kind, ErrorKind::bad_response);
  EXPECT_EQ(delta.error().message, "conversational: the streamed reply passed 64.0 MiB, the most "
                                   "hfrun keeps of a stream (the server never ended it)");
  EXPECT_GT(fed, http::k_max_body_in_memory);
  EXPECT_LE(a.content().size(), http::k_max_body_in_memory);
}

} // namespace
} // namespace hfrun::tasks::test
