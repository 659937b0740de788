// encode(): inputs to bodies beyond the captured calls, and the usage errors a user sees.
#include "support.hpp"
#include "tasks/sniff.hpp"

#include <gtest/gtest.h>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::base64_decode;
using util::base64_encode;

json body_of(std::string_view task_name, const Inputs& in, const EncodeOptions& options = {}) {
  auto body = encode(*find_task(task_name), in, options);
  EXPECT_TRUE(body) << (body ? "" : body.error().message);
  return body ? json::parse(test::materialize(*body)) : json();
}

Error usage_error(std::string_view task_name, const Inputs& in) {
  auto body = encode(*find_task(task_name), in);
  EXPECT_FALSE(body);
  if (body) {
    return Error{};
  }
  EXPECT_EQ(body.error().kind, ErrorKind::usage);
  return body.error();
}

TEST(TaskEncode, MissingInputNamesTheOption) {
  EXPECT_EQ(usage_error("image-classification", {}).message,
            "image-classification needs --file IMAGE");
  EXPECT_EQ(usage_error("automatic-speech-recognition", {}).message,
            "automatic-speech-recognition needs --file AUDIO");
  EXPECT_EQ(usage_error("text-classification", {}).message,
            "text-classification needs --text TEXT");
  Inputs only_question;
  only_question.params["question"] = "Why?";
  EXPECT_NE(usage_error("question-answering", only_question).message.find("context="),
            std::string::npos);
  EXPECT_NE(usage_error("conversational", {}).message.find("--text"), std::string::npos);
  Inputs missing_file;
  missing_file.file = "/nonexistent/cat.png";
  EXPECT_NE(usage_error("image-classification", missing_file).message.find("/nonexistent/cat.png"),
            std::string::npos);
}

TEST(TaskEncode, ZeroShotImageNeedsTwoLabels) {
  Inputs in;
  in.file = test::tiny_png();
  EXPECT_NE(usage_error("zero-shot-image-classification", in).message.find("candidate_labels"),
            std::string::npos);
  in.params["candidate_labels"] = json::array({"cat"});
  EXPECT_NE(usage_error("zero-shot-image-classification", in).message.find("two"),
            std::string::npos);
  in.params["candidate_labels"] = "cat, dog"; // comma-separated string
  const json body = body_of("zero-shot-image-classification", in);
  EXPECT_EQ(body["parameters"]["candidate_labels"], json({"cat", "dog"}));
  EXPECT_EQ(base64_decode(body["inputs"]["image"].get<std::string>()),
            test::read_file(test::tiny_png()));
}

TEST(TaskEncode, BinaryTaskWithParametersStreamsBase64Json) {
  Inputs in;
  in.file = test::tiny_wav();
  in.params["top_k"] = 3;
  auto body = encode(*find_task("audio-classification"), in);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->kind, BodyKind::base64_json);
  EXPECT_EQ(body->file, test::tiny_wav());
  EXPECT_EQ(body->prefix, R"({"inputs":")");
  EXPECT_EQ(body->suffix, R"(","parameters":{"top_k":3}})");
  const auto d = body->describe();
  EXPECT_EQ(d.kind, http::BodyDescription::Kind::base64_json);
  EXPECT_EQ(d.path, test::tiny_wav().string());
}

TEST(TaskEncode, NullParametersAreDropped) {
  Inputs in;
  in.text = "hi";
  in.params["top_k"] = nullptr;
  EXPECT_EQ(body_of("text-classification", in), json({{"inputs", "hi"}}));
}

TEST(TaskEncode, FeatureExtractionParametersAtTheTop) {
  Inputs in;
  in.text = "hello";
  in.params["normalize"] = true;
  EXPECT_EQ(body_of("feature-extraction", in), json({{"inputs", "hello"}, {"normalize", true}}));
}

