// encode() against what the official JS client sent for every task
// (tests/data/peer-captures/inference-requests.jsonl): same body semantics and Content-Type, or a
// difference documented in docs/outputs.md and pinned here.
#include "support.hpp"

#include <gtest/gtest.h>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/task.hpp>
#include <set>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using test::materialize;
using util::base64_decode;
using util::base64_encode;

std::filesystem::path file_for(const json& described) {
  const std::string d = described.get<std::string>();
  return d.find("tiny.wav") != std::string::npos ? test::tiny_wav() : test::tiny_png();
}

// The hfrun inputs a user would give for the JS call `args` (what the CLI builds from
// --text/--file/key=value).
Inputs inputs_for(const TaskSpec& spec, const json& args) {
  Inputs in;
  const json& given = args.contains("inputs") ? args["inputs"] : json();
  if (args.contains("parameters")) {
    in.params = args["parameters"];
  }
  switch (spec.id) {
  case TaskId::question_answering:
  case TaskId::sentence_similarity:
  case TaskId::table_question_answering:
    for (auto it = given.begin(); it != given.end(); ++it) {
      in.params[it.key()] = it.value();
    }
    break;
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
    in.file = file_for(given["image"]);
    in.params["question"] = given["question"];
    break;
  case TaskId::conversational:
    in.messages = args["messages"].dump();
    for (auto it = args.begin(); it != args.end(); ++it) {
      if (it.key() != "messages" && it.key() != "model" && it.key() != "provider") {
        in.params[it.key()] = it.value();
      }
    }
    break;
  default:
    if (spec.input == InputKind::binary) {
      in.file = file_for(given);
    } else {
      in.text = given.get<std::string>();
    }
  }
  return in;
}

struct Capture {
  json record;
  const TaskSpec* spec;
};

std::vector<Capture> inference_captures() {
  std::vector<Capture> out;
  for (auto& r :
       test::read_jsonl(test::shared_dir() / "peer-captures" / "inference-requests.jsonl")) {
    if (r["request_kind"] != "inference") {
      continue;
    }
    const TaskSpec* spec = find_task(r["task"].get<std::string>());
    out.push_back({r, spec});
  }
  return out;
}

Result<EncodedBody> encode_like(const Capture& c) {
  const json& r = c.record;
  EncodeOptions options;
  if (r.contains("body_json") && r["body_json"].is_object() && r["body_json"].contains("model")) {
    options.model = r["body_json"]["model"].get<std::string>();
  }
  if (r["client_method"].get<std::string>().ends_with("Stream")) {
    options.stream = true;
  }
  return encode(*c.spec, inputs_for(*c.spec, r["call_args"]), options);
}

TEST(TaskCapture, EveryCapturedTaskIsKnown) {
  const auto captures = inference_captures();
  ASSERT_GE(captures.size(), 50u);
  std::set<std::string> tasks;
  for (const auto& c : captures) {
    ASSERT_NE(c.spec, nullptr) << c.record["task"];
    tasks.insert(std::string(c.spec->name));
  }
  EXPECT_EQ(tasks.size(), 23u); // every task the JS client was asked to run
}

TEST(TaskCapture, JsonBodiesMatchTheOfficialClient) {
  int compared = 0;
  for (const auto& c : inference_captures()) {
    const json& r = c.record;
    if (r["body_format"] != "json" || r["client_method"] == "imageClassification") {
      continue;
    }
    SCOPED_TRACE(r["client_method"].get<std::string>() + " seq " + r["seq"].dump());
    auto body = encode_like(c);
    ASSERT_TRUE(body) << body.error().message;
    EXPECT_EQ(body->content_type, "application/json");
    const bool embeds = r.contains("body_embeds") && !r["body_embeds"].is_null();
    EXPECT_EQ(body->kind, embeds ? BodyKind::base64_json : BodyKind::json);
    const json ours = json::parse(materialize(*body));
    EXPECT_EQ(ours, r["body_json"]);
    ++compared;
  }
  EXPECT_GE(compared, 40);
}

TEST(TaskCapture, RawBinaryBodiesMatchTheOfficialClient) {
  int compared = 0;
  for (const auto& c : inference_captures()) {
    const json& r = c.record;
    if (r["body_format"] == "json" || r["client_method"] == "imageClassification") {
      continue;
    }
    SCOPED_TRACE(r["client_method"].get<std::string>() + " seq " + r["seq"].dump());
    auto body = encode_like(c);
    ASSERT_TRUE(body) << body.error().message;
    ASSERT_EQ(body->kind, BodyKind::raw_file);
    const std::string bytes = materialize(*body);
    EXPECT_EQ(bytes.size(), r["body_length"].get<std::size_t>());
    const auto head = base64_decode(r["body_b64_head64"].get<std::string>());
    ASSERT_TRUE(head);
    EXPECT_EQ(bytes.substr(0, head->size()), *head);
    // Typed Blobs: the same Content-Type. Untyped Blobs: JS sends none, hfrun the sniffed type
    // (documented difference), which is the typed Blob's.
    const std::string expected = r["content_type"].is_string()
                                     ? r["content_type"].get<std::string>()
                                     : (body->file == test::tiny_wav() ? "audio/wav" : "image/png");
    EXPECT_EQ(body->content_type, expected);
    ++compared;
  }
  EXPECT_GE(compared, 12);
}

// Documented difference: the JS client silently drops imageClassification's parameters and sends
// the raw image; hfrun keeps them and sends base64 JSON, as Python does.
TEST(TaskCapture, ImageClassificationKeepsParametersUnlikeJs) {
  for (const auto& c : inference_captures()) {
    if (c.record["client_method"] != "imageClassification") {
      continue;
    }
    auto body = encode_like(c);
    ASSERT_TRUE(body);
    ASSERT_EQ(body->kind, BodyKind::base64_json);
    const json ours = json::parse(materialize(*body));
    EXPECT_EQ(ours["parameters"], json({{"top_k", 2}}));
    EXPECT_EQ(base64_decode(ours["inputs"].get<std::string>()), test::read_file(test::tiny_png()));
    // And without parameters the body is what JS sent: the raw file.
    Inputs plain;
    plain.file = test::tiny_png();
    auto raw = encode(*c.spec, plain);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->kind, BodyKind::raw_file);
    EXPECT_EQ(raw->content_type, "image/png");
  }
}

} // namespace
} // namespace hfrun::tasks
