// Time as a seam: code that waits or reads the wall clock takes a Sleeper, so tests substitute a
// fake that records the waits and advances its own clock instead of sleeping.
#pragma once

#include <algorithm>
#include <chrono>

namespace hfrun::util {

class Sleeper {
public:
  virtual ~Sleeper() = default;
  // Blocks for `duration` (a fake just records it).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
  // The wall-clock time, used for HTTP dates such as Retry-After.
  [[nodiscard]] virtual std::chrono::system_clock::time_point now() = 0;
};

// The process-wide real sleeper (std::this_thread::sleep_for, std::chrono::system_clock).
[[nodiscard]] Sleeper& real_sleeper();

// Waiting for something to come up (a Space waking, a server loading): polls after 1 s, 2 s, 4 s,
// then every 5 s, the last wait cut to end at the timeout.
class PollSchedule {
public:
  PollSchedule(Sleeper& sleeper, std::chrono::milliseconds timeout)
      : m_sleeper(sleeper), m_timeout(timeout), m_start(sleeper.now()) {}
  // Time since the schedule started.
  [[nodiscard]] std::chrono::milliseconds waited() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_sleeper.now() - m_start);
  }
  [[nodiscard]] bool expired() const { return waited() >= m_timeout; }
  [[nodiscard]] std::chrono::milliseconds timeout() const { return m_timeout; }
  // Sleeps until the next poll.
  void wait() {
    m_sleeper.sleep_for(std::min(m_delay, m_timeout - waited()));
    m_delay = std::min(m_delay * 2, std::chrono::milliseconds(5000));
  }

private:
  Sleeper& m_sleeper;
  std::chrono::milliseconds m_timeout;
  std::chrono::system_clock::time_point m_start;
  std::chrono::milliseconds m_delay{1000};
};

} // namespace hfrun::util
