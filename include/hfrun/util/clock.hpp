// Time as a seam: code that waits or reads the wall clock takes a Sleeper, so tests substitute a
// fake that records the waits and advances its own clock instead of sleeping.
#pragma once

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

} // namespace hfrun::util
