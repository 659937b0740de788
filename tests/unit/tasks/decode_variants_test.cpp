// Every response variant of protocols/serverless.md §2.2 decodes to the same schema.
#include "support.hpp"

#include <gtest/gtest.h>
#include <hfrun/tasks/codec.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::base64_decode;
using util::base64_encode;

json ok(std::string_view task_name, std::string_view body) {
  auto result = decode(*find_task(task_name), "application/json", body);
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? *result : json();
}

Error rejected(std::string_view task_name, std::string_view content_type, std::string_view body) {
  auto result = decode(*find_task(task_name), content_type, body);
  EXPECT_FALSE(result) << (result ? result->dump() : "");
  return result ? Error{} : result.error();
}

TEST(TaskDecode, ClassificationNestedAndFlatListsAreTheSame) {
  const json nested =
      ok("text-classification",
         R"([[{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.1}]])");
  const json flat = ok("text-classification",
                       R"([{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.1}])");
  EXPECT_EQ(nested, flat);
  EXPECT_EQ(
      flat,
      json::parse(
          R"({"task":"text-classification","labels":[{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.1}]})"));
}

TEST(TaskDecode, SeveralInputsGiveABatch) {
  const json batch =
      ok("text-classification", R"([[{"label":"A","score":1}],[{"label":"B","score":1}]])");
  ASSERT_EQ(batch["batch"].size(), 2u);
  EXPECT_EQ(batch["batch"][1]["labels"][0]["label"], "B");
  const json translations =
      ok("translation", R"([{"translation_text":"a"},{"translation_text":"b"}])");
  EXPECT_EQ(translations["batch"][0]["translation_text"], "a");
}

TEST(TaskDecode, QuestionAnsweringObjectOrList) {
  const json one =
      ok("question-answering", R"({"score":0.97,"start":25,"end":30,"answer":"Paris"})");
  const json list =
      ok("question-answering", R"([{"score":0.97,"start":25,"end":30,"answer":"Paris"}])");
  EXPECT_EQ(one, list);
  EXPECT_EQ(one["answers"][0]["end"], 30);
}

TEST(TaskDecode, ZeroShotLegacyAndCurrentShapes) {
  const json legacy = ok("zero-shot-classification",
                         R"({"sequence":"s","labels":["refund","legal"],"scores":[0.8,0.2]})");
  const json current = ok("zero-shot-classification",
                          R"([{"label":"refund","score":0.8},{"label":"legal","score":0.2}])");
  EXPECT_EQ(legacy["labels"], current["labels"]);
  EXPECT_EQ(legacy["sequence"], "s");
  rejected("zero-shot-classification", "application/json",
           R"({"sequence":"s","labels":["a"],"scores":[]})");
}

TEST(TaskDecode, FeatureExtractionDepths) {
  const json one = ok("feature-extraction", "[0.1,0.2,0.3]");
  EXPECT_EQ(one["shape"], json({1, 3}));
  EXPECT_EQ(one["dimension"], 3);
  EXPECT_EQ(one["embeddings"], json::parse("[[0.1,0.2,0.3]]"));
  const json two = ok("feature-extraction", "[[0.1,0.2],[0.3,0.4]]");
  EXPECT_EQ(two["shape"], json({2, 2}));
  const json tokens = ok("feature-extraction", "[[[0.1,0.2],[0.3,0.4],[0.5,0.6]]]");
  EXPECT_EQ(tokens["shape"], json({1, 3, 2}));
  const json openai =
      ok("feature-extraction", R"({"data":[{"embedding":[1,2]},{"embedding":[3,4]}]})");
  EXPECT_EQ(openai["shape"], json({2, 2}));
  rejected("feature-extraction", "application/json", R"([[0.1,0.2],[0.3]])");
  rejected("feature-extraction", "application/json", R"(["a"])");
}

TEST(TaskDecode, OptionalFieldsBecomeNull) {
  const json seg = ok("image-segmentation", R"([{"label":"cat","mask":"iVBO"}])");
  EXPECT_TRUE(seg["segments"][0]["score"].is_null());
  const json doc = ok("document-question-answering", R"([{"answer":"$1,000"}])");
  EXPECT_TRUE(doc["answers"][0]["score"].is_null());
  EXPECT_TRUE(doc["answers"][0]["start"].is_null());
  const json ner =
      ok("token-classification", R"([{"entity":"B-PER","score":0.9,"word":"Sarah","index":4}])");
  EXPECT_EQ(ner["entities"][0]["entity"], "B-PER");
  EXPECT_TRUE(ner["entities"][0]["start"].is_null());
}

TEST(TaskDecode, ImageToTextListOrObject) {
  EXPECT_EQ(ok("image-to-text", R"([{"generated_text":"a cat"}])"),
            ok("image-to-text", R"({"generated_text":"a cat"})"));
}

TEST(TaskDecode, TextGenerationTgiAndOpenAiShapes) {
  const json openai = ok(
      "text-generation",
      R"({"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":" 42","finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})");
  EXPECT_EQ(openai["generated_text"], " 42");
  EXPECT_EQ(openai["finish_reason"], "length");
  EXPECT_EQ(openai["usage"]["total_tokens"], 6);
  const json tgi =
      ok("text-generation",
         R"([{"generated_text":" 42","details":{"finish_reason":"length","generated_tokens":1}}])");
  EXPECT_EQ(tgi["generated_text"], " 42");
  EXPECT_EQ(tgi["finish_reason"], "length");
  EXPECT_TRUE(tgi["usage"].is_null());
}

