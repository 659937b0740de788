#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <hfrun/http/retry.hpp>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::http {

using std::chrono::milliseconds;

bool is_retryable_status(int status) {
  switch (status) {
  case 408:
  case 429:
  case 500:
  case 502:
  case 503:
  case 504:
    return true;
  default:
    return false;
  }
}

bool is_retryable_failure(TransportFailure failure) {
  switch (failure) {
  case TransportFailure::connect:
  case TransportFailure::reset:
  case TransportFailure::timeout:
  case TransportFailure::stalled:
    return true;
  default:
    return false;
  }
}

namespace {

constexpr long long k_max_seconds = 7LL * 24 * 3600; // clamp absurd values instead of overflowing

std::optional<long long> parse_seconds(std::string_view text) {
  text = util::trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ptr != text.data() + text.size() || text.front() == '-') {
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value > k_max_seconds) {
    return k_max_seconds;
  }
  return ec == std::errc() ? std::optional(value) : std::nullopt;
}

int month_index(const char* name) {
  static constexpr std::array<std::string_view, 12> k_months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < k_months.size(); ++i) {
    if (k_months[i] == name) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

// The three HTTP-date forms RFC 9110 §5.6.7 says a recipient must accept.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  const std::string text(util::trim(value));
  int day = 0;
  int year = 0;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  char month[4] = {};
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  const bool imf_fixdate = std::sscanf(text.c_str(), "%*[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT",
                                       &day, month, &year, &hh, &mm, &ss) == 6;
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  const bool rfc850 =
      !imf_fixdate && std::sscanf(text.c_str(), "%*[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT", &day,
                                  month, &year, &hh, &mm, &ss) == 6;
  // asctime: Sun Nov  6 08:49:37 1994
  const bool asctime_date = !imf_fixdate && !rfc850 &&
                            std::sscanf(text.c_str(), "%*3s %3s %d %2d:%2d:%2d %4d", month, &day,
                                        &hh, &mm, &ss, &year) == 6;
  if (!imf_fixdate && !rfc850 && !asctime_date) {
    return std::nullopt;
  }
  if (rfc850) {
    year += year < 70 ? 2000 : 1900; // two-digit years pivot like RFC 6265's rule
  }
  const int mon = month_index(month);
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(mon)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (mon == 0 || !ymd.ok() || hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0) {
    return std::nullopt;
  }
  return std::chrono::sys_days(ymd) + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
}

} // namespace

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  if (auto seconds = parse_seconds(value)) {
    return milliseconds(*seconds * 1000);
  }
  if (auto when = parse_http_date(value)) {
    if (*when <= now) {
      return milliseconds(0);
    }
    return std::min(std::chrono::ceil<milliseconds>(*when - now),
                    milliseconds(k_max_seconds * 1000));
  }
  return std::nullopt;
}

std::optional<milliseconds> parse_ratelimit(std::string_view value) {
  std::optional<long long> best;
  for (const std::string& item : util::split(value, ',')) {
    std::optional<long long> remaining;
    std::optional<long long> reset;
    for (const std::string& param : util::split(item, ';')) {
      const std::string_view p = util::trim(param);
      if (p.size() > 2 && p[1] == '=' && (p[0] == 'r' || p[0] == 't')) {
        (p[0] == 'r' ? remaining : reset) = parse_seconds(p.substr(2));
      }
    }
    if (reset && (!remaining || *remaining == 0)) {
      best = std::max(best.value_or(0), *reset);
    }
  }
  if (!best) {
    return std::nullopt;
  }
  return milliseconds(*best * 1000);
}

std::optional<milliseconds> server_delay(const Headers& headers,
                                         std::chrono::system_clock::time_point now) {
  if (auto retry_after = headers.get("Retry-After")) {
    if (auto delay = parse_retry_after(*retry_after, now)) {
      return delay;
    }
  }
  if (auto ratelimit = headers.get("RateLimit")) {
    return parse_ratelimit(*ratelimit);
  }
  return std::nullopt;
}

milliseconds next_delay(const RetryPolicy& policy,
                        int attempt,
                        std::optional<milliseconds> server_hint,
                        std::mt19937_64& rng) {
  if (server_hint) {
    return std::clamp(*server_hint, milliseconds(0), policy.max_server_wait);
  }
  const double exp = static_cast<double>(policy.base.count()) *
                     std::pow(policy.multiplier, static_cast<double>(std::max(attempt, 0)));
  const auto d = static_cast<long long>(std::min(exp, static_cast<double>(policy.cap.count())));
  std::uniform_int_distribution<long long> jitter(0, d / 2);
  return milliseconds(d - d / 2 + jitter(rng));
}

