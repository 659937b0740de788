// A server cannot make hfrun's memory grow without bound (docs/reliability.md, "Resource bounds"):
// a raw TCP server of this process answers with headers that never end, a JSON body that never
// ends, a stream event that never ends and a token stream that never ends. Each call must fail
// with exit 9 and the cap's message, and the child's peak RSS (wait4) must stay within the cap's
// reach of hfrun's own baseline; without the caps, the server's 1 GiB would be read in.
#include "emulator_fixture.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace hfrun::test {
namespace {

constexpr const char* k_token = "hf_resource_bounds_token_Qm4Zt8Kp2";
constexpr std::uint64_t k_server_limit = std::uint64_t{1} << 30U; // what the server sends at most

// What the server answers every request with: a head, then `next()` over and over until the client
// goes away or k_server_limit bytes were sent.
struct Endless {
  std::string head;
  std::function<std::string(std::uint64_t)> next; // the i-th piece
};

// One connection at a time on 127.0.0.1, each answered by the Endless.
class EndlessServer {
public:
  explicit EndlessServer(Endless answer) : m_answer(std::move(answer)) {
    m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(m_listen, 8) != 0 ||
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen: " << std::strerror(errno);
      return;
    }
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~EndlessServer() {
    m_stop = true;
    if (m_thread.joinable()) {
      m_thread.join();
    }
    if (m_listen >= 0) {
      ::close(m_listen);
    }
  }
  EndlessServer(const EndlessServer&) = delete;
  EndlessServer& operator=(const EndlessServer&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  [[nodiscard]] std::uint64_t most_sent() const { return m_most_sent.load(); }

private:
  void serve() {
    while (!m_stop) {
      pollfd p{m_listen, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      const int fd = ::accept(m_listen, nullptr, nullptr);
      if (fd >= 0) {
        answer(fd);
        ::close(fd);
      }
    }
  }
  // Reads the request head (its body, if any, is left unread), then sends until the client stops.
  void answer(int fd) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        return;
      }
      request.append(buffer, static_cast<std::size_t>(n));
    }
    std::uint64_t sent = 0;
    if (!send_all(fd, m_answer.head, sent)) {
      return;
    }
    for (std::uint64_t i = 0; !m_stop && sent < k_server_limit; ++i) {
      if (!send_all(fd, m_answer.next(i), sent)) {
        break;
      }
    }
    m_most_sent = std::max(m_most_sent.load(), sent);
  }
  static bool send_all(int fd, std::string_view bytes, std::uint64_t& sent) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
      sent += static_cast<std::uint64_t>(n);
    }
    return true;
  }

  Endless m_answer;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<std::uint64_t> m_most_sent{0};
  std::thread m_thread;
};

ProcessResult hfrun_at(const std::vector<std::string>& args,
                       const std::string& hub,
                       const std::string& token = k_token) {
  std::vector<std::string> argv{HFRUN_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv,
                     {{"HF_ENDPOINT", hub},
                      {"HF_TOKEN", token},
                      {"HF_HOME", (EmulatorEnvironment::emulator().dir / "bounds-home").string()}},
                     std::nullopt, std::chrono::seconds(120));
}

// hfrun's own peak RSS for a call that reads a small answer (the emulator's whoami). Taken before
// the measured call: a child's ru_maxrss includes the test process's pages at fork() time.
long baseline_rss_kb() {
  auto& e = EmulatorEnvironment::emulator();
  auto r = hfrun_at({"whoami"}, e.hub, e.token);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.max_rss_kb;
}

constexpr long k_mib_kb = 1024;

// Under AddressSanitizer (the `asan` preset scripts/test.sh runs the suite on) every block carries
// redzones, and freed blocks wait in a quarantine of up to 256 MiB (ASan's default) before reuse,
// so the same bound is reached at twice the allowance plus that quarantine: still well below the 1
// GiB the server offers, and the server's count (most_sent) is checked as well.
#if defined(__SANITIZE_ADDRESS__)
constexpr long allowance_kb(long mib) {
  return (2 * mib + 256 + 64) * k_mib_kb;
}
#else
constexpr long allowance_kb(long mib) {
  return mib * k_mib_kb;
}
#endif

void expect_bounded(const ProcessResult& r,
                    long baseline,
                    const EndlessServer& server,
                    const std::string& message,
                    long allowed_above_baseline_mib) {
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err.substr(0, 2000);
  std::cout << "peak RSS " << r.max_rss_kb / k_mib_kb << " MiB (baseline " << baseline / k_mib_kb
            << " MiB) after the server sent " << server.most_sent() / (1U << 20U) << " MiB\n";
  EXPECT_LT(r.max_rss_kb, baseline + allowance_kb(allowed_above_baseline_mib));
  EXPECT_LT(server.most_sent(), k_server_limit) << "hfrun read all the server had";
}

const std::string k_filler(1000, 'a');

TEST(ResourceBounds, HeadersThatNeverEndAreRefusedAt256KiB) {
  EndlessServer server(
      {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
       [](std::uint64_t i) { return "X-Filler-" + std::to_string(i) + ": " + k_filler + "\r\n"; }});
  const long baseline = baseline_rss_kb();
  auto r = hfrun_at({"whoami", "--retries", "0"}, server.url());
  expect_bounded(r, baseline, server, "response headers larger than 256.0 KiB", 16);
}

TEST(ResourceBounds, AJsonBodyThatNeverEndsIsRefusedAt64MiB) {
  EndlessServer server(
      {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
       [](std::uint64_t) { return "\"" + k_filler + "\","; }});
  const long baseline = baseline_rss_kb();
  auto r = hfrun_at({"whoami", "--retries", "0"}, server.url());
  expect_bounded(r, baseline, server, "response body larger than 64.0 MiB", 128);
}

const std::vector<std::string> k_chat = {"endpoint",       "--flavor", "openai", "--task",
                                         "conversational", "--text",   "hi",     "--stream",
                                         "--retries",      "0",        "model=m"};

std::vector<std::string> chat_at(const EndlessServer& server) {
  std::vector<std::string> args = k_chat;
  args.insert(args.begin() + 1, server.url());
  return args;
}

TEST(ResourceBounds, AStreamEventThatNeverEndsIsRefusedAt16MiB) {
  EndlessServer server({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Connection: close\r\n\r\ndata: ",
                        [](std::uint64_t) { return k_filler; }});
  const long baseline = baseline_rss_kb();
  auto r = hfrun_at(chat_at(server), EmulatorEnvironment::emulator().hub);
  expect_bounded(r, baseline, server, "a stream event larger than 16.0 MiB", 64);
}

TEST(ResourceBounds, AStreamThatNeverEndsIsRefusedAt64MiBOfEvents) {
  EndlessServer server({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Connection: close\r\n\r\n",
                        [](std::uint64_t) {
                          return R"(data: {"choices":[{"index":0,"delta":{"content":")" + k_filler +
                                 "\"}}]}\n\n";
                        }});
  const long baseline = baseline_rss_kb();
  auto r = hfrun_at(chat_at(server), EmulatorEnvironment::emulator().hub);
  expect_bounded(r, baseline, server, "the streamed reply passed 64.0 MiB", 128);
  EXPECT_GT(r.out.size(), std::size_t{60} << 20U) << "the tokens were printed as they came";
}

} // namespace
} // namespace hfrun::test
