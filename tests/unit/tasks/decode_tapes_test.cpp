// decode() / binary_result() / ChatStreamAssembler against every real reply recorded by the JS
// client's test suite (tests/data/recordings/hfjs-tapes.tar.gz). tests/data/tasks/tape_tasks.json
// says which task each tape belongs to; a tape no rule covers fails the test.
#include "support.hpp"
#include "tapes.hpp"

#include <gtest/gtest.h>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <map>
#include <regex>
#include <set>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::base64_decode;

using test::Tape;

std::vector<Tape> load_tapes() {
  test::TapeSet set = test::load_tape_set();
  for (const auto& url : set.unmapped) {
    ADD_FAILURE() << "no rule in tape_tasks.json for " << url;
  }
  for (const auto& task : set.unknown_tasks) {
    ADD_FAILURE() << "tape_tasks.json names a task hfrun lacks: " << task;
  }
  return std::move(set.tapes);
}

const std::vector<Tape>& tapes() {
  static const std::vector<Tape> all = load_tapes();
  return all;
}

// The key of each task's normalized schema (docs/outputs.md).
std::string schema_key(const TaskSpec& spec) {
  switch (spec.id) {
  case TaskId::text_classification:
  case TaskId::image_classification:
  case TaskId::audio_classification:
  case TaskId::zero_shot_classification:
  case TaskId::zero_shot_image_classification:
    return "labels";
  case TaskId::token_classification:
    return "entities";
  case TaskId::question_answering:
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
    return "answers";
  case TaskId::summarization:
    return "summary_text";
  case TaskId::translation:
    return "translation_text";
  case TaskId::image_to_text:
  case TaskId::text_generation:
    return "generated_text";
  case TaskId::fill_mask:
    return "candidates";
  case TaskId::feature_extraction:
    return "embeddings";
  case TaskId::sentence_similarity:
    return "scores";
  case TaskId::text_ranking:
    return "ranking";
  case TaskId::table_question_answering:
    return "answer";
  case TaskId::tabular_classification:
  case TaskId::tabular_regression:
    return "predictions";
  case TaskId::object_detection:
    return "objects";
  case TaskId::image_segmentation:
    return "segments";
  case TaskId::automatic_speech_recognition:
    return "text";
  case TaskId::conversational:
    return "content";
  case TaskId::audio_to_audio:
    return "outputs";
  case TaskId::text_to_image:
  case TaskId::image_to_image:
  case TaskId::text_to_speech:
  case TaskId::text_to_video:
  case TaskId::image_to_video:
    return "content_type";
  }
  return "";
}

bool is_stream(const Tape& t) {
  return t.content_type.starts_with("text/event-stream");
}

TEST(TaskTapes, EveryTapeIsMappedAndEveryTaskHasReplies) {
  ASSERT_GE(tapes().size(), 250u);
  std::set<std::string> tasks;
  for (const auto& t : tapes()) {
    if (t.status < 300) {
      tasks.insert(std::string(t.spec->name));
    }
  }
  // Every task the recordings cover: all but image-to-text's siblings never recorded.
  for (const char* name : {"text-classification",
                           "token-classification",
                           "question-answering",
                           "summarization",
                           "translation",
                           "fill-mask",
                           "feature-extraction",
                           "sentence-similarity",
                           "zero-shot-classification",
                           "table-question-answering",
                           "text-generation",
                           "conversational",
                           "text-to-image",
                           "image-to-image",
                           "image-classification",
                           "object-detection",
                           "image-segmentation",
                           "image-to-text",
                           "automatic-speech-recognition",
                           "audio-classification",
                           "audio-to-audio",
                           "text-to-speech",
                           "zero-shot-image-classification",
                           "visual-question-answering",
                           "document-question-answering",
                           "tabular-classification",
                           "tabular-regression"}) {
    EXPECT_TRUE(tasks.contains(name)) << name;
  }
}

TEST(TaskTapes, EverySuccessReplyDecodesToTheTaskSchema) {
  int decoded = 0;
  for (const auto& t : tapes()) {
    if (t.status >= 300 || is_stream(t)) {
      continue;
    }
    SCOPED_TRACE(t.url + " " + std::to_string(t.status));
    auto result = decode(*t.spec, t.content_type, t.body);
    if (t.body.empty()) {
      // The recorder kept no bytes for some image replies: a 200 image of 0 bytes is broken.
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
      continue;
    }
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ((*result)["task"], t.spec->name);
    const std::string key = schema_key(*t.spec);
    EXPECT_TRUE(result->contains(key) || result->contains("batch") || result->contains("url"))
        << result->dump().substr(0, 300);
    if (t.spec->binary_output) {
      auto payloads = binary_result(*t.spec, t.content_type, t.body);
      ASSERT_TRUE(payloads) << payloads.error().message;
      ASSERT_FALSE(payloads->empty());
      for (const auto& p : *payloads) {
        EXPECT_TRUE(p.kind == BinaryResult::Kind::url ? p.url.starts_with("https://")
                                                      : p.bytes.size() > 100);
      }
    }
    ++decoded;
  }
  EXPECT_GE(decoded, 150);
}

