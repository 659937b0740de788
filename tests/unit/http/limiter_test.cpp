#include "fake_transport.hpp"

#include <gtest/gtest.h>
#include <hfrun/http/limiter.hpp>
#include <thread>

namespace hfrun::http {
namespace {

using namespace std::chrono_literals;
using TimePoint = AimdWindow::TimePoint;

const TimePoint t0 = TimePoint{} + 1000s;

// Without slow start: the window starts at -j.
LimiterPolicy policy(std::size_t max) {
  LimiterPolicy p;
  p.max_window = max;
  p.initial_window = max;
  return p;
}

TEST(AimdWindow, StartsWideAndFillsItsWindow) {
  AimdWindow w(policy(3));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.may_start(t0));
    w.start();
  }
  EXPECT_FALSE(w.may_start(t0));
  w.finish(t0, t0, {});
  EXPECT_TRUE(w.may_start(t0));
}

TEST(AimdWindow, SlowStartDoublesEachRoundTripUpToTheCeiling) {
  LimiterPolicy p;
  p.max_window = 64;
  p.initial_window = 8;
  AimdWindow w(p);
  EXPECT_EQ(w.window(), 8.0);
  // A round trip: the whole window comes back, each reply widens it by one.
  for (double expected : {16.0, 32.0, 64.0, 64.0}) {
    const auto n = static_cast<int>(w.window());
    for (int i = 0; i < n; ++i) {
      w.start();
      w.finish(t0, t0, {});
    }
    EXPECT_EQ(w.window(), expected);
  }
}

TEST(AimdWindow, AfterADecreaseItGrowsByOneARoundTrip) {
  AimdWindow w(policy(64));
  w.start();
  w.finish(t0, t0, {true, 0ms}); // 32, and slow start ends there
  for (int i = 0; i < 32; ++i) {
    w.start();
    w.finish(t0 + 1s, t0 + 1s, {});
  }
  EXPECT_LT(w.window(), 33.1);
}

TEST(AimdWindow, ThrottledReplyHalvesTheWindowAndPausesEveryone) {
  AimdWindow w(policy(64));
  w.start();
  w.finish(t0, t0, {true, 5s});
  EXPECT_EQ(w.window(), 32.0);
  EXPECT_EQ(w.paused_until(), t0 + 5s);
  EXPECT_FALSE(w.may_start(t0 + 4999ms));
  EXPECT_TRUE(w.may_start(t0 + 5s));
}

TEST(AimdWindow, OneStormOfThrottledRepliesIsOneDecrease) {
  AimdWindow w(policy(64));
  for (int i = 0; i < 10; ++i) {
    w.start();
  }
  // Ten attempts sent at t0 all come back 429: the window halves once, not ten times.
  for (int i = 0; i < 10; ++i) {
    w.finish(t0 + 10ms, t0, {true, 1s});
  }
  EXPECT_EQ(w.window(), 32.0);
  EXPECT_EQ(w.throttled(), 10u);
  // An attempt sent after that decrease and throttled again halves it again.
  w.start();
  w.finish(t0 + 2s, t0 + 1100ms, {true, 1s});
  EXPECT_EQ(w.window(), 16.0);
}

TEST(AimdWindow, SuccessesWidenByOneOverTheWindow) {
  AimdWindow w(policy(64));
  w.start();
  w.finish(t0, t0, {true, 0ms}); // 32
  for (int i = 0; i < 32; ++i) {
    w.start();
    w.finish(t0 + 1s, t0 + 1s, {});
  }
  // 32 replies at window ~32 widen it by about one.
  EXPECT_GT(w.window(), 32.9);
  EXPECT_LT(w.window(), 33.1);
}