TEST(TaskEncode, InputsReplacesTheWholeInputsValue) {
  Inputs in;
  in.inputs = json::array({"a", "b"});
  EXPECT_EQ(body_of("feature-extraction", in), json({{"inputs", {"a", "b"}}}));
  Inputs qa;
  qa.inputs = json{{"question", "q"}, {"context", "c"}};
  qa.params["top_k"] = 2;
  EXPECT_EQ(
      body_of("question-answering", qa),
      json({{"inputs", {{"question", "q"}, {"context", "c"}}}, {"parameters", {{"top_k", 2}}}}));
}

TEST(TaskEncode, TableGivenAsJsonTextRowsOrCsv) {
  const json columns = {{"Repository", {"Transformers", "Datasets"}}, {"Stars", {"36542", "4512"}}};
  Inputs in;
  in.params["query"] = "How many stars?";
  in.params["table"] = columns.dump(); // table=@table.json gives the file's text
  EXPECT_EQ(body_of("table-question-answering", in)["inputs"]["table"], columns);
  in.params["table"] = json::parse(
      R"([{"Repository":"Transformers","Stars":"36542"},{"Repository":"Datasets","Stars":"4512"}])");
  EXPECT_EQ(body_of("table-question-answering", in)["inputs"]["table"], columns);
  in.params["table"] = "Repository,Stars\nTransformers,36542\n\"Datasets\",4512\n";
  EXPECT_EQ(body_of("table-question-answering", in)["inputs"]["table"], columns);
}

TEST(TaskEncode, TabularFromCsvFile) {
  const auto csv = std::filesystem::temp_directory_path() / "hfrun_tasks_fish.csv";
  {
    std::ofstream out(csv);
    out << "Height,Width\n11.52,4.02\n12.48,4.3056\n";
  }
  Inputs in;
  in.file = csv;
  EXPECT_EQ(
      body_of("tabular-regression", in),
      json::parse(R"({"inputs":{"data":{"Height":["11.52","12.48"],"Width":["4.02","4.3056"]}}})"));
  std::filesystem::remove(csv);
}

TEST(TaskEncode, SentenceSimilarityFromTextAndSentenceLines) {
  Inputs in;
  in.text = "That is a happy person";
  in.params["sentences"] = "That is a happy dog\nToday is a sunny day\n";
  EXPECT_EQ(
      body_of("sentence-similarity", in),
      json::parse(
          R"({"inputs":{"source_sentence":"That is a happy person","sentences":["That is a happy dog","Today is a sunny day"]}})"));
}

TEST(TaskEncode, ImageQuestionTasksTakeTheQuestionFromText) {
  Inputs in;
  in.file = test::tiny_png();
  in.text = "What colour?";
  auto body = encode(*find_task("visual-question-answering"), in);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->prefix, R"({"inputs":{"question":"What colour?","image":")");
  EXPECT_EQ(body->suffix, R"("}})");
}

TEST(TaskEncode, ImageToImageTextIsThePromptAndAcceptIsPng) {
  Inputs in;
  in.file = test::tiny_png();
  in.text = "make it blue";
  auto body = encode(*find_task("image-to-image"), in);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->accept, "image/png");
  EXPECT_EQ(json::parse(test::materialize(*body))["parameters"],
            json({{"prompt", "make it blue"}}));
  Inputs text_only;
  text_only.text = "a cat";
  auto t2i = encode(*find_task("text-to-image"), text_only);
  ASSERT_TRUE(t2i);
  EXPECT_EQ(t2i->accept, "image/png");
  EXPECT_EQ(t2i->json, R"({"inputs":"a cat"})");
}

TEST(TaskEncode, TextGenerationIsAnOpenAiCompletion) {
  Inputs in;
  in.text = "The answer is";
  in.params["max_new_tokens"] = 8;
  in.params["temperature"] = 0.5;
  const json body =
      body_of("text-generation", in, EncodeOptions{"openai-community/gpt2", true, ""});
  EXPECT_EQ(
      body,
      json::parse(
          R"({"model":"openai-community/gpt2","stream":true,"max_tokens":8,"temperature":0.5,"prompt":"The answer is"})"));
}

