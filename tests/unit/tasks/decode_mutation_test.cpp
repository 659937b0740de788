// Untrusted JSON never throws: every recorded reply the tape tests use (the same tapes and
// tests/data/tasks/tape_tasks.json), with each field at every depth replaced, one at a time, by
// null, a number, a string, a list and an object, goes through the readers of server JSON
// (tasks::decode and render, tasks::binary_result, ChatStreamAssembler::feed_data,
// http::stream_error, http::error_from_response). Each must return a value or an Error, never
// throw. To keep this fast (the decoders treat the elements of a list alike, and the events in
// the middle of a stream alike): each list is cut to its first two and its last element before
// mutating, and of each stream the first three and the last three events are mutated.
#include "support.hpp"
#include "tapes.hpp"

#include <exception>
#include <functional>
#include <gtest/gtest.h>
#include <hfrun/http/message.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/http/sse.hpp>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/render.hpp>
#include <regex>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using pointer = json::json_pointer;

using test::Tape;

// The tapes of tests/data/tasks/tape_tasks.json's rules that carry a JSON or SSE body (the skip
// entries and raw binary bodies have no fields to mutate). The fixture is trusted: hfrun's own.
std::vector<Tape> load_tapes() {
  std::vector<Tape> out;
  for (auto& tape : test::load_tape_set().tapes) {
    if (!tape.binary) { // decode_tapes_test.cpp fails for unmapped tapes
      out.push_back(std::move(tape));
    }
  }
  return out;
}

const std::vector<Tape>& tapes() {
  static const std::vector<Tape> all = load_tapes();
  return all;
}

bool is_stream(const Tape& t) {
  return t.content_type.starts_with("text/event-stream");
}

// The values every field is replaced by: one of each JSON type.
const std::vector<json>& replacements() {
  static const std::vector<json> all = {json(nullptr), json(7), json("x"), json::array({1}),
                                        json{{"k", 1}}};
  return all;
}

// `node` with every list cut to its first two and its last element (all rows of an embedding
// stay of one length).
json trimmed(const json& node) {
  if (node.is_object()) {
    json out = json::object();
    for (const auto& [key, child] : node.items()) {
      out[key] = trimmed(child);
    }
    return out;
  }
  if (node.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (i < 2 || i + 1 == node.size()) {
        out.push_back(trimmed(node[i]));
      }
    }
    return out;
  }
  return node;
}

// Every place in `node` to mutate, `at` included.
void collect_pointers(const json& node, const pointer& at, std::vector<pointer>& out) {
  out.push_back(at);
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      collect_pointers(child, at / key, out);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      collect_pointers(node[i], at / i, out);
    }
  }
}

// Calls `each` with every single-field mutation of `doc` (trimmed) and a description of it.
void for_each_mutation(const json& doc,
                       const std::function<void(const json&, const std::string&)>& each) {
  json base = trimmed(doc);
  std::vector<pointer> pointers;
  collect_pointers(base, pointer(), pointers);
  for (const auto& at : pointers) {
    for (const auto& replacement : replacements()) {
      json mutated = base;
      mutated[at] = replacement;
      each(mutated, "'" + at.to_string() + "' = " + replacement.dump());
    }
  }
}

// Runs `fn`, recording an exception (with what was mutated) instead of letting it escape.
struct Recorder {
  std::vector<std::string> thrown;
  std::vector<std::string> wrong_kind;
  int calls = 0;

  void run(const std::string& what, const std::function<void()>& fn) {
    ++calls;
    try {
      fn();
    } catch (const std::exception& e) {
      thrown.push_back(what + ": " + e.what());
    } catch (...) {
      thrown.push_back(what + ": a non-std exception");
    }
  }

  [[nodiscard]] std::string report() const {
    std::string out;
    for (std::size_t i = 0; i < thrown.size() && i < 20; ++i) {
      out += "\n  threw: " + thrown[i];
    }
    for (std::size_t i = 0; i < wrong_kind.size() && i < 20; ++i) {
      out += "\n  " + wrong_kind[i];
    }
    return out;
  }
};

