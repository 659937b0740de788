// The one way C++ test suites start hfrun-emulator: on free ports (--port 0), with a port file in a
// private directory, waiting until that file names every role, and stopped (SIGTERM, then wait) on
// destruction. Used by the emulator's own tests and the e2e suite; the shell twin for scripts is
// scripts/emulator.sh.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hfrun::test {

// What the port file says: the base URL of each role, the world's first user's token, the pid.
struct EmulatorInfo {
  std::string hub;
  std::string router;
  std::string cdn;
  std::string gradio; // the Gradio apps of the world's Spaces (empty from an emulator without them)
  std::string endpoints;     // data plane: self-hosted servers and Inference Endpoints' URLs
  std::string endpoints_api; // the Inference Endpoints management API (append /v2)
  std::string token;
  int pid = 0;
};

struct EmulatorOptions {
  std::string binary;                       // path of hfrun-emulator
  std::vector<std::string> args;            // extra arguments after --port 0 --port-file FILE
  bool request_log = false;                 // add --log <dir>/requests.jsonl
  std::chrono::milliseconds timeout{15000}; // for the port file
};

class EmulatorProcess {
public:
  // Starts the emulator; the error names the reason (it exited, or no port file in time) and ends
  // with the tail of its output.
  [[nodiscard]] static std::expected<std::unique_ptr<EmulatorProcess>, std::string>
  start(const EmulatorOptions& options);

  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  [[nodiscard]] const EmulatorInfo& info() const { return m_info; }
  // A private directory (removed on destruction) holding ports.json, emulator.log (its stdout and
  // stderr) and, with request_log, requests.jsonl.
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
  [[nodiscard]] std::filesystem::path log_path() const { return m_dir / "requests.jsonl"; }
  [[nodiscard]] bool running() const;
  // SIGTERM, then wait (SIGKILL after 5 s). The exit code, 128 + signal when killed by one; the
  // same value again on later calls.
  int stop();

private:
  EmulatorProcess() = default;
  std::filesystem::path m_dir;
  EmulatorInfo m_info;
  mutable int m_pid = -1; // mutable: running() reaps an exited child
  mutable int m_exit_code = -1;
};

} // namespace hfrun::test