TEST(TaskEncode, TextGenerationForTgiAndTheToolkitIsInputsAndParameters) {
  Inputs in;
  in.text = "The answer is";
  in.params["max_tokens"] = 8; // OpenAI's name becomes TGI's
  in.params["details"] = true;
  EncodeOptions options{"ignored-model", true, ""};
  options.generation_body = GenerationBody::inputs;
  EXPECT_EQ(body_of("text-generation", in, options),
            json::parse(R"({"inputs":"The answer is","parameters":{"max_new_tokens":8,
                            "details":true},"stream":true})"));
  in.params = json::object();
  options.stream = std::nullopt;
  EXPECT_EQ(body_of("text-generation", in, options), json::parse(R"({"inputs":"The answer is"})"));
}

TEST(TaskChat, BodyPassesParametersThroughAndOrdersMessages) {
  Inputs in;
  in.system = "Be brief.";
  in.messages = R"([{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}])";
  in.text = "How are you?";
  in.params["max_tokens"] = 64;
  in.params["stream_options"] = json{{"include_usage", true}};
  in.params["response_format"] = json{{"type", "json_object"}};
  auto body = build_chat_body("meta-llama/Llama-3.1-8B-Instruct:cerebras", in, true);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["model"], "meta-llama/Llama-3.1-8B-Instruct:cerebras");
  ASSERT_EQ((*body)["messages"].size(), 4u);
  EXPECT_EQ((*body)["messages"][0], json({{"role", "system"}, {"content", "Be brief."}}));
  EXPECT_EQ((*body)["messages"][3], json({{"role", "user"}, {"content", "How are you?"}}));
  EXPECT_EQ((*body)["stream"], true);
  EXPECT_EQ((*body)["stream_options"]["include_usage"], true);
  EXPECT_EQ((*body)["response_format"]["type"], "json_object");
  EXPECT_EQ((*body)["max_tokens"], 64);
}

TEST(TaskChat, EncodedChatBodyPutsTheModelFirst) {
  Inputs in;
  in.text = "Hello";
  in.params["max_tokens"] = 16;
  auto body = encode(*find_task("chat"), in,
                     EncodeOptions{"meta-llama/Llama-3.1-8B-Instruct", std::nullopt, ""});
  ASSERT_TRUE(body);
  EXPECT_EQ(
      body->json,
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"content":"Hello","role":"user"}],"max_tokens":16})");
}

TEST(TaskChat, MessagesFromAFileAndBadMessages) {
  const auto path = std::filesystem::temp_directory_path() / "hfrun_tasks_chat.json";
  {
    std::ofstream out(path);
    out << R"({"messages":[{"role":"user","content":"From a file"}]})";
  }
  Inputs in;
  in.messages = "@" + path.string();
  auto body = build_chat_body("m", in);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["messages"][0]["content"], "From a file");
  std::filesystem::remove(path);
  in.messages = "not json";
  auto bad = build_chat_body("m", in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  Inputs system_only;
  system_only.system = "You are terse.";
  EXPECT_FALSE(build_chat_body("m", system_only));
}

