#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/http/retry.hpp>
#include <hfrun/http/sinks.hpp>
#include <sstream>
#include <unistd.h>

namespace hfrun::http {
namespace {

namespace fs = std::filesystem;

Headers content_type(std::string type) {
  Headers h;
  h.add("Content-Type", std::move(type));
  return h;
}

TEST(MemorySink, CollectsUpToTheCapAndFailsBeyondIt) {
  MemorySink sink(8);
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("1234"));
  ASSERT_TRUE(sink.write("5678"));
  auto over = sink.write("9");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::bad_response);
  EXPECT_EQ(over.error().message, "response larger than 8 bytes");
  EXPECT_EQ(sink.body(), "12345678");
  ASSERT_TRUE(sink.begin(200, {})); // a retry starts from empty
  EXPECT_EQ(sink.body(), "");
}

class FileSinkTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("hfrun_sinks_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  [[nodiscard]] bool dir_empty() const {
    return fs::directory_iterator(m_dir) == fs::directory_iterator();
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path m_dir;
};

TEST_F(FileSinkTest, SuccessfulTransferCommitsTheWholeFile) {
  FileSink sink(m_dir / "out.png");
  ASSERT_TRUE(sink.begin(200, content_type("image/png")));
  ASSERT_TRUE(sink.write("\x89PNG"));
  ASSERT_TRUE(sink.write("rest"));
  EXPECT_FALSE(fs::exists(m_dir / "out.png"));
  ASSERT_TRUE(sink.finish(true));
  EXPECT_TRUE(sink.committed());
  EXPECT_EQ(sink.bytes_written(), 8u);
  EXPECT_FALSE(sink.emitted());
  EXPECT_EQ(read(m_dir / "out.png"), "\x89PNGrest");
}

TEST_F(FileSinkTest, FailedDownloadLeavesNoFile) {
  FileSink sink(m_dir / "out.wav");
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("partial"));
  ASSERT_TRUE(sink.finish(false));
  EXPECT_FALSE(sink.committed());
  EXPECT_TRUE(dir_empty());
}

TEST_F(FileSinkTest, DestroyedMidTransferLeavesNoFile) {
  {
    FileSink sink(m_dir / "out.bin");
    ASSERT_TRUE(sink.begin(200, {}));
    ASSERT_TRUE(sink.write("partial"));
  }
  EXPECT_TRUE(dir_empty());
}

TEST_F(FileSinkTest, RetriedTransferKeepsOnlyTheLastAttempt) {
  FileSink sink(m_dir / "out.txt");
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("first attempt, cut"));
  ASSERT_TRUE(sink.finish(false));
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("second"));
  ASSERT_TRUE(sink.finish(true));
  EXPECT_EQ(read(m_dir / "out.txt"), "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator()), 1);
}

TEST_F(FileSinkTest, UnwritableTargetFailsAtBegin) {
  FileSink sink(m_dir / "missing" / "out.txt");
  auto begun = sink.begin(200, {});
  ASSERT_FALSE(begun);
  EXPECT_EQ(begun.error().kind, ErrorKind::usage);
}

TEST(StreamSink, IsEmittedAfterTheFirstByte) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  StreamSink sink(out);
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write(""));
  EXPECT_FALSE(sink.emitted());
  ASSERT_TRUE(sink.write("bytes"));
  EXPECT_TRUE(sink.emitted());
  ASSERT_TRUE(sink.finish(true));
  std::rewind(out);
  char buffer[16] = {};
  EXPECT_EQ(std::fread(buffer, 1, sizeof buffer, out), 5u);
  EXPECT_STREQ(buffer, "bytes");
  std::fclose(out);
}

TEST(SseSink, DeliversEventsAsTheyCompleteAndTheTrailingOneAtFinish) {
  std::vector<std::string> seen;
  SseSink sink([&](const SseEvent& e) -> Result<void> {
    seen.push_back(e.data);
    return {};
  });
  ASSERT_TRUE(sink.begin(200, content_type("text/event-stream; charset=utf-8")));
  ASSERT_TRUE(sink.write("data: {\"a\":1}\r"));
  EXPECT_TRUE(seen.empty());
  ASSERT_TRUE(sink.write("\n\r\n: keep-alive\n\ndata: last"));
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}"}));
  ASSERT_TRUE(sink.finish(true));
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}", "last"}));
  EXPECT_TRUE(sink.is_stream());
  EXPECT_EQ(sink.non_stream_body(), nullptr);
}