namespace {

struct Decision {
  bool retry = false;
  std::optional<milliseconds> hint;
  std::string why; // "HTTP 503" or the transport error
};

Decision decide(const Result<Response>& result,
                const Request& request,
                const RetryPolicy& policy,
                util::Sleeper& sleeper) {
  Decision d;
  if (request.sink != nullptr && request.sink->emitted()) {
    return d; // the user already saw part of this answer; a resend would repeat it
  }
  if (result) {
    if (!is_retryable_status(result->status)) {
      return d;
    }
    d.hint = server_delay(result->headers, sleeper.now());
    if (d.hint && *d.hint > policy.max_server_wait) {
      return d;
    }
    d.why = request.method + " " + request.url + ": HTTP " + std::to_string(result->status);
  } else {
    if (result.error().kind == ErrorKind::interrupted ||
        !is_retryable_failure(result.error().transport)) {
      return d;
    }
    d.why = result.error().message;
  }
  d.retry = true;
  return d;
}

std::string seconds_text(milliseconds delay) {
  return fmt::format("{:.1f} s", static_cast<double>(delay.count()) / 1000.0);
}

// The backoff wait, cut short by the cancellation token: the fake sleeper of the tests records the
// wait, the real one is the token's own interruptible wait.
Result<void> wait(util::Sleeper& sleeper, milliseconds delay, const RetryPolicy& policy) {
  if (policy.cancel != nullptr && policy.cancel->cancelled()) {
    return fail(ErrorKind::interrupted, "interrupted");
  }
  sleeper.sleep_for(delay);
  if (policy.cancel != nullptr && policy.cancel->cancelled()) {
    return fail(ErrorKind::interrupted, "interrupted");
  }
  return {};
}

std::mt19937_64 make_rng() {
  return std::mt19937_64(std::random_device{}());
}

} // namespace

Result<Response> send_with_retry(Transport& transport,
                                 Request& request,
                                 const RetryPolicy& policy,
                                 util::Sleeper& sleeper,
                                 const RetryNote& on_retry) {
  std::mt19937_64 rng = make_rng();
  const int max_retries = request.retryable ? policy.max_retries : 0;
  for (int attempt = 0;; ++attempt) {
    Result<Response> result = transport.send(request);
    if (attempt >= max_retries) {
      return result;
    }
    const Decision d = decide(result, request, policy, sleeper);
    if (!d.retry) {
      return result;
    }
    const milliseconds delay = next_delay(policy, attempt, d.hint, rng);
    if (on_retry) {
      on_retry(fmt::format("{}; retrying in {} (retry {} of {})", util::redact(d.why),
                           seconds_text(delay), attempt + 1, policy.max_retries));
    }
    HFRUN_TRY(wait(sleeper, delay, policy));
    if (request.body) {
      HFRUN_TRY(request.body->rewind());
    }
  }
}

std::vector<Result<Response>> send_all_with_retry(Transport& transport,
                                                  std::vector<Request>& requests,
                                                  const RetryPolicy& policy,
                                                  util::Sleeper& sleeper,
                                                  const RetryNote& on_retry,
                                                  std::size_t max_in_flight) {
  std::vector<Result<Response>> results = transport.send_all(requests, max_in_flight);
  std::mt19937_64 rng = make_rng();
  for (int round = 0; round < policy.max_retries; ++round) {
    std::vector<std::size_t> again;
    milliseconds delay{0};
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const Decision d = decide(results[i], requests[i], policy, sleeper);
      if (d.retry) {
        again.push_back(i);
        delay = std::max(delay, next_delay(policy, round, d.hint, rng));
      }
    }
    if (again.empty()) {
      break;
    }
    if (on_retry) {
      on_retry(fmt::format(
          "{} of {} requests failed transiently; retrying them in {} (retry {} of {})",
          again.size(), requests.size(), seconds_text(delay), round + 1, policy.max_retries));
    }
    if (auto waited = wait(sleeper, delay, policy); !waited) {
      for (std::size_t i : again) {
        results[i] = unexpected<Error>(waited.error());
      }
      break;
    }
    std::vector<Request> batch;
    std::vector<std::size_t> positions;
    for (std::size_t i : again) {
      if (requests[i].body) {
        if (auto rewound = requests[i].body->rewind(); !rewound) {
          results[i] = unexpected<Error>(rewound.error());
          continue;
        }
      }
      positions.push_back(i);
      batch.push_back(std::move(requests[i]));
    }
    std::vector<Result<Response>> resent = transport.send_all(batch, max_in_flight);
    for (std::size_t k = 0; k < positions.size(); ++k) {
      requests[positions[k]] = std::move(batch[k]);
      results[positions[k]] = std::move(resent[k]);
    }
  }
  return results;
}

} // namespace hfrun::http
