#include "subprocess.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace hfrun::test {

namespace {

std::vector<std::string> make_env(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> full;
  for (const char* name : {"PATH", "HOME", "LANG", "TMPDIR"}) {
    if (const char* value = std::getenv(name)) {
      full[name] = value;
    }
  }
  for (const auto& [k, v] : env) {
    full[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : full) {
    out.push_back(k + "=" + v);
  }
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path& transcript_path() {
  static std::filesystem::path path;
  return path;
}

// Appends one child's output to the transcript (tests/support/secret_collection.hpp).
void append_transcript(const std::vector<std::string>& argv, const ProcessResult& result) {
  if (transcript_path().empty()) {
    return;
  }
  static std::mutex mutex; // one whole entry at a time when children end together
  const std::lock_guard lock(mutex);
  std::ofstream out(transcript_path(), std::ios::binary | std::ios::app);
  out << "=== " << std::filesystem::path(argv.at(0)).filename().string() << " exit "
      << result.exit_code << "\n--- stdout\n"
      << result.out << "\n--- stderr\n"
      << result.err << '\n';
}

std::string temp_path(const char* stem) {
  static std::atomic<int> counter = 0; // run_process may be called from several threads
  return "/tmp/hfrun-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         stem;
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          const std::optional<std::string>& stdin_data,
                          std::chrono::seconds timeout) {
  const std::string out_path = temp_path("out");
  const std::string err_path = temp_path("err");
  const std::string in_path = temp_path("in");
  {
    std::ofstream in(in_path, std::ios::binary);
    if (stdin_data) {
      in << *stdin_data;
    }
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = make_env(env);
  // Built before fork(): with other threads running, the child may only call async-signal-safe
  // functions (no malloc).
  auto arg_ptrs = pointers(args);
  auto env_ptrs = pointers(envs);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in_fd = ::open(in_path.c_str(), O_RDONLY);
    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    std::_Exit(127);
  }
  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  struct rusage usage {};
  while (true) {
    const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.max_rss_kb = usage.ru_maxrss;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  std::remove(in_path.c_str());
  append_transcript(argv, result);
  return result;
}

void set_transcript(const std::filesystem::path& path) {
  transcript_path() = path;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& log_path) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = make_env(env);
  m_pid = ::fork();
  if (m_pid == 0) {
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    auto arg_ptrs = pointers(args);
    auto env_ptrs = pointers(envs);
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    std::_Exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, &status, 0);
  }
}

int BackgroundProcess::signal_and_wait(int signal) {
  if (m_pid <= 0) {
    return -1;
  }
  ::kill(m_pid, signal);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool BackgroundProcess::running() const {
  int status = 0;
  return m_pid > 0 && ::waitpid(m_pid, &status, WNOHANG) == 0;
}

} // namespace hfrun::test
