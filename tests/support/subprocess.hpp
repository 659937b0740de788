// Run a program as a child process with an exact environment, capturing stdout and stderr, for
// end-to-end tests of the built binaries.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by one
  long max_rss_kb = 0; // the child's peak resident set (wait4's ru_maxrss)
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] a path) with `env` plus PATH, HOME, LANG and TMPDIR of this process, stdin
// read from `stdin_data` (empty when nullopt; never a terminal), and waits at most `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          const std::optional<std::string>& stdin_data = std::nullopt,
                          std::chrono::seconds timeout = std::chrono::seconds(60));

// Every later run_process appends its child's stdout and stderr to `path` (empty: none), for the
// suite's secret scan (tests/support/secret_collection.hpp).
void set_transcript(const std::filesystem::path& path);

// A long-running child (the emulator): started in the constructor, SIGTERM + wait in the
// destructor.
class BackgroundProcess {
public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env,
                    const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  [[nodiscard]] bool running() const;
  // Sends `signal` (SIGKILL: a crash at this moment), waits, and returns the exit code as
  // ProcessResult does (128 + signal when killed by it). The destructor then has nothing to do.
  int signal_and_wait(int signal);

private:
  int m_pid = -1;
};

} // namespace hfrun::test
