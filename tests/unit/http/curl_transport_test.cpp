#include "support/loopback_server.hpp"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <hfrun/http/transport.hpp>
#include <random>

namespace hfrun::http {
namespace {

using namespace std::chrono_literals;

// Generates `size` pseudo-random bytes in small pieces, as a file upload would arrive.
class GeneratedBody final : public BodySource {
public:
  explicit GeneratedBody(std::size_t size) : m_size(size) {}
  std::optional<std::uint64_t> size() const override { return m_size; }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min({capacity, m_size - m_offset, std::size_t{1000}});
    for (std::size_t i = 0; i < n; ++i) {
      buffer[i] = byte_at(m_offset + i);
    }
    m_offset += n;
    return n;
  }
  Result<void> rewind() override {
    m_offset = 0;
    ++rewinds;
    return {};
  }
  static char byte_at(std::size_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
  int rewinds = 0;

private:
  std::size_t m_size;
  std::size_t m_offset = 0;
};

class CollectingSink final : public Sink {
public:
  Result<void> begin(int status, const Headers&) override {
    began_with = status;
    return {};
  }
  Result<void> write(std::string_view chunk) override {
    body.append(chunk);
    return {};
  }
  Result<void> finish(bool ok) override {
    finished_ok = ok;
    finished = true;
    return {};
  }
  int began_with = 0;
  std::string body;
  bool finished = false;
  bool finished_ok = false;
};

class CurlTransportTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto& s = m_server.server();
    s.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Request-Id", "req-1");
      res.set_content("hello world", "text/plain");
    });
    s.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"error":"Model x does not exist"})", "application/json");
    });
    s.Post("/upload", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()) + ":" +
                          (req.body == expected_upload(req.body.size()) ? "same" : "different") +
                          ":" + req.get_header_value("Content-Type"),
                      "text/plain");
    });
    s.Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.has_header("Authorization") ? req.get_header_value("Authorization")
                                                      : "<none>",
                      "text/plain");
    });
    s.Get("/redirect-same", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(m_server.url() + "/auth", 302);
    });
    s.Get("/redirect-other", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(m_server.other_host_url() + "/auth", 302);
    });
    s.Get("/loop",
          [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop", 302); });
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(300ms);
      res.set_content("slow", "text/plain");
    });
    s.Get("/ua", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("User-Agent"), "text/plain");
    });
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "application/octet-stream");
    });
    s.new_task_queue = [] { return new httplib::ThreadPool(16); };
    m_server.start();
  }

  static std::string expected_upload(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
      s[i] = GeneratedBody::byte_at(i);
    }
    return s;
  }

  std::unique_ptr<Transport> transport(TransportOptions options = {}) {
    return make_curl_transport(options);
  }

  test::LoopbackServer m_server;
};

TEST_F(CurlTransportTest, GetReturnsStatusHeadersAndBody) {
  Request r;
  r.url = m_server.url() + "/hello";
  auto result = transport()->send(r);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello world");
  EXPECT_EQ(result->headers.get("x-request-id").value_or(""), "req-1");
}

TEST_F(CurlTransportTest, HttpErrorStatusIsAResponseNotAnError) {
  Request r;
  r.url = m_server.url() + "/missing";
  auto result = transport()->send(r);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_NE(result->body.find("does not exist"), std::string::npos);
}

TEST_F(CurlTransportTest, StreamedUploadArrivesByteForByte) {
  Request r;
  r.method = "POST";
  r.url = m_server.url() + "/upload";
  r.headers.set("Content-Type", "application/octet-stream");
  auto body = std::make_shared<GeneratedBody>(3 * 1024 * 1024 + 17);
  r.body = body;
  auto result = transport()->send(r);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->body, std::to_string(3 * 1024 * 1024 + 17) + ":same:application/octet-stream");
}

TEST_F(CurlTransportTest, UploadProgressIsReportedUpToTheWholeBody) {
  constexpr std::uint64_t size = 3 * 1024 * 1024 + 17;
  Request r;
  r.method = "POST";
  r.url = m_server.url() + "/upload";
  r.body = std::make_shared<GeneratedBody>(size);
  std::uint64_t last_sent = 0;
  std::uint64_t last_total = 0;
  bool monotonic = true;
  r.upload_progress = [&](std::uint64_t sent, std::uint64_t total) {
    monotonic = monotonic && sent >= last_sent;
    last_sent = sent;
    last_total = total;
  };
  auto result = transport()->send(r);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(monotonic);
  EXPECT_EQ(last_sent, size);
  EXPECT_EQ(last_total, size);
}

TEST_F(CurlTransportTest, SameHostRedirectKeepsAuthorization) {
  Request r;
  r.url = m_server.url() + "/redirect-same";
  r.headers.set("Authorization", "Bearer secret-value");
  auto result = transport()->send(r);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "Bearer secret-value");
  EXPECT_EQ(result->redirects, 1);
}