TEST(TaskTapes, EveryErrorReplyIsRejectedCleanly) {
  int rejected = 0;
  for (const auto& t : tapes()) {
    if (t.status < 300) {
      continue;
    }
    SCOPED_TRACE(t.url + " " + std::to_string(t.status));
    auto result = decode(*t.spec, t.content_type, t.body);
    ASSERT_FALSE(result) << result->dump().substr(0, 200);
    EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
    EXPECT_LE(result.error().message.size(), 200u + 120u); // a snippet, not the whole body
    ++rejected;
  }
  EXPECT_GE(rejected, 30);
}

// Feeds an SSE body to the assembler the way the transport would (data: lines, with or without a
// space, other lines ignored).
Result<json> assemble(const Tape& t, std::string* printed) {
  ChatStreamAssembler assembler(std::string(t.spec->name));
  std::size_t at = 0;
  while (at < t.body.size()) {
    auto end = t.body.find('\n', at);
    if (end == std::string::npos) {
      end = t.body.size();
    }
    const std::string_view line = std::string_view(t.body).substr(at, end - at);
    at = end + 1;
    if (!line.starts_with("data:")) {
      continue;
    }
    auto delta = assembler.feed_data(line.substr(5));
    if (!delta) {
      return unexpected(std::move(delta.error()));
    }
    *printed += *delta;
  }
  return assembler.result();
}

TEST(TaskTapes, EveryStreamAssemblesOrReportsItsError) {
  int streams = 0;
  int errors = 0;
  for (const auto& t : tapes()) {
    if (t.status >= 300 || !is_stream(t)) {
      continue;
    }
    SCOPED_TRACE(t.url);
    const bool has_error = t.body.find("data: {\"error\"") != std::string::npos ||
                           t.body.find("data:{\"error\"") != std::string::npos;
    // One recorded Cerebras stream ends in a corrupt event (a stray quote): it must be reported.
    bool corrupt = false;
    for (std::size_t at = t.body.find("data:"); at != std::string::npos;
         at = t.body.find("data:", at + 1)) {
      const auto end = t.body.find('\n', at);
      const std::string data = t.body.substr(at + 5, end == std::string::npos ? end : end - at - 5);
      corrupt = corrupt || (data.find("[DONE]") == std::string::npos &&
                            json::parse(data, nullptr, false).is_discarded());
    }
    std::string printed;
    auto result = assemble(t, &printed);
    if (corrupt) {
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
      continue;
    }
    if (has_error) {
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().kind, ErrorKind::rejected);
      EXPECT_NE(result.error().server_message.find("Input validation error"), std::string::npos);
      ++errors;
      continue;
    }
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(printed.empty());
    const std::string key = t.spec->id == TaskId::conversational ? "content" : "generated_text";
    EXPECT_EQ((*result)[key], printed);
    if (t.spec->id == TaskId::conversational) { // TGI events carry it only with details
      EXPECT_FALSE((*result)["finish_reason"].is_null()) << result->dump();
    }
    ++streams;
  }
  EXPECT_GE(streams, 20);
  EXPECT_GE(errors, 2);
}

TEST(TaskTapes, RecordedValuesSurviveDecoding) {
  std::map<std::string, json> first;
  for (const auto& t : tapes()) {
    if (t.status == 200 && !is_stream(t) && !first.contains(std::string(t.spec->name)) &&
        !t.body.empty() && t.url.starts_with("https://router.huggingface.co/hf-inference/")) {
      auto result = decode(*t.spec, t.content_type, t.body);
      ASSERT_TRUE(result);
      first[std::string(t.spec->name)] = *result;
    }
  }
  EXPECT_EQ(first["text-classification"]["labels"][0]["label"], "POSITIVE");
  EXPECT_EQ(first["token-classification"]["entities"][0]["word"], "Sarah Jessica Parker");
  EXPECT_EQ(first["token-classification"]["entities"][0]["entity"], "PER");
  EXPECT_EQ(first["question-answering"]["answers"][0]["answer"], "Paris");
  EXPECT_EQ(first["question-answering"]["answers"][0]["start"], 25);
  EXPECT_EQ(first["table-question-answering"]["aggregator"], "AVERAGE");
  EXPECT_EQ(first["object-detection"]["objects"][0]["box"]["xmin"], 506);
  EXPECT_EQ(first["tabular-classification"]["predictions"], json({5, 5, 7}));
  EXPECT_EQ(first["sentence-similarity"]["scores"].size(), 3u);
  EXPECT_EQ(first["audio-to-audio"]["outputs"][0]["content_type"], "audio/flac");
}

} // namespace
} // namespace hfrun::tasks
