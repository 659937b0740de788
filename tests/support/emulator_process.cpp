#include "support/emulator_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace hfrun::test {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tail_of(const std::filesystem::path& path) {
  auto text = read_text(path);
  constexpr std::size_t k_tail = 2000;
  if (text.size() > k_tail) {
    text = "..." + text.substr(text.size() - k_tail);
  }
  return text.empty() ? std::string("(no output)") : text;
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

std::expected<std::unique_ptr<EmulatorProcess>, std::string>
EmulatorProcess::start(const EmulatorOptions& options) {
  std::unique_ptr<EmulatorProcess> p(new EmulatorProcess());
  std::string pattern = (std::filesystem::temp_directory_path() / "hfrun-emulator-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return std::unexpected("cannot create a directory for the emulator: " +
                           std::string(std::strerror(errno)));
  }
  p->m_dir = pattern;
  const auto port_file = p->m_dir / "ports.json";
  const auto output = p->m_dir / "emulator.log";

  std::vector<std::string> args = {options.binary, "--port", "0", "--port-file",
                                   port_file.string()};
  if (options.request_log) {
    args.insert(args.end(), {"--log", p->log_path().string()});
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);

  p->m_pid = ::fork();
  if (p->m_pid < 0) {
    return std::unexpected("fork failed: " + std::string(std::strerror(errno)));
  }
  if (p->m_pid == 0) {
    // The child: stdin from /dev/null, stdout and stderr into emulator.log (never the test's
    // output), and SIGTERM when the test program dies without stopping it (a crash, an abort).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int in_fd = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }

  // The emulator writes the port file atomically (rename) once every role listens.
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (true) {
    int status = 0;
    if (::waitpid(p->m_pid, &status, WNOHANG) == p->m_pid) {
      p->m_pid = -1;
      p->m_exit_code = exit_code_of(status);
      return std::unexpected(options.binary + " exited with " + std::to_string(p->m_exit_code) +
                             " before writing its port file:\n" + tail_of(output));
    }
    if (std::filesystem::exists(port_file)) {
      const auto j = nlohmann::json::parse(read_text(port_file), nullptr, false);
      if (!j.is_object()) {
        return std::unexpected("the emulator's port file is not a JSON object");
      }
      const auto text = [&j](const char* key) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
      };
      p->m_info.hub = text("hub");
      p->m_info.router = text("router");
      p->m_info.cdn = text("cdn");
      p->m_info.gradio = text("gradio");
      p->m_info.endpoints = text("endpoints");
      p->m_info.endpoints_api = text("endpoints_api");
      p->m_info.token = text("token");
      p->m_info.pid = j.contains("pid") && j["pid"].is_number_integer() ? j["pid"].get<int>() : 0;
      if (p->m_info.hub.empty() || p->m_info.router.empty() || p->m_info.cdn.empty()) {
        return std::unexpected("the emulator's port file lacks hub, router or cdn: " + j.dump());
      }
      return p;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return std::unexpected(options.binary + " wrote no port file within " +
                             std::to_string(options.timeout.count()) + " ms:\n" + tail_of(output));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

EmulatorProcess::~EmulatorProcess() {
  stop();
  if (!m_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
}

bool EmulatorProcess::running() const {
  if (m_pid <= 0) {
    return false;
  }
  int status = 0;
  if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
    // Reaped here, so stop() must not wait for it again.
    m_pid = -1;
    m_exit_code = exit_code_of(status);
    return false;
  }
  return true;
}

int EmulatorProcess::stop() {
  if (m_pid <= 0) {
    return m_exit_code;
  }
  ::kill(m_pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      m_exit_code = exit_code_of(status);
      return m_exit_code;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(m_pid, SIGKILL);
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  m_exit_code = exit_code_of(status);
  return m_exit_code;
}

} // namespace hfrun::test
