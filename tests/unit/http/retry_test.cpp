#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <gtest/gtest.h>
#include <hfrun/http/retry.hpp>

namespace hfrun::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

Headers header(std::string name, std::string value) {
  Headers h;
  h.add(std::move(name), std::move(value));
  return h;
}

// Counts rewinds; its content is fixed so every attempt must send the same bytes.
class CountingBody final : public BodySource {
public:
  explicit CountingBody(bool rewind_fails = false) : m_rewind_fails(rewind_fails) {}
  std::optional<std::uint64_t> size() const override { return m_text.size(); }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min(capacity, m_text.size() - m_offset);
    m_text.copy(buffer, n, m_offset);
    m_offset += n;
    return n;
  }
  Result<void> rewind() override {
    ++rewinds;
    if (m_rewind_fails) {
      return fail(ErrorKind::usage, "cannot rewind stdin");
    }
    m_offset = 0;
    return {};
  }
  int rewinds = 0;

private:
  std::string m_text = R"({"inputs":"hello"})";
  std::size_t m_offset = 0;
  bool m_rewind_fails;
};

class EmittedSink final : public Sink {
public:
  Result<void> begin(int, const Headers&) override { return {}; }
  Result<void> write(std::string_view) override { return {}; }
  Result<void> finish(bool) override { return {}; }
  bool emitted() const override { return true; }
};

class RetryTest : public ::testing::Test {
protected:
  Request request() {
    Request r;
    r.method = "POST";
    r.url = "https://router.example/v1/chat/completions";
    return r;
  }
  FakeTransport transport;
  util::FakeSleeper sleeper;
  RetryPolicy policy;
};

TEST(RetryRules, RetryableStatusesAreExactlyTheTransientOnes) {
  for (int s : {408, 429, 500, 502, 503, 504}) {
    EXPECT_TRUE(is_retryable_status(s)) << s;
  }
  for (int s : {200, 301, 400, 401, 402, 403, 404, 410, 413, 422, 501, 505}) {
    EXPECT_FALSE(is_retryable_status(s)) << s;
  }
}

TEST(RetryRules, RetryableFailures) {
  for (auto f : {TransportFailure::connect, TransportFailure::reset, TransportFailure::timeout,
                 TransportFailure::stalled}) {
    EXPECT_TRUE(is_retryable_failure(f));
  }
  for (auto f :
       {TransportFailure::none, TransportFailure::dns, TransportFailure::tls,
        TransportFailure::too_many_redirects, TransportFailure::aborted, TransportFailure::other}) {
    EXPECT_FALSE(is_retryable_failure(f));
  }
}