TEST(TaskDecode, ChatCompletion) {
  const json chat = ok(
      "conversational",
      R"({"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  EXPECT_EQ(chat["content"], "Hi!");
  EXPECT_EQ(chat["finish_reason"], "stop");
  EXPECT_EQ(chat["model"], "m");
  const json tools = ok(
      "conversational",
      R"({"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})");
  EXPECT_EQ(tools["content"], "");
  EXPECT_EQ(tools["tool_calls"][0]["function"]["name"], "f");
}

TEST(TaskDecode, ErrorInASuccessReplyIsABadResponse) {
  const Error e =
      rejected("image-classification", "application/json", R"({"error":"Model is overloaded"})");
  EXPECT_EQ(e.kind, ErrorKind::bad_response);
  EXPECT_NE(e.message.find("Model is overloaded"), std::string::npos);
  EXPECT_EQ(rejected("conversational", "application/json", R"({"error":{"message":"boom"}})").kind,
            ErrorKind::bad_response);
}

TEST(TaskDecode, UndecodableBodiesCarryAShortSnippet) {
  const std::string long_body = "<html>" + std::string(5000, 'x') + "</html>";
  const Error html = rejected("fill-mask", "text/html", long_body);
  EXPECT_EQ(html.kind, ErrorKind::bad_response);
  EXPECT_LT(html.message.size(), 300u);
  EXPECT_NE(html.message.find("<html>"), std::string::npos);
  EXPECT_EQ(rejected("fill-mask", "application/json", "[{\"score\":").kind,
            ErrorKind::bad_response);
  EXPECT_EQ(rejected("object-detection", "application/json",
                     R"([{"label":"cat","score":1,"box":{"xmin":1}}])")
                .kind,
            ErrorKind::bad_response);
}

TEST(TaskDecode, RawBinaryReplies) {
  const std::string png = test::read_file(test::tiny_png());
  const TaskSpec& t2i = *find_task("text-to-image");
  auto meta = decode(t2i, "image/png", png);
  ASSERT_TRUE(meta);
  EXPECT_EQ(
      *meta,
      json({{"task", "text-to-image"}, {"content_type", "image/png"}, {"bytes", png.size()}}));
  auto payload = binary_result(t2i, "image/png", png);
  ASSERT_TRUE(payload);
  ASSERT_EQ(payload->size(), 1u);
  EXPECT_EQ((*payload)[0].bytes, png);
  EXPECT_EQ(rejected("text-to-speech", "text/html", "<html>busy</html>").kind,
            ErrorKind::bad_response);
}

TEST(TaskDecode, ThirdPartyImageReplies) {
  const std::string png = test::read_file(test::tiny_png());
  const TaskSpec& t2i = *find_task("text-to-image");
  const std::string b64 = base64_encode(png);
  auto together =
      binary_result(t2i, "application/json", R"({"data":[{"b64_json":")" + b64 + "\"}]}");
  ASSERT_TRUE(together);
  EXPECT_EQ((*together)[0].bytes, png);
  auto fal =
      binary_result(t2i, "application/json",
                    R"({"images":[{"url":"https://fal.media/x.png","content_type":"image/png"}]})");
  ASSERT_TRUE(fal);
  EXPECT_EQ((*fal)[0].kind, BinaryResult::Kind::url);
  EXPECT_EQ((*fal)[0].url, "https://fal.media/x.png");
  EXPECT_EQ((*fal)[0].content_type, "image/png");
  auto fal_sync = binary_result(t2i, "application/json",
                                R"({"images":[{"url":"data:image/png;base64,)" + b64 + "\"}]}");
  ASSERT_TRUE(fal_sync);
  EXPECT_EQ((*fal_sync)[0].bytes, png);
  EXPECT_EQ((*fal_sync)[0].content_type, "image/png");
  auto replicate =
      binary_result(t2i, "application/json",
                    R"({"status":"succeeded","output":["https://replicate.delivery/a.webp"]})");
  ASSERT_TRUE(replicate);
  EXPECT_EQ((*replicate)[0].url, "https://replicate.delivery/a.webp");
  auto running = binary_result(t2i, "application/json", R"({"status":"starting","output":null})");
  ASSERT_FALSE(running);
  EXPECT_NE(running.error().message.find("starting"), std::string::npos);
  auto meta = decode(t2i, "application/json", R"({"output":"https://replicate.delivery/a.webp"})");
  ASSERT_TRUE(meta);
  EXPECT_EQ((*meta)["url"], "https://replicate.delivery/a.webp");
}

TEST(TaskDecode, AudioToAudioBlobs) {
  const std::string wav = test::read_file(test::tiny_wav());
  const std::string body =
      R"([{"label":"label_0","blob":")" + base64_encode(wav) + R"(","content-type":"audio/wav"}])";
  auto payloads = binary_result(*find_task("audio-to-audio"), "application/json", body);
  ASSERT_TRUE(payloads);
  EXPECT_EQ((*payloads)[0].bytes, wav);
  EXPECT_EQ((*payloads)[0].label, "label_0");
  auto meta = decode(*find_task("audio-to-audio"), "application/json", body);
  ASSERT_TRUE(meta);
  EXPECT_EQ((*meta)["outputs"][0]["bytes"], wav.size());
  EXPECT_EQ((*meta)["outputs"][0]["content_type"], "audio/wav");
}

} // namespace
} // namespace hfrun::tasks
