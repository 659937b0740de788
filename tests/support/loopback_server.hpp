// An in-process HTTP server on 127.0.0.1 and an ephemeral port, for transport and CLI tests.
// Routes are registered on server() before start(); the destructor stops and joins.
#pragma once

#include <chrono>
#include <httplib.h>
#include <string>
#include <thread>

namespace hfrun::test {

class LoopbackServer {
public:
  LoopbackServer() = default;
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  httplib::Server& server() { return m_server; }

  void start() {
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    while (!m_server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void stop() {
    if (m_thread.joinable()) {
      m_server.stop();
      m_thread.join();
    }
  }
  int port() const { return m_port; }
  // "http://127.0.0.1:PORT"
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  // Same server under another host name: a different origin for redirect tests.
  std::string other_host_url() const { return "http://localhost:" + std::to_string(m_port); }

private:
  httplib::Server m_server;
  std::thread m_thread;
  int m_port = 0;
};

} // namespace hfrun::test
