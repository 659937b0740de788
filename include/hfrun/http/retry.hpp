// When and how long to wait before sending a request again: capped exponential backoff with
// jitter, overridden by the server's own Retry-After / RateLimit hint; never once output reached
// the user.
#pragma once

#include <chrono>
#include <functional>
#include <hfrun/http/transport.hpp>
#include <hfrun/util/cancel.hpp>
#include <hfrun/util/clock.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace hfrun::http {

struct RetryPolicy {
  int max_retries = 3;                                // resends after the first attempt (--retries)
  std::chrono::milliseconds base{500};                // first backoff
  std::chrono::milliseconds cap{20'000};              // largest backoff
  std::chrono::milliseconds max_server_wait{120'000}; // longest server-requested wait honoured
  double multiplier = 2.0;
  // The command's cancellation token: a wait between attempts ends at once when it is cancelled,
  // and the send ends with ErrorKind::interrupted. Null: waits are not interruptible.
  const util::CancelToken* cancel = nullptr;
};

// A line for the user about a retry ("... retrying in 3.0 s (retry 1 of 3)").
using RetryNote = std::function<void(std::string_view)>;

// 408, 429, 500, 502, 503, 504: statuses where the same request may succeed later.
[[nodiscard]] bool is_retryable_status(int status);

// connect, reset, timeout, stalled. Not dns: a name that does not resolve is nearly always a typo
// or no network at all, and fails again in a second, so hfrun reports it at once (exit 8). Not
// tls, redirects, aborted (a sink refused the data), other.
[[nodiscard]] bool is_retryable_failure(TransportFailure failure);

// Retry-After (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or asctime)
// turned into a wait from `now` (0 when already past). nullopt when unparseable.
[[nodiscard]] std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

// RateLimit (IETF draft, as sent by the Hub: `"api";r=0;t=55`): the reset time t in seconds of the
// exhausted policy (r=0, or r absent); the largest if several. nullopt when none is exhausted: a
// header that merely reports remaining quota must not delay a retry.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_ratelimit(std::string_view value);

// The server's requested wait: Retry-After first, else RateLimit.
[[nodiscard]] std::optional<std::chrono::milliseconds>
server_delay(const Headers& headers, std::chrono::system_clock::time_point now);

// The wait before retry number `attempt` (0 for the first retry). With a server hint: the hint,
// capped at max_server_wait, exactly (the server knows best, and a test can check it). Without:
// d = min(cap, base * multiplier^attempt), then "equal jitter": d/2 + uniform[0, d/2], so retries
// of many clients spread out but never collapse to 0.
[[nodiscard]] std::chrono::milliseconds
next_delay(const RetryPolicy& policy,
           int attempt,
           std::optional<std::chrono::milliseconds> server_hint,
           std::mt19937_64& rng);

// Sends `request`, resending while the status or failure is retryable and retries remain. Never
// resends once request.sink->emitted(), nor when the server asks to wait longer than
// max_server_wait (waiting less would only be refused again). The body is rewound before each
// resend; a rewind failure ends with that error. Returns the last Response (an HTTP error status is
// a Response) or the last Error. `on_retry` gets one line per retry.
[[nodiscard]] Result<Response> send_with_retry(Transport& transport,
                                               Request& request,
                                               const RetryPolicy& policy,
                                               util::Sleeper& sleeper,
                                               const RetryNote& on_retry = {});

// send_with_retry for many requests: all go out through transport.send_all, then the retryable
// ones are resent together in rounds, sleeping once per round for the longest wait any of them
// needs. Results in request order. `max_in_flight` as Transport::send_all.
[[nodiscard]] std::vector<Result<Response>> send_all_with_retry(Transport& transport,
                                                                std::vector<Request>& requests,
                                                                const RetryPolicy& policy,
                                                                util::Sleeper& sleeper,
                                                                const RetryNote& on_retry = {},
                                                                std::size_t max_in_flight = 0);

} // namespace hfrun::http