std::vector<std::string> data_lines(const std::string& body) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto end = body.find('\n', at);
    if (end == std::string::npos) {
      end = body.size();
    }
    const std::string_view line = std::string_view(body).substr(at, end - at);
    if (line.starts_with("data:")) {
      out.emplace_back(line.substr(5));
    }
    at = end + 1;
  }
  return out;
}

TEST(DecodeMutation, SuccessRepliesDecodeOrFailAsBadResponseWithEveryFieldMutated) {
  Recorder recorder;
  int replies = 0;
  for (const auto& t : tapes()) {
    const json doc = json::parse(t.body, nullptr, false);
    if (t.status >= 300 || is_stream(t) || doc.is_discarded()) {
      continue;
    }
    ++replies;
    const TaskSpec& spec = *t.spec;
    for_each_mutation(doc, [&](const json& mutated, const std::string& what) {
      const std::string body = mutated.dump();
      const std::string where = t.url + " " + what;
      recorder.run(where, [&] {
        auto result = decode(spec, t.content_type, body);
        if (result) {
          (void)render(spec, *result, RenderOptions{false, 80, "Sarah Jessica Parker"});
        } else if (result.error().kind != ErrorKind::bad_response) {
          recorder.wrong_kind.push_back(where + ": decode gave " + result.error().message);
        }
        if (spec.binary_output) {
          auto payloads = binary_result(spec, t.content_type, body);
          if (!payloads && payloads.error().kind != ErrorKind::bad_response) {
            recorder.wrong_kind.push_back(where + ": binary_result gave " +
                                          payloads.error().message);
          }
        }
      });
    });
  }
  EXPECT_GE(replies, 150);
  EXPECT_GE(recorder.calls, 5000);
  EXPECT_TRUE(recorder.thrown.empty() && recorder.wrong_kind.empty())
      << recorder.thrown.size() << " threw, " << recorder.wrong_kind.size()
      << " failed with another kind than bad_response:" << recorder.report();
}

TEST(DecodeMutation, RenderTakesMutatedNormalizedResults) {
  // The normalized results carry server fields through (ASR chunks, tool calls, usage), and
  // render() accepts any JSON.
  Recorder recorder;
  for (const auto& t : tapes()) {
    if (t.status >= 300 || is_stream(t)) {
      continue;
    }
    auto result = decode(*t.spec, t.content_type, t.body);
    if (!result) {
      continue;
    }
    for_each_mutation(*result, [&](const json& mutated, const std::string& what) {
      recorder.run(t.url + " normalized " + what, [&] {
        (void)render(*t.spec, mutated, RenderOptions{true, 80, "Sarah Jessica Parker"});
      });
    });
  }
  EXPECT_GE(recorder.calls, 1000);
  EXPECT_TRUE(recorder.thrown.empty()) << recorder.thrown.size() << " threw:" << recorder.report();
}

TEST(DecodeMutation, StreamEventsAreFedOrRejectedWithEveryFieldMutated) {
  Recorder recorder;
  int events = 0;
  for (const auto& t : tapes()) {
    if (t.status >= 300 || !is_stream(t)) {
      continue;
    }
    // One assembler per stream: mutated events arrive after real ones, as mid-stream surprises.
    ChatStreamAssembler assembler(std::string(t.spec->name));
    const std::vector<std::string> lines = data_lines(t.body);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const json event = json::parse(lines[i], nullptr, false);
      if ((i >= 3 && i + 3 < lines.size()) || event.is_discarded()) {
        continue; // the middle of the stream; [DONE], and the one corrupt recorded event
      }
      ++events;
      for_each_mutation(event, [&](const json& mutated, const std::string& what) {
        const std::string payload = mutated.dump();
        const std::string where = t.url + " event " + what;
        recorder.run(where, [&] {
          auto delta = assembler.feed_data(payload);
          if (!delta && delta.error().kind != ErrorKind::bad_response &&
              delta.error().kind != ErrorKind::rejected) {
            recorder.wrong_kind.push_back(where + ": feed_data gave " + delta.error().message);
          }
          http::SseEvent sse;
          sse.data = payload;
          (void)http::stream_error(sse);
        });
      });
    }
    recorder.run(t.url + " result", [&] { (void)render(*t.spec, assembler.result()); });
  }
  EXPECT_GE(events, 100);
  EXPECT_TRUE(recorder.thrown.empty() && recorder.wrong_kind.empty())
      << recorder.thrown.size() << " threw, " << recorder.wrong_kind.size()
      << " failed with another kind:" << recorder.report();
}

