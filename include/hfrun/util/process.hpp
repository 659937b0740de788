// A child process owned by one object (the `hfrun local` workers): started with fork + exec, its
// stderr kept in a file so an error can quote its last lines, stopped in the destructor (SIGTERM,
// then SIGKILL), and asked by the kernel to die with hfrun (PR_SET_PDEATHSIG), so it never
// outlives the process that started it.
#pragma once

#include <chrono>
#include <filesystem>
#include <hfrun/error.hpp>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace hfrun::util {

struct ProcessOptions {
  std::vector<std::string> argv;                  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> env;                   // NAME=VALUE added to (or replacing in) environ
  std::optional<std::filesystem::path> stderr_to; // the child's stderr, else hfrun's
  bool stdout_to_stderr_file = false;             // stdout to the same file (else /dev/null)
};

class ChildProcess {
public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the program. A program that cannot be executed exits 127 at once (seen by exited()).
  [[nodiscard]] static Result<ChildProcess> start(const ProcessOptions& options);

  [[nodiscard]] pid_t pid() const { return m_pid; }
  [[nodiscard]] bool running();
  // The exit status (or 128 + signal) once it ended; nullopt while it runs. Reaps it.
  [[nodiscard]] std::optional<int> exited();
  // SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it. Returns its exit status.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

private:
  pid_t m_pid = -1;
  std::optional<int> m_status;
};

// The last `lines` non-empty lines of a text file ("" when it cannot be read).
[[nodiscard]] std::string tail_lines(const std::filesystem::path& file, std::size_t lines);

// The program's full path: `name` itself when it holds a '/', else the first executable match in
// $PATH; nullopt when there is none.
[[nodiscard]] std::optional<std::filesystem::path> find_program(const std::string& name);

} // namespace hfrun::util