TEST_F(CurlTransportTest, CrossHostRedirectDropsAuthorization) {
  Request r;
  r.url = m_server.url() + "/redirect-other";
  r.headers.set("Authorization", "Bearer secret-value");
  auto result = transport()->send(r);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "<none>");
  EXPECT_EQ(result->effective_url, m_server.other_host_url() + "/auth");
}

TEST_F(CurlTransportTest, RedirectLoopIsABadResponse) {
  Request r;
  r.url = m_server.url() + "/loop";
  TransportOptions options;
  options.max_redirects = 5;
  auto result = transport(options)->send(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().transport, TransportFailure::too_many_redirects);
  EXPECT_EQ(exit_code_for(result.error().kind), 9);
}

TEST_F(CurlTransportTest, ConnectionRefusedIsANetworkError) {
  Request r;
  test::LoopbackServer closed;
  closed.start();
  const std::string url = closed.url() + "/";
  closed.stop();
  r.url = url;
  auto result = transport()->send(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().transport, TransportFailure::connect);
  EXPECT_EQ(exit_code_for(result.error().kind), 8);
}

TEST_F(CurlTransportTest, OverallTimeoutIsUnavailable) {
  Request r;
  r.url = m_server.url() + "/slow";
  r.timeouts = Timeouts{1000ms, 100ms, 0ms};
  auto result = transport()->send(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().transport, TransportFailure::timeout);
  EXPECT_EQ(exit_code_for(result.error().kind), 7);
}

TEST_F(CurlTransportTest, SuccessBodyGoesToTheSinkAndErrorBodyToTheResponse) {
  CollectingSink sink;
  Request ok;
  ok.url = m_server.url() + "/hello";
  ok.sink = &sink;
  auto result = transport()->send(ok);
  ASSERT_TRUE(result);
  EXPECT_EQ(sink.body, "hello world");
  EXPECT_TRUE(sink.finished_ok);
  EXPECT_TRUE(result->body.empty());

  CollectingSink untouched;
  Request missing;
  missing.url = m_server.url() + "/missing";
  missing.sink = &untouched;
  auto error_result = transport()->send(missing);
  ASSERT_TRUE(error_result);
  EXPECT_EQ(untouched.began_with, 0);
  EXPECT_NE(error_result->body.find("does not exist"), std::string::npos);
}

TEST_F(CurlTransportTest, MemoryCapStopsAnOversizedSuccessBody) {
  Request r;
  r.url = m_server.url() + "/big";
  r.max_body_in_memory = 1000;
  auto result = transport()->send(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
}

TEST_F(CurlTransportTest, SendAllRunsConcurrentlyAndKeepsOrder) {
  TransportOptions options;
  options.max_concurrency = 8;
  auto t = transport(options);
  // Five: cpp-httplib listens with a backlog of 5, more would measure the server's SYN retries.
  std::vector<Request> requests(5);
  for (auto& r : requests) {
    r.url = m_server.url() + "/slow";
  }
  requests[3].url = m_server.url() + "/hello";
  const auto start = std::chrono::steady_clock::now();
  auto results = t->send_all(requests, 0);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(results.size(), 5u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]);
    EXPECT_EQ(results[i]->body, i == 3 ? "hello world" : "slow");
  }
  // Four 300 ms requests one after another would take 1.2 s.
  EXPECT_LT(elapsed, 1000ms);
}

TEST_F(CurlTransportTest, CancelFlagInterruptsTransfers) {
  util::CancelToken cancel;
  cancel.cancel();
  TransportOptions options;
  options.cancel = &cancel;
  Request r;
  r.url = m_server.url() + "/slow";
  auto result = transport(options)->send(r);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::interrupted);
}

TEST_F(CurlTransportTest, HeaderLogMasksCredentials) {
  std::vector<std::string> lines;
  TransportOptions options;
  options.header_log = [&](std::string_view line) { lines.emplace_back(line); };
  Request r;
  r.url = m_server.url() + "/hello";
  r.headers.set("Authorization", "Bearer secret-value");
  ASSERT_TRUE(transport(options)->send(r));
  bool saw_auth = false;
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("secret-value"), std::string::npos) << line;
    saw_auth = saw_auth || line == "> Authorization: Bearer ***";
  }
  EXPECT_TRUE(saw_auth);
  EXPECT_FALSE(lines.empty());
}

TEST_F(CurlTransportTest, UserAgentNamesHfrunAndItsVersion) {
  Request r;
  r.url = m_server.url() + "/ua";
  auto result = transport()->send(r);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, std::string("hfrun/") + HFRUN_VERSION);
}

} // namespace
} // namespace hfrun::http
