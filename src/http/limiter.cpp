#include <algorithm>
#include <cmath>
#include <hfrun/http/limiter.hpp>
#include <hfrun/http/retry.hpp>

namespace hfrun::http {

AimdWindow::AimdWindow(LimiterPolicy policy)
    : m_policy(policy), m_window(1), m_threshold(static_cast<double>(policy.max_window)) {
  m_policy.max_window = std::max<std::size_t>(m_policy.max_window, 1);
  m_policy.min_window = std::clamp<std::size_t>(m_policy.min_window, 1, m_policy.max_window);
  m_window = static_cast<double>(
      std::clamp<std::size_t>(m_policy.initial_window, m_policy.min_window, m_policy.max_window));
}

bool AimdWindow::may_start(TimePoint now) const {
  return now >= m_paused_until && static_cast<double>(m_in_flight) < std::floor(m_window);
}

void AimdWindow::start() {
  ++m_in_flight;
}

void AimdWindow::finish(TimePoint now, TimePoint started, const AttemptOutcome& outcome) {
  if (m_in_flight > 0) {
    --m_in_flight;
  }
  const double floor_window = static_cast<double>(m_policy.min_window);
  const double ceiling = static_cast<double>(m_policy.max_window);
  if (!outcome.throttled) {
    m_window =
        std::min(ceiling, m_window < m_threshold ? m_window + 1.0 : m_window + 1.0 / m_window);
    return;
  }
  ++m_throttled;
  const auto pause = std::min(outcome.delay.value_or(m_policy.default_pause), m_policy.max_pause);
  m_paused_until = std::max(m_paused_until, now + pause);
  if (started >= m_last_decrease) {
    m_window = std::max(floor_window, std::floor(m_window * m_policy.decrease));
    m_threshold = m_window;
    m_last_decrease = now;
  }
}

AttemptOutcome classify_attempt(const Result<Response>& reply,
                                std::chrono::system_clock::time_point now) {
  AttemptOutcome outcome;
  if (!reply) {
    return outcome;
  }
  const auto delay = server_delay(reply->headers, now);
  if (reply->status == 429 || (reply->status == 503 && delay)) {
    outcome.throttled = true;
    outcome.delay = delay;
  }
  return outcome;
}

namespace {
thread_local std::size_t t_attempts = 0;
thread_local std::size_t t_retries = 0;
thread_local const Request* t_last = nullptr;
} // namespace

LimitedTransport::LimitedTransport(std::unique_ptr<Transport> inner,
                                   LimiterPolicy policy,
                                   const util::CancelToken* cancel)
    : m_inner(std::move(inner)), m_cancel(cancel), m_window(policy) {}

std::size_t LimitedTransport::attempts_of_this_thread() {
  return t_attempts;
}
std::size_t LimitedTransport::retries_of_this_thread() {
  return t_retries;
}
void LimitedTransport::reset_attempts_of_this_thread() {
  t_attempts = 0;
  t_retries = 0;
  t_last = nullptr;
}

std::size_t LimitedTransport::throttled() const {
  std::lock_guard lock(m_mutex);
  return m_window.throttled();
}

Result<Response> LimitedTransport::send(Request& request) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point started;
  {
    std::unique_lock lock(m_mutex);
    for (;;) {
      if (m_cancel != nullptr && m_cancel->cancelled()) {
        return fail(ErrorKind::interrupted, "interrupted");
      }
      const auto now = Clock::now();
      if (m_window.may_start(now)) {
        break;
      }
      // Woken by a finished attempt; a pause (or Ctrl-C) is polled at least every 100 ms.
      const auto until =
          std::min(std::max(m_window.paused_until(), now) + std::chrono::milliseconds(1),
                   now + std::chrono::milliseconds(100));
      m_changed.wait_until(lock, until);
    }
    m_window.start();
    started = Clock::now();
  }
  ++t_attempts;
  t_retries += t_last == &request ? 1 : 0;
  t_last = &request;
  auto reply = m_inner->send(request);
  const auto outcome = classify_attempt(reply, std::chrono::system_clock::now());
  {
    std::lock_guard lock(m_mutex);
    m_window.finish(Clock::now(), started, outcome);
  }
  m_changed.notify_all();
  return reply;
}

std::vector<Result<Response>> LimitedTransport::send_all(std::vector<Request>& requests,
                                                         std::size_t max_in_flight) {
  t_attempts += requests.size();
  t_last = nullptr;
  return m_inner->send_all(requests, max_in_flight);
}

} // namespace hfrun::http