TEST(DecodeMutation, ErrorBodiesGiveAnErrorWithEveryFieldMutated) {
  Recorder recorder;
  int bodies = 0;
  for (const auto& t : tapes()) {
    const json doc = json::parse(t.body, nullptr, false);
    if (t.status < 300 || doc.is_discarded()) {
      continue;
    }
    ++bodies;
    for_each_mutation(doc, [&](const json& mutated, const std::string& what) {
      http::Response response;
      response.status = t.status;
      response.headers.set("Content-Type", t.content_type);
      response.body = mutated.dump();
      const std::string where = t.url + " error body " + what;
      recorder.run(where, [&] {
        const Error e = http::error_from_response(response, "calling the model");
        if (e.http_status != t.status) {
          recorder.wrong_kind.push_back(where + ": status " +
                                        std::to_string(e.http_status.value_or(0)));
        }
        auto decoded = decode(*t.spec, t.content_type, response.body);
        if (decoded || decoded.error().kind != ErrorKind::bad_response) {
          recorder.wrong_kind.push_back(where + ": decode of an error body was not bad_response");
        }
      });
    });
  }
  EXPECT_GE(bodies, 20);
  EXPECT_TRUE(recorder.thrown.empty() && recorder.wrong_kind.empty())
      << recorder.thrown.size() << " threw, " << recorder.wrong_kind.size()
      << " wrong:" << recorder.report();
}

// The cases of the issue, one by one: what a wrong-typed field gives.
TEST(DecodeMutation, NullWordInATokenClassificationReplyIsAnEmptyWord) {
  auto result = decode(task(TaskId::token_classification), "application/json",
                       R"([{"entity_group":"PER","word":null,"score":0.9,"start":0,"end":5}])");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ((*result)["entities"][0]["word"], "");
  EXPECT_EQ((*result)["entities"][0]["entity"], "PER");
}

TEST(DecodeMutation, WrongTypedRequiredFieldIsABadResponse) {
  auto result = decode(task(TaskId::text_classification), "application/json",
                       R"([{"label":null,"score":0.9}])");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
}

TEST(DecodeMutation, NullChunkIndexCountsAsTheFirstChoice) {
  ChatStreamAssembler assembler;
  auto delta = assembler.feed_data(
      R"({"model":null,"choices":[{"index":null,"delta":{"content":"Hi","role":null}}]})");
  ASSERT_TRUE(delta) << delta.error().message;
  EXPECT_EQ(*delta, "Hi");
  EXPECT_EQ(assembler.result()["model"], "");
  EXPECT_EQ(assembler.result()["role"], "assistant");
}

TEST(DecodeMutation, NullModelInAChatCompletionIsAnEmptyModel) {
  auto result = decode(task(TaskId::conversational), "application/json",
                       R"({"model":null,"choices":[{"message":{"content":null,"tool_calls":[
                           {"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ((*result)["model"], "");
  EXPECT_EQ((*result)["content"], "");
  EXPECT_EQ((*result)["tool_calls"].size(), 1u);
}

TEST(DecodeMutation, DeeplyNestedRepliesAreBadResponsesNotCrashes) {
  // A million nested lists parse without recursion, but dump() and copies of them recurse.
  const std::string deep =
      "{\"choices\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  for (TaskId id : {TaskId::conversational, TaskId::feature_extraction, TaskId::text_to_image}) {
    auto result = decode(task(id), "application/json", deep);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
  }
  ChatStreamAssembler assembler;
  auto delta = assembler.feed_data(deep);
  ASSERT_FALSE(delta);
  EXPECT_EQ(delta.error().kind, ErrorKind::bad_response);
  http::Response response;
  response.status = 500;
  response.body = deep;
  EXPECT_EQ(http::error_from_response(response, "calling the model").kind, ErrorKind::unavailable);
}

} // namespace
} // namespace hfrun::tasks