TEST(RetryRules, RetryAfterDeltaSeconds) {
  const auto now = util::FakeSleeper().now();
  EXPECT_EQ(parse_retry_after("3", now), 3000ms);
  EXPECT_EQ(parse_retry_after(" 120 ", now), 120'000ms);
  EXPECT_EQ(parse_retry_after("0", now), 0ms);
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

TEST(RetryRules, RetryAfterHttpDatesInAllThreeForms) {
  const auto now = util::FakeSleeper().now(); // Wed, 15 Jan 2025 12:00:00 GMT
  EXPECT_EQ(parse_retry_after("Wed, 15 Jan 2025 12:00:30 GMT", now), 30'000ms);
  EXPECT_EQ(parse_retry_after("Wednesday, 15-Jan-25 12:01:00 GMT", now), 60'000ms);
  EXPECT_EQ(parse_retry_after("Wed Jan 15 12:00:10 2025", now), 10'000ms);
  EXPECT_EQ(parse_retry_after("Thu, 16 Jan 2025 12:00:00 GMT", now), 86'400'000ms);
  EXPECT_EQ(parse_retry_after("Tue, 14 Jan 2025 12:00:00 GMT", now), 0ms); // already past
  EXPECT_FALSE(parse_retry_after("Wed, 32 Jan 2025 12:00:00 GMT", now));
  EXPECT_FALSE(parse_retry_after("Wed, 15 Foo 2025 12:00:00 GMT", now));
}

TEST(RetryRules, RateLimitHeaderGivesTheResetOfAnExhaustedPolicy) {
  EXPECT_EQ(parse_ratelimit(R"("api";r=0;t=55)"), 55'000ms);
  EXPECT_EQ(parse_ratelimit(R"("api"; r=0; t=7)"), 7'000ms);
  EXPECT_EQ(parse_ratelimit(R"("api";t=9)"), 9'000ms);
  EXPECT_FALSE(parse_ratelimit(R"("api";r=450;t=55)")); // quota left: not a reason to wait
  EXPECT_EQ(parse_ratelimit(R"("api";r=3;t=100, "resolvers";r=0;t=20)"), 20'000ms);
  EXPECT_FALSE(parse_ratelimit("garbage"));
}

TEST(RetryRules, ServerDelayPrefersRetryAfter) {
  const auto now = util::FakeSleeper().now();
  Headers both;
  both.add("RateLimit", R"("api";r=0;t=55)");
  both.add("Retry-After", "4");
  EXPECT_EQ(server_delay(both, now), 4000ms);
  EXPECT_EQ(server_delay(header("ratelimit", R"("api";r=0;t=55)"), now), 55'000ms);
  EXPECT_FALSE(server_delay(Headers{}, now));
}

TEST(RetryRules, BackoffIsCappedExponentialWithEqualJitter) {
  RetryPolicy policy;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const auto d0 = next_delay(policy, 0, std::nullopt, rng);
    EXPECT_GE(d0, 250ms);
    EXPECT_LE(d0, 500ms);
    const auto d2 = next_delay(policy, 2, std::nullopt, rng);
    EXPECT_GE(d2, 1000ms);
    EXPECT_LE(d2, 2000ms);
    const auto d20 = next_delay(policy, 20, std::nullopt, rng);
    EXPECT_GE(d20, 10'000ms);
    EXPECT_LE(d20, 20'000ms);
  }
}

TEST(RetryRules, ServerHintWinsAndIsCapped) {
  RetryPolicy policy;
  std::mt19937_64 rng(1);
  EXPECT_EQ(next_delay(policy, 0, 3000ms, rng), 3000ms);
  EXPECT_EQ(next_delay(policy, 2, 0ms, rng), 0ms);
  EXPECT_EQ(next_delay(policy, 0, 600'000ms, rng), policy.max_server_wait);
}

TEST_F(RetryTest, TooManyRequestsWithRetryAfterWaitsExactlyThatLong) {
  transport.push_status(429, header("Retry-After", "3"));
  transport.push_status(200, {}, "ok");
  std::vector<std::string> notes;
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper,
                                [&](std::string_view line) { notes.emplace_back(line); });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok");
  EXPECT_EQ(sleeper.sleeps, (std::vector<milliseconds>{3000ms}));
  EXPECT_EQ(transport.requests.size(), 2u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("HTTP 429"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("3.0 s"), std::string::npos) << notes[0];
}

TEST_F(RetryTest, PersistentServiceUnavailableGivesUpAfterMaxRetries) {
  for (int i = 0; i < 4; ++i) {
    transport.push_status(503, {}, "busy");
  }
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(result); // an HTTP error status is a Response, not an Error
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(transport.requests.size(), 4u);
  EXPECT_EQ(sleeper.sleeps.size(), 3u);
}

TEST_F(RetryTest, HttpDateRetryAfterIsHonoured) {
  transport.push_status(503, header("Retry-After", "Wed, 15 Jan 2025 12:00:42 GMT"));
  transport.push_status(200);
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(result);
  EXPECT_EQ(sleeper.sleeps, (std::vector<milliseconds>{42'000ms}));
}

TEST_F(RetryTest, RateLimitResetIsHonoured) {
  transport.push_status(429, header("RateLimit", R"("api";r=0;t=5)"));
  transport.push_status(200);
  Request r = request();
  ASSERT_TRUE(send_with_retry(transport, r, policy, sleeper));
  EXPECT_EQ(sleeper.sleeps, (std::vector<milliseconds>{5'000ms}));
}

TEST_F(RetryTest, ServerWaitBeyondTheLimitIsNotAttempted) {
  transport.push_status(429, header("Retry-After", "3600"));
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 429);
  EXPECT_TRUE(sleeper.sleeps.empty());
}

TEST_F(RetryTest, CtrlCDuringTheRetryAfterWaitEndsAtOnceAsInterrupted) {
  // A Retry-After: 15 wait, cut short by the token (the real sleeper wakes on it): no resend.
  util::CancelToken token;
  class CancellingSleeper final : public util::Sleeper {
  public:
    explicit CancellingSleeper(util::CancelToken& t) : m_token(t) {}
    void sleep_for(milliseconds duration) override {
      waits.push_back(duration);
      m_token.cancel(2); // SIGINT arrives during the wait
    }
    std::chrono::system_clock::time_point now() override {
      return std::chrono::system_clock::now();
    }
    std::vector<milliseconds> waits;

  private:
    util::CancelToken& m_token;
  } cancelling(token);
  policy.cancel = &token;
  transport.push_status(503, header("Retry-After", "15"));
  transport.push_status(200);
  Request r = request();
  auto result = send_with_retry(transport, r, policy, cancelling);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::interrupted);
  EXPECT_EQ(cancelling.waits, (std::vector<milliseconds>{15'000ms}));
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(RetryTest, NoRetryOnceOutputWasEmitted) {
  EmittedSink sink;
  transport.push_failure(TransportFailure::reset, "connection reset mid-stream");
  Request r = request();
  r.sink = &sink;
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().transport, TransportFailure::reset);
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(sleeper.sleeps.empty());
}

TEST_F(RetryTest, BodyIsRewoundAndResentWhole) {
  auto body = std::make_shared<CountingBody>();
  transport.push_status(502);
  transport.push_failure(TransportFailure::timeout);
  transport.push_status(200);
  Request r = request();
  r.body = body;
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(body->rewinds, 2);
  ASSERT_EQ(transport.requests.size(), 3u);
  for (const auto& sent : transport.requests) {
    EXPECT_EQ(sent.body, R"({"inputs":"hello"})");
  }
}

TEST_F(RetryTest, RewindFailureEndsRetrying) {
  auto body = std::make_shared<CountingBody>(/*rewind_fails=*/true);
  transport.push_status(503);
  Request r = request();
  r.body = body;
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot rewind stdin");
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(RetryTest, NonRetryableOutcomesReturnAtOnce) {
  transport.push_status(422, {}, R"({"error":"bad"})");
  transport.push_failure(TransportFailure::dns, "could not resolve host");
  Request r = request();
  auto rejected = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 422);
  auto dns = send_with_retry(transport, r, policy, sleeper);
  ASSERT_FALSE(dns);
  EXPECT_EQ(dns.error().transport, TransportFailure::dns);
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_TRUE(sleeper.sleeps.empty());
}

TEST_F(RetryTest, ConnectionRefusedIsRetriedAndTheLastErrorReturned) {
  policy.max_retries = 2;
  for (int i = 0; i < 3; ++i) {
    transport.push_failure(TransportFailure::connect, "connection refused " + std::to_string(i));
  }
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "connection refused 2");
  EXPECT_EQ(sleeper.sleeps.size(), 2u);
}

TEST_F(RetryTest, ZeroRetriesSendsOnce) {
  policy.max_retries = 0;
  transport.push_status(503);
  Request r = request();
  auto result = send_with_retry(transport, r, policy, sleeper);
  ASSERT_TRUE(result);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(RetryTest, BatchResendsOnlyTheRetryableOnesAndSleepsOncePerRound) {
  std::vector<Request> batch{request(), request(), request(), request()};
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].url += "?i=" + std::to_string(i);
  }
  auto body = std::make_shared<CountingBody>();
  batch[2].body = body;
  // Round 0: ok, 503 (wait 2 s), 429 (wait 5 s), 404.
  transport.push_status(200, {}, "zero");
  transport.push_status(503, header("Retry-After", "2"));
  transport.push_status(429, header("Retry-After", "5"));
  transport.push_status(404);
  // Round 1: the two retried ones succeed.
  transport.push_status(200, {}, "one");
  transport.push_status(200, {}, "two");
  auto results = send_all_with_retry(transport, batch, policy, sleeper);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]->body, "zero");
  EXPECT_EQ(results[1]->body, "one");
  EXPECT_EQ(results[2]->body, "two");
  EXPECT_EQ(results[3]->status, 404);
  EXPECT_EQ(sleeper.sleeps, (std::vector<milliseconds>{5000ms}));
  EXPECT_EQ(transport.send_all_calls, 2);
  ASSERT_EQ(transport.requests.size(), 6u);
  EXPECT_EQ(transport.requests[4].url, batch[1].url);
  EXPECT_EQ(transport.requests[5].url, batch[2].url);
  EXPECT_EQ(transport.requests[5].body, R"({"inputs":"hello"})");
  EXPECT_EQ(body->rewinds, 1);
  EXPECT_EQ(batch[2].body, body); // requests are handed back intact
}

TEST_F(RetryTest, BatchStopsAfterMaxRetries) {
  policy.max_retries = 2;
  std::vector<Request> batch{request()};
  for (int i = 0; i < 3; ++i) {
    transport.push_status(500);
  }
  auto results = send_all_with_retry(transport, batch, policy, sleeper);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->status, 500);
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(sleeper.sleeps.size(), 2u);
}

} // namespace
} // namespace hfrun::http