TEST(AimdWindow, NeverBelowTheFloorNorAboveTheCeiling) {
  AimdWindow w(policy(4));
  for (int i = 0; i < 5; ++i) {
    const TimePoint at = t0 + std::chrono::seconds(10 * i);
    w.start();
    w.finish(at, at, {true, 0ms});
  }
  EXPECT_EQ(w.window(), 1.0);
  EXPECT_TRUE(w.may_start(t0 + 100s));
  for (int i = 0; i < 1000; ++i) {
    w.start();
    w.finish(t0 + 100s, t0 + 100s, {});
  }
  EXPECT_EQ(w.window(), 4.0);
}

TEST(AimdWindow, ThrottledWithoutAServerWaitPausesForTheDefault) {
  AimdWindow w(policy(8));
  w.start();
  w.finish(t0, t0, {true, std::nullopt});
  EXPECT_EQ(w.paused_until(), t0 + 1s);
}

TEST(AimdWindow, AServerWaitIsCappedAtTheLongestPause) {
  AimdWindow w(policy(8));
  w.start();
  w.finish(t0, t0, {true, 3600s});
  EXPECT_EQ(w.paused_until(), t0 + 120s);
}

TEST(ClassifyAttempt, TooManyRequestsAndUnavailableWithAWaitAreThrottled) {
  const auto now = std::chrono::system_clock::now();
  Response r429;
  r429.status = 429;
  r429.headers.add("Retry-After", "7");
  const auto a = classify_attempt(r429, now);
  EXPECT_TRUE(a.throttled);
  EXPECT_EQ(a.delay, std::optional(std::chrono::milliseconds(7000)));

  Response r503;
  r503.status = 503;
  EXPECT_FALSE(classify_attempt(r503, now).throttled); // a plain outage, not a rate limit
  r503.headers.add("Retry-After", "2");
  EXPECT_TRUE(classify_attempt(r503, now).throttled);

  Response ok;
  ok.status = 200;
  EXPECT_FALSE(classify_attempt(ok, now).throttled);
}

TEST(LimitedTransport, CountsTheAttemptsOfEachThread) {
  auto fake = std::make_unique<FakeTransport>();
  fake->push_status(200);
  fake->push_status(200);
  fake->push_status(200);
  LimitedTransport limited(std::move(fake), policy(4), nullptr);
  LimitedTransport::reset_attempts_of_this_thread();
  Request request;
  request.url = "http://x/";
  ASSERT_TRUE(limited.send(request));
  ASSERT_TRUE(limited.send(request));
  EXPECT_EQ(LimitedTransport::attempts_of_this_thread(), 2u);
  std::size_t other = 99;
  std::thread([&] {
    (void)limited.send(request);
    other = LimitedTransport::attempts_of_this_thread();
  }).join();
  EXPECT_EQ(other, 1u);
  EXPECT_EQ(LimitedTransport::attempts_of_this_thread(), 2u);
}

TEST(LimitedTransport, AThrottledReplyHoldsBackTheNextSendForTheServersWait) {
  auto fake = std::make_unique<FakeTransport>();
  Headers h;
  h.add("Retry-After", "1");
  fake->push_status(429, h);
  fake->push_status(200);
  LimitedTransport limited(std::move(fake), policy(4), nullptr);
  Request request;
  request.url = "http://x/";
  ASSERT_EQ(limited.send(request)->status, 429);
  const auto before = std::chrono::steady_clock::now();
  ASSERT_EQ(limited.send(request)->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - before, 900ms);
  EXPECT_EQ(limited.throttled(), 1u);
}

TEST(LimitedTransport, ACancelledTokenEndsTheWaitAsInterrupted) {
  auto fake = std::make_unique<FakeTransport>();
  Headers h;
  h.add("Retry-After", "60");
  fake->push_status(429, h);
  util::CancelToken cancel;
  LimitedTransport limited(std::move(fake), policy(4), &cancel);
  Request request;
  request.url = "http://x/";
  ASSERT_EQ(limited.send(request)->status, 429);
  std::thread canceller([&] {
    std::this_thread::sleep_for(50ms);
    cancel.cancel();
  });
  auto second = limited.send(request);
  canceller.join();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::interrupted);
}

} // namespace
} // namespace hfrun::http
