// A Sleeper for tests: records each requested wait and advances its own clock by it; never sleeps.
#pragma once

#include <hfrun/util/clock.hpp>
#include <vector>

namespace hfrun::util {

class FakeSleeper final : public Sleeper {
public:
  // Starts at a fixed, known wall-clock time (2025-01-15 12:00:00 UTC) so HTTP dates are
  // predictable.
  FakeSleeper()
      : m_now(std::chrono::sys_days(std::chrono::year{2025} / 1 / 15) + std::chrono::hours(12)) {}

  void sleep_for(std::chrono::milliseconds duration) override {
    sleeps.push_back(duration);
    m_now += duration;
  }
  std::chrono::system_clock::time_point now() override { return m_now; }

  [[nodiscard]] std::chrono::milliseconds total() const {
    std::chrono::milliseconds sum{0};
    for (auto s : sleeps) {
      sum += s;
    }
    return sum;
  }

  std::vector<std::chrono::milliseconds> sleeps;

private:
  std::chrono::system_clock::time_point m_now;
};

} // namespace hfrun::util