TEST(TaskChat, StreamAssemblerToleratesProviderVariants) {
  ChatStreamAssembler a;
  EXPECT_EQ(*a.feed_data(R"( {"choices":[{"index":0,"delta":{"role":"assistant"}}],"usage":null})"),
            "");
  EXPECT_EQ(*a.feed_data(R"({"choices":[{"index":0,"delta":{"content":""}}]})"), "");
  EXPECT_EQ(
      *a.feed_data(
          R"({"model":"m","choices":[{"index":0,"delta":{"content":"Hel","token_id":5},"text":"Hel"}]})"),
      "Hel");
  EXPECT_EQ(
      *a.feed_data(R"({"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]})"),
      "lo");
  EXPECT_EQ(
      *a.feed_data(
          R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"),
      "");
  EXPECT_EQ(*a.feed_data("[DONE]"), "");
  EXPECT_EQ(
      a.result(),
      json::parse(
          R"({"task":"conversational","model":"m","role":"assistant","content":"Hello","finish_reason":"stop","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"));
}

TEST(TaskChat, StreamAssemblerMergesToolCallsAndReportsErrors) {
  ChatStreamAssembler a;
  ASSERT_TRUE(a.feed_data(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get","arguments":"{\"a\""}}]}}]})"));
  ASSERT_TRUE(a.feed_data(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]})"));
  EXPECT_EQ(a.result()["tool_calls"][0]["function"]["arguments"], "{\"a\":1}");
  EXPECT_EQ(a.result()["tool_calls"][0]["id"], "c1");
  auto error =
      a.feed_data(R"({"error":"Input validation error: too long","error_type":"validation"})");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().kind, ErrorKind::rejected);
  EXPECT_EQ(error.error().server_message, "Input validation error: too long");
  auto object_error = a.feed_data(R"({"error":{"message":"overloaded"}})");
  ASSERT_FALSE(object_error);
  EXPECT_EQ(object_error.error().server_message, "overloaded");
  EXPECT_EQ(a.feed_data(R"({"something":"else"})").error().kind, ErrorKind::bad_response);
}

TEST(TaskChat, TgiTextGenerationEvents) {
  ChatStreamAssembler a("text-generation");
  EXPECT_EQ(
      *a.feed_data(
          R"({"index":1,"token":{"id":3,"text":" one","special":false},"generated_text":null,"details":null})"),
      " one");
  EXPECT_EQ(
      *a.feed_data(
          R"({"index":2,"token":{"id":1,"text":"</s>","special":true},"generated_text":" one","details":{"finish_reason":"eos_token","generated_tokens":2}})"),
      "");
  EXPECT_EQ(
      a.result(),
      json::parse(
          R"({"task":"text-generation","generated_text":" one","finish_reason":"eos_token","usage":null,
              "details":{"finish_reason":"eos_token","generated_tokens":2,"seed":null,
              "input_length":null,"prefill":[],"top_tokens":[],"best_of_sequences":[],
              "tokens":[{"id":3,"text":" one","logprob":null,"special":false},
                        {"id":1,"text":"</s>","logprob":null,"special":true}]}})"));
}

TEST(TaskSniff, ContentTypesFromBytesNotNames) {
  EXPECT_EQ(*sniff_content_type(test::tiny_png()), "image/png");
  EXPECT_EQ(*sniff_content_type(test::tiny_wav()), "audio/wav");
  // A PNG named .wav is still a PNG.
  const auto renamed = std::filesystem::temp_directory_path() / "hfrun_tasks_png.wav";
  std::filesystem::copy_file(test::tiny_png(), renamed,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(*sniff_content_type(renamed), "image/png");
  std::filesystem::remove(renamed);
  EXPECT_EQ(sniff_content_type("/nonexistent.png").error().kind, ErrorKind::usage);
}

TEST(TaskTable, EveryTaskHasOneRowAndAliasesResolve) {
  EXPECT_EQ(all_tasks().size(), 30u);
  for (const auto& spec : all_tasks()) {
    EXPECT_EQ(find_task(spec.name), &spec);
    EXPECT_EQ(&task(spec.id), &spec);
  }
  EXPECT_EQ(find_task("text-to-audio"), find_task("text-to-speech"));
  EXPECT_EQ(find_task("chat"), find_task("conversational"));
  EXPECT_EQ(find_task("no-such-task"), nullptr);
  EXPECT_TRUE(find_task("text-to-speech")->binary_output);
  EXPECT_FALSE(find_task("image-classification")->binary_output);
}

} // namespace
} // namespace hfrun::tasks

