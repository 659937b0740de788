#include <csignal>
#include <gtest/gtest.h>
#include <hfrun/util/cancel.hpp>
#include <thread>

namespace hfrun::util {
namespace {

TEST(CancelToken, WaitRunsItsCourseWhenNotCancelled) {
  CancelToken token;
  EXPECT_TRUE(token.wait_for(std::chrono::milliseconds(20)));
  EXPECT_FALSE(token.cancelled());
  EXPECT_EQ(token.signal(), -1);
}

TEST(CancelToken, CancelWakesAWaitAtOnce) {
  CancelToken token;
  const auto start = std::chrono::steady_clock::now();
  std::thread canceller([&token] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token.cancel(SIGINT);
  });
  EXPECT_FALSE(token.wait_for(std::chrono::seconds(15)));
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(token.signal(), SIGINT);
}

TEST(CancelToken, TheFirstSignalIsKept) {
  CancelToken token;
  token.cancel(SIGTERM);
  token.cancel(SIGINT);
  EXPECT_EQ(token.signal(), SIGTERM);
  EXPECT_FALSE(token.wait_for(std::chrono::seconds(10)));
}

TEST(CancellableSleeper, SleepEndsWhenTheTokenIsCancelled) {
  CancelToken token;
  token.cancel();
  CancellableSleeper sleeper(token);
  const auto start = std::chrono::steady_clock::now();
  sleeper.sleep_for(std::chrono::seconds(15));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

} // namespace
} // namespace hfrun::util
