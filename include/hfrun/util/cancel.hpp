// One cancellation token per command: Ctrl-C (SIGINT) or SIGTERM cancels it from a signal handler,
// and everything that waits (retry backoff, cold-start waits, transfers) stops at once. A self-pipe
// makes the wake-up async-signal-safe: cancel() only stores a flag and writes one byte.
#pragma once

#include <atomic>
#include <chrono>
#include <hfrun/util/clock.hpp>

namespace hfrun::util {

class CancelToken {
public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Async-signal-safe. `signal` is the signal number that asked (0 when not a signal); the first
  // one is kept.
  void cancel(int signal = 0) noexcept;
  [[nodiscard]] bool cancelled() const noexcept { return m_signal.load() != k_live; }
  // The signal that cancelled the token (0 when cancelled without one, -1 when not cancelled).
  [[nodiscard]] int signal() const noexcept {
    return m_signal.load() == k_live ? -1 : m_signal.load();
  }

  // Waits `duration`, returning early when the token is cancelled. True when the whole wait passed
  // uncancelled.
  [[nodiscard]] bool wait_for(std::chrono::milliseconds duration) const;

private:
  static constexpr int k_live = -1;
  std::atomic<int> m_signal{k_live};
  int m_read_fd = -1;
  int m_write_fd = -1;
};

// The real sleeper, woken at once when `token` is cancelled (retry backoff, cold-start waits).
class CancellableSleeper final : public Sleeper {
public:
  explicit CancellableSleeper(const CancelToken& token) : m_token(token) {}
  void sleep_for(std::chrono::milliseconds duration) override { (void)m_token.wait_for(duration); }
  [[nodiscard]] std::chrono::system_clock::time_point now() override {
    return std::chrono::system_clock::now();
  }

private:
  const CancelToken& m_token;
};

} // namespace hfrun::util