namespace hfrun::tasks {
namespace {

TEST(TaskOllama, ItsOwnBodiesCarrySamplingUnderOptionsAndAlwaysSayStream) {
  Inputs in;
  in.text = "Hello";
  in.params["max_tokens"] = 3;
  in.params["keep_alive"] = "5m";
  EncodeOptions options;
  options.model = "llama3.2";
  options.ollama = true;
  const auto chat = encode(*find_task("conversational"), in, options);
  ASSERT_TRUE(chat) << chat.error().message;
  EXPECT_EQ(nlohmann::json::parse(chat->json),
            nlohmann::json::parse(R"({"model":"llama3.2","messages":[{"role":"user",
              "content":"Hello"}],"keep_alive":"5m","stream":false,"options":{"num_predict":3}})"));
  options.stream = true;
  const auto generate = encode(*find_task("text-generation"), in, options);
  ASSERT_TRUE(generate);
  EXPECT_EQ(nlohmann::json::parse(generate->json),
            nlohmann::json::parse(R"({"model":"llama3.2","prompt":"Hello","keep_alive":"5m",
                                      "stream":true,"options":{"num_predict":3}})"));
  // A whole reply is the stream's last line: decoded to the same schema.
  const auto decoded = decode(*find_task("conversational"), "application/json",
                              R"({"model":"llama3.2","message":{"role":"assistant","content":"Hi"},
                                  "done":true,"done_reason":"stop","prompt_eval_count":5,
                                  "eval_count":2})");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ((*decoded)["content"], "Hi");
  EXPECT_EQ((*decoded)["finish_reason"], "stop");
  EXPECT_EQ((*decoded)["usage"]["total_tokens"], 7);
  const auto embedded = decode(*find_task("feature-extraction"), "application/json",
                               R"({"model":"m","embeddings":[[0.5,0.25]]})");
  ASSERT_TRUE(embedded) << embedded.error().message;
  EXPECT_EQ((*embedded)["dimension"], 2);
}

TEST(TaskOllama, StreamLinesAssembleAsAChat) {
  ChatStreamAssembler chat;
  EXPECT_EQ(
      chat.feed_data(
              R"({"model":"llama3.2","message":{"role":"assistant","content":"You "},"done":false})")
          .value(),
      "You ");
  EXPECT_EQ(
      chat.feed_data(R"({"message":{"role":"assistant","content":"said"},"done":false})").value(),
      "said");
  EXPECT_EQ(chat.feed_data(R"({"message":{"role":"assistant","content":""},"done":true,
                               "done_reason":"length","eval_count":2,"prompt_eval_count":4})")
                .value(),
            "");
  const auto result = chat.result();
  EXPECT_EQ(result["content"], "You said");
  EXPECT_EQ(result["finish_reason"], "length");
  EXPECT_EQ(result["model"], "llama3.2");
  ChatStreamAssembler generate("text-generation");
  ASSERT_TRUE(generate.feed_data(R"({"response":"Once","done":false})"));
  ASSERT_TRUE(generate.feed_data(R"({"response":"","done":true,"done_reason":"stop"})"));
  EXPECT_EQ(generate.result()["generated_text"], "Once");
}

TEST(TaskRanking, QueryAndTextsAskForTheTextsBackAndComeBackBestFirst) {
  Inputs in;
  in.text = "What is Deep Learning?";
  in.params["texts"] = nlohmann::json::array({"cheese", "Deep learning is..."});
  in.params["raw_scores"] = true;
  const auto body = encode(*find_task("text-ranking"), in);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(body->json,
            R"({"query":"What is Deep Learning?","texts":["cheese","Deep learning is..."],)"
            R"("return_text":true,"raw_scores":true})");
  Inputs missing;
  missing.text = "q";
  EXPECT_EQ(encode(*find_task("text-ranking"), missing).error().kind, ErrorKind::usage);
  const auto decoded = decode(*find_task("text-ranking"), "application/json",
                              R"([{"index":0,"score":0.1},{"index":1,"score":0.9,"text":"b"}])");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ((*decoded)["ranking"],
            nlohmann::json::parse(
                R"([{"index":1,"score":0.9,"text":"b"},{"index":0,"score":0.1,"text":null}])"));
  EXPECT_EQ(decode(*find_task("text-ranking"), "application/json", R"([{"score":1}])").error().kind,
            ErrorKind::bad_response);
}

} // namespace
} // namespace hfrun::tasks
