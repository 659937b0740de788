#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <hfrun/util/process.hpp>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace hfrun::util {

namespace {

int status_of(int raw) {
  if (WIFEXITED(raw)) {
    return WEXITSTATUS(raw);
  }
  if (WIFSIGNALED(raw)) {
    return 128 + WTERMSIG(raw);
  }
  return 1;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& add : extra) {
      if (add.substr(0, add.find('=')) == name) {
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.push_back(entry);
    }
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

} // namespace

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.empty()) {
    return std::nullopt;
  }
  if (name.find('/') != std::string::npos) {
    return std::filesystem::path(name);
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
    start = end + 1;
  }
  return std::nullopt;
}

Result<ChildProcess> ChildProcess::start(const ProcessOptions& options) {
  if (options.argv.empty()) {
    return fail(ErrorKind::internal, "no program to start");
  }
  const auto program = find_program(options.argv[0]);
  if (!program) {
    return fail(ErrorKind::usage, options.argv[0] + " is not installed (not found in PATH)");
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  const std::string program_path = program->string();
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = merged_environment(options.env);
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);
  int err_fd = -1;
  if (options.stderr_to) {
    err_fd = ::open(options.stderr_to->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (err_fd < 0) {
      return fail(ErrorKind::internal,
                  "cannot create " + options.stderr_to->string() + ": " + std::strerror(errno));
    }
  }
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    if (err_fd >= 0) {
      ::close(err_fd);
    }
    if (null_fd >= 0) {
      ::close(null_fd);
    }
    return fail(ErrorKind::internal, std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) {
    // The kernel kills the child when hfrun dies, even by SIGKILL; a parent that died before this
    // line is caught by the getppid check.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    // hfrun blocks or handles signals its child must not inherit as blocked or ignored.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(options.stdout_to_stderr_file && err_fd >= 0 ? err_fd : null_fd, STDOUT_FILENO);
    }
    if (err_fd >= 0) {
      ::dup2(err_fd, STDERR_FILENO);
    }
    ::execve(program_path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  if (err_fd >= 0) {
    ::close(err_fd);
  }
  if (null_fd >= 0) {
    ::close(null_fd);
  }
  ChildProcess child;
  child.m_pid = pid;
  return child;
}

ChildProcess::~ChildProcess() {
  (void)stop();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(other.m_pid), m_status(other.m_status) {
  other.m_pid = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    (void)stop();
    m_pid = other.m_pid;
    m_status = other.m_status;
    other.m_pid = -1;
  }
  return *this;
}

std::optional<int> ChildProcess::exited() {
  if (m_status || m_pid <= 0) {
    return m_status;
  }
  int raw = 0;
  const pid_t r = ::waitpid(m_pid, &raw, WNOHANG);
  if (r == m_pid) {
    m_status = status_of(raw);
  } else if (r < 0 && errno == ECHILD) {
    m_status = 1; // reaped elsewhere: gone all the same
  }
  return m_status;
}

bool ChildProcess::running() {
  return m_pid > 0 && !exited();
}

std::optional<int> ChildProcess::stop(std::chrono::milliseconds grace) {
  if (m_pid <= 0) {
    return m_status;
  }
  if (!exited()) {
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited()) {
      ::kill(m_pid, SIGKILL);
      int raw = 0;
      if (::waitpid(m_pid, &raw, 0) == m_pid) {
        m_status = status_of(raw);
      }
    }
  }
  m_pid = -1;
  return m_status;
}

std::string tail_lines(const std::filesystem::path& file, std::size_t lines) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return {};
  }
  std::vector<std::string> kept;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.find_first_not_of(" \t") == std::string::npos) {
      continue;
    }
    kept.push_back(line);
    if (kept.size() > lines) {
      kept.erase(kept.begin());
    }
  }
  std::string out;
  for (const auto& l : kept) {
    out += (out.empty() ? "" : "\n") + l;
  }
  return out;
}

} // namespace hfrun::util
