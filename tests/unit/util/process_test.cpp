// The worker process helper: the exit status, the stderr tail an error quotes, and a child that
// never outlives its owner (the destructor stops it).
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <hfrun/util/process.hpp>
#include <thread>
#include <unistd.h>

namespace hfrun::util {
namespace {

std::optional<int> wait_exit(ChildProcess& child) {
  for (int i = 0; i < 200; ++i) {
    if (auto status = child.exited()) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST(ChildProcess, ExitStatusAndStderrTail) {
  const auto log = std::filesystem::temp_directory_path() /
                   ("hfrun-process-test-" + std::to_string(::getpid()) + ".log");
  ProcessOptions options;
  options.argv = {"sh", "-c", "echo one >&2; echo; echo two >&2; echo three >&2; exit 3"};
  options.stderr_to = log;
  auto child = ChildProcess::start(options);
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_EQ(wait_exit(*child), std::optional<int>(3));
  EXPECT_EQ(tail_lines(log, 2), "two\nthree");
  std::filesystem::remove(log);
}

TEST(ChildProcess, EnvironmentAdded) {
  ProcessOptions options;
  options.argv = {"sh", "-c", "test \"$HFRUN_PROCESS_TEST\" = yes"};
  options.env = {"HFRUN_PROCESS_TEST=yes"};
  auto child = ChildProcess::start(options);
  ASSERT_TRUE(child);
  EXPECT_EQ(wait_exit(*child), std::optional<int>(0));
}

TEST(ChildProcess, DestructorStopsTheChild) {
  pid_t pid = 0;
  {
    ProcessOptions options;
    options.argv = {"sleep", "30"};
    auto child = ChildProcess::start(options);
    ASSERT_TRUE(child);
    pid = child->pid();
    EXPECT_TRUE(child->running());
  }
  EXPECT_NE(::kill(pid, 0), 0); // gone and reaped
}

TEST(ChildProcess, MissingProgramIsAUsageError) {
  ProcessOptions options;
  options.argv = {"hfrun-no-such-program-xyz"};
  auto child = ChildProcess::start(options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().kind, ErrorKind::usage);
}

} // namespace
} // namespace hfrun::util
