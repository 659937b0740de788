#include <hfrun/util/clock.hpp>
#include <thread>

namespace hfrun::util {

namespace {

class RealSleeper final : public Sleeper {
public:
  void sleep_for(std::chrono::milliseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
  std::chrono::system_clock::time_point now() override { return std::chrono::system_clock::now(); }
};

} // namespace

Sleeper& real_sleeper() {
  static RealSleeper sleeper;
  return sleeper;
}

} // namespace hfrun::util