TEST(SseSink, NdjsonLinesAreEventsSplitAnywhere) {
  std::vector<std::string> seen;
  SseSink sink([&](const SseEvent& e) -> Result<void> {
    seen.push_back(e.data);
    return {};
  });
  ASSERT_TRUE(sink.begin(200, content_type("application/x-ndjson")));
  ASSERT_TRUE(sink.write("{\"a\":1}\n{\"b\""));
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}"}));
  ASSERT_TRUE(sink.write(":2}\r\n\n{\"done\":true}"));
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  ASSERT_TRUE(sink.finish(true)); // the last line without its newline
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"done\":true}"}));
  EXPECT_TRUE(sink.is_stream());
  EXPECT_EQ(sink.non_stream_body(), nullptr);
}

// An event or NDJSON line that never completes fails at k_max_stream_event, not at the end of
// memory; events up to the cap, however many, pass.
TEST(SseSink, AnEventThatNeverEndsFailsAtTheCap) {
  const std::string kib(1024, 'a');
  for (const char* type : {"text/event-stream", "application/x-ndjson"}) {
    SCOPED_TRACE(type);
    std::size_t events = 0;
    SseSink sink([&](const SseEvent&) -> Result<void> {
      ++events;
      return {};
    });
    ASSERT_TRUE(sink.begin(200, content_type(type)));
    ASSERT_TRUE(sink.write(std::string_view(type).starts_with("text") ? "data: " : "{"));
    Result<void> written;
    std::size_t sent = 0;
    while (written && sent <= k_max_stream_event + kib.size()) {
      written = sink.write(kib);
      sent += kib.size();
    }
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().kind, ErrorKind::bad_response);
    EXPECT_EQ(written.error().message,
              "a stream event larger than 16.0 MiB (the server never ended it)");
    EXPECT_EQ(sent, k_max_stream_event) << "it fails on the first byte past the cap";
    EXPECT_EQ(events, 0U);
  }
}

TEST(SseSink, CallbackErrorAbortsWithThatError) {
  int calls = 0;
  SseSink sink([&](const SseEvent& e) -> Result<void> {
    ++calls;
    if (auto error = stream_error(e)) {
      return unexpected<Error>(*error);
    }
    return {};
  });
  ASSERT_TRUE(sink.begin(200, content_type("text/event-stream")));
  auto written =
      sink.write("data: {\"x\":1}\n\ndata: {\"error\":\"bad\",\"error_type\":\"validation\"}\n\n"
                 "data: {\"x\":2}\n\n");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::rejected);
  EXPECT_EQ(calls, 2);
}

TEST(SseSink, PlainJsonReplyIsCollectedForTheCaller) {
  int calls = 0;
  SseSink sink([&](const SseEvent&) -> Result<void> {
    ++calls;
    return {};
  });
  ASSERT_TRUE(sink.begin(200, content_type("application/json")));
  ASSERT_TRUE(sink.write(R"({"choices":[{"message":)"));
  ASSERT_TRUE(sink.write(R"({"content":"hi"}}]})"));
  ASSERT_TRUE(sink.finish(true));
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(sink.is_stream());
  ASSERT_NE(sink.non_stream_body(), nullptr);
  EXPECT_EQ(*sink.non_stream_body(), R"({"choices":[{"message":{"content":"hi"}}]})");
}

TEST(SseSink, MissingContentTypeIsSniffed) {
  int calls = 0;
  SseSink sink([&](const SseEvent&) -> Result<void> {
    ++calls;
    return {};
  });
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("data: x\n\n"));
  EXPECT_EQ(calls, 1);
  SseSink plain([&](const SseEvent&) -> Result<void> { return {}; });
  ASSERT_TRUE(plain.begin(200, {}));
  ASSERT_TRUE(plain.write("[1,2]"));
  ASSERT_NE(plain.non_stream_body(), nullptr);
  EXPECT_EQ(*plain.non_stream_body(), "[1,2]");
}

TEST(SseSink, EmittedStreamIsNotRetriedAfterAReset) {
  FakeTransport transport;
  util::FakeSleeper sleeper;
  SseSink* self = nullptr;
  SseSink sink([&](const SseEvent&) -> Result<void> {
    self->mark_emitted();
    return {};
  });
  self = &sink;
  Response first;
  first.status = 200;
  first.headers = content_type("text/event-stream");
  first.body = "data: {\"delta\":\"Deep\"}\n\n";
  transport.push(first);
  Request request;
  request.sink = &sink;
  auto result = send_with_retry(transport, request, RetryPolicy{}, sleeper);
  ASSERT_TRUE(result);
  EXPECT_TRUE(sink.emitted());
  // Now the stream breaks: with output already shown, the request must not be sent again.
  transport.push_failure(TransportFailure::reset);
  transport.push(first);
  auto broken = send_with_retry(transport, request, RetryPolicy{}, sleeper);
  ASSERT_FALSE(broken);
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_TRUE(sleeper.sleeps.empty());
}

} // namespace
} // namespace hfrun::http
