// One rate limiter shared by every request of a batch: a throttled reply (429, or 503 with a
// server-requested wait) pauses new attempts for everyone until the server's wait has passed and
// halves the number allowed in flight; each other reply widens it again by 1/window (additive
// increase, multiplicative decrease, as TCP's congestion avoidance). It starts narrow and doubles
// each round trip up to -j (slow start), so 64 connections are not opened at one instant at a
// server that may drop what overflows its accept queue. So many workers on one
// rate-limited token back off together instead of each hammering the server with its own retries.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <hfrun/http/transport.hpp>
#include <memory>
#include <mutex>
#include <optional>

namespace hfrun::http {

struct LimiterPolicy {
  std::size_t max_window = 64; // the most attempts in flight (-j)
  std::size_t min_window = 1;
  std::size_t initial_window = 8;                // slow start from here (at most max_window)
  double decrease = 0.5;                         // window *= decrease on a throttled reply
  std::chrono::milliseconds default_pause{1000}; // a 429 without Retry-After or RateLimit
  std::chrono::milliseconds max_pause{120'000};  // a longer server wait is cut to this
};

// What an attempt's reply says to the limiter.
struct AttemptOutcome {
  bool throttled = false;                         // 429, or 503 with a server delay
  std::optional<std::chrono::milliseconds> delay; // the server's wait (Retry-After, RateLimit)
};

// The pure decisions, with time passed in (tests drive it with made-up instants).
class AimdWindow {
public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit AimdWindow(LimiterPolicy policy);

  // Whether an attempt may start at `now`: a slot in the window is free and no pause is running.
  [[nodiscard]] bool may_start(TimePoint now) const;
  // Records a start (call only when may_start).
  void start();
  // Records an attempt's end. `started` is when it began: replies to attempts sent before the
  // last decrease do not shrink the window again (one storm of 429s is one congestion event).
  void finish(TimePoint now, TimePoint started, const AttemptOutcome& outcome);

  [[nodiscard]] double window() const { return m_window; }
  [[nodiscard]] std::size_t in_flight() const { return m_in_flight; }
  [[nodiscard]] TimePoint paused_until() const { return m_paused_until; }
  [[nodiscard]] std::size_t throttled() const { return m_throttled; }

private:
  LimiterPolicy m_policy;
  double m_window;
  std::size_t m_in_flight = 0;
  TimePoint m_paused_until{};
  TimePoint m_last_decrease{};
  double m_threshold; // slow start below it (each reply +1), congestion avoidance above
  std::size_t m_throttled = 0;
};

// What a reply says to the limiter (`now` reads HTTP-date Retry-After values).
[[nodiscard]] AttemptOutcome classify_attempt(const Result<Response>& reply,
                                              std::chrono::system_clock::time_point now);

// A Transport that sends through `inner` under one AimdWindow: send() waits for a slot and the
// end of any pause (or the cancel token). Safe to call from many threads. send_all goes straight
// through (the limiter is for one-request calls, as batch items make).
class LimitedTransport final : public Transport {
public:
  LimitedTransport(std::unique_ptr<Transport> inner,
                   LimiterPolicy policy,
                   const util::CancelToken* cancel);

  Result<Response> send(Request& request) override;
  std::vector<Result<Response>> send_all(std::vector<Request>& requests,
                                         std::size_t max_in_flight) override;

  // Requests this thread sent through any LimitedTransport since the last reset (a batch item's
  // attempts, retries included).
  static std::size_t attempts_of_this_thread();
  // Of those, the ones that sent the same request again (send_with_retry resends the Request it
  // was given).
  static std::size_t retries_of_this_thread();
  static void reset_attempts_of_this_thread();
  // Throttled replies seen so far.
  [[nodiscard]] std::size_t throttled() const;

private:
  std::unique_ptr<Transport> m_inner;
  const util::CancelToken* m_cancel;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  AimdWindow m_window; // guarded by m_mutex
};

} // namespace hfrun::http
