#include <gtest/gtest.h>
#include <hfrun/http/sse.hpp>

namespace hfrun::http {
namespace {

std::vector<SseEvent> parse_all(std::string_view stream, std::size_t piece = 0) {
  SseParser parser;
  std::vector<SseEvent> events;
  if (piece == 0) {
    parser.feed(stream, events);
  } else {
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      parser.feed(stream.substr(at, piece), events);
    }
  }
  parser.finish(events);
  return events;
}

std::vector<std::string> datas(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    out.push_back(e.data);
  }
  return out;
}

TEST(SseParser, DataWithAndWithoutTheLeadingSpace) {
  // Recorded TGI 2.0 wrote "data:{...}"; OpenAI-style servers write "data: {...}".
  const auto events = parse_all("data:{\"a\":1}\n\ndata: {\"b\":2}\n\ndata:  two spaces\n\n");
  EXPECT_EQ(datas(events), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", " two spaces"}));
}

TEST(SseParser, MultipleDataLinesAreJoinedWithNewlines) {
  const auto events = parse_all("data: first\ndata:\ndata: third\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "first\n\nthird");
}

TEST(SseParser, EventIdAndRetryFields) {
  const auto events = parse_all("event: generating\nid: 7\nretry: 1500\ndata: x\n\ndata: "
                                "y\n\nretry: abc\nevent: complete\ndata: z\n\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event, "generating");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].retry, 1500);
  EXPECT_EQ(events[1].event, "message"); // the event type does not persist
  EXPECT_EQ(events[1].id, "7");          // the last event id does
  EXPECT_EQ(events[2].event, "complete");
  EXPECT_EQ(events[2].retry, 1500); // an invalid retry: is ignored
}

TEST(SseParser, CommentsAndKeepAlivesAreIgnored) {
  const auto events = parse_all(": ping\n\n:\n\ndata: a\n: in the middle\ndata: b\n\n");
  EXPECT_EQ(datas(events), (std::vector<std::string>{"a\nb"}));
}

TEST(SseParser, BlockWithoutDataIsNotDispatched) {
  const auto events = parse_all("event: heartbeat\nid: 3\n\ndata: real\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "real");
  EXPECT_EQ(events[0].event, "message");
}

TEST(SseParser, AllLineEndingsAndEverySplitGiveTheSameEvents) {
  const std::vector<std::string> expected{"{\"t\":\"Deep\"}", "multi\nline", "[DONE]"};
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    std::string stream;
    for (const char* line : {"data: {\"t\":\"Deep\"}", "", ": keep-alive", "data: multi",
                             "data: line", "", "data: [DONE]", ""}) {
      stream += line;
      stream += eol;
    }
    for (std::size_t piece : {0u, 1u, 2u, 3u, 5u, 7u}) {
      EXPECT_EQ(datas(parse_all(stream, piece)), expected)
          << "eol=" << (eol[0] == '\r' ? (eol[1] ? "CRLF" : "CR") : "LF") << " piece=" << piece;
    }
  }
}

TEST(SseParser, CrlfSplitAcrossChunksIsOneLineEnd) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed("data: a\r", events);
  parser.feed("\n\r", events);
  parser.feed("\ndata: b\r\n\r\n", events);
  EXPECT_EQ(datas(events), (std::vector<std::string>{"a", "b"}));
}

TEST(SseParser, TrailingEventWithoutBlankLineIsDispatchedAtFinish) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed("data: one\n\ndata: two", events);
  EXPECT_EQ(events.size(), 1u);
  parser.finish(events);
  EXPECT_EQ(datas(events), (std::vector<std::string>{"one", "two"}));
}

TEST(SseParser, LeadingBomIsSkippedEvenWhenSplit) {
  const std::string stream = "\xEF\xBB\xBF"
                             "data: x\n\n";
  EXPECT_EQ(datas(parse_all(stream, 1)), (std::vector<std::string>{"x"}));
  EXPECT_EQ(datas(parse_all(stream)), (std::vector<std::string>{"x"}));
}

TEST(SseParser, FieldWithoutColonIsAFieldWithEmptyValue) {
  const auto events = parse_all("data\ndata\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "\n");
}

TEST(SseHelpers, IsDoneOnlyForTheDoneMarker) {
  SseEvent done;
  done.data = "[DONE]";
  SseEvent chunk;
  chunk.data = R"({"choices":[]})";
  EXPECT_TRUE(is_done(done));
  EXPECT_FALSE(is_done(chunk));
}

SseEvent with_data(std::string data) {
  SseEvent e;
  e.data = std::move(data);
  return e;
}

TEST(SseHelpers, TgiValidationErrorInsideA200Stream) {
  // Recorded (JS tape meta-llama/Llama-3.2-3B stream).
  const auto error = stream_error(with_data(
      R"({"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4 `inputs` tokens and 10000 `max_new_tokens`","error_type":"validation"})"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::rejected);
  EXPECT_EQ(exit_code_for(error->kind), 6);
  EXPECT_EQ(error->message, "the server reported an error inside the stream");
  EXPECT_EQ(error->server_message,
            "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4 "
            "`inputs` tokens and 10000 `max_new_tokens` [validation]");
  EXPECT_FALSE(error->hint.empty());
}

TEST(SseHelpers, ErrorObjectWithMessageAndTypes) {
  auto openai =
      stream_error(with_data(R"({"error":{"message":"boom","type":"server_error","code":500}})"));
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->kind, ErrorKind::unavailable);
  EXPECT_EQ(openai->server_message, "boom [server_error]");

  auto overloaded =
      stream_error(with_data(R"({"error":"Model is overloaded","error_type":"overloaded"})"));
  ASSERT_TRUE(overloaded);
  EXPECT_EQ(overloaded->kind, ErrorKind::unavailable);

  auto limited = stream_error(with_data(R"({"error":{"message":"slow down","code":429}})"));
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->kind, ErrorKind::rate_limited);

  auto plain = stream_error(with_data(R"({"error":"something"})"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->kind, ErrorKind::rejected);
  EXPECT_EQ(plain->server_message, "something");
}

TEST(SseHelpers, OrdinaryChunksAreNotErrors) {
  EXPECT_FALSE(stream_error(with_data("[DONE]")));
  EXPECT_FALSE(stream_error(with_data(R"({"choices":[{"delta":{"content":"error"}}]})")));
  EXPECT_FALSE(stream_error(with_data(R"({"error":null,"choices":[]})")));
  EXPECT_FALSE(stream_error(with_data("{not json")));
}

} // namespace
} // namespace hfrun::http
