// TLS verification is on unless --insecure (docs/reliability.md, "Secrets"): hfrun against an
// HTTPS server of this process with a self-signed certificate made for the test (openssl req).
// Without trust in it, nothing reaches the server (no request, so no token) and the exit is 8; a
// CA bundle that names it makes the call work; a certificate for another host name is refused even
// when trusted; --insecure connects and says so.
#include "emulator_fixture.hpp"

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <httplib.h>
#include <thread>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_token = "hf_tls_test_token_7Hq2Lw9Xe4";

// A self-signed certificate (EC P-256) for `subject_alt_name`, or nullopt when openssl is absent.
std::optional<fs::path> make_certificate(const fs::path& dir, const std::string& subject_alt_name) {
  if (!fs::exists("/usr/bin/openssl")) {
    return std::nullopt;
  }
  fs::create_directories(dir);
  const auto r =
      run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                   "/CN=hfrun tls test", "-addext", "subjectAltName=" + subject_alt_name, "-keyout",
                   (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()},
                  {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir;
}

// An HTTPS server on 127.0.0.1 answering whoami, counting the requests that got through TLS.
class TlsServer {
public:
  explicit TlsServer(const fs::path& certificate_dir)
      : m_server((certificate_dir / "cert.pem").c_str(), (certificate_dir / "key.pem").c_str()) {
    m_server.Get("/api/whoami-v2", [this](const httplib::Request&, httplib::Response& res) {
      ++m_requests;
      res.set_content(R"({"type": "user", "name": "tls-user", "fullname": "TLS User"})",
                      "application/json");
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    while (!m_server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TlsServer() {
    m_server.stop();
    m_thread.join();
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
  [[nodiscard]] int requests() const { return m_requests.load(); }

private:
  httplib::SSLServer m_server;
  std::thread m_thread;
  int m_port = 0;
  std::atomic<int> m_requests{0};
};

ProcessResult whoami(const TlsServer& server,
                     const std::vector<std::string>& flags,
                     std::map<std::string, std::string> env = {}) {
  env.emplace("HF_ENDPOINT", server.url());
  env.emplace("HF_HOME", (EmulatorEnvironment::emulator().dir / "tls-home").string());
  env.emplace("HF_TOKEN", k_token);
  std::vector<std::string> argv{HFRUN_BIN};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.emplace_back("whoami");
  return run_process(argv, env);
}

fs::path scratch(const std::string& name) {
  return EmulatorEnvironment::emulator().dir / ("tls-" + name);
}

TEST(Tls, AnUntrustedCertificateIsRefusedBeforeAnyRequest) {
  const auto certificate = make_certificate(scratch("ip"), "IP:127.0.0.1");
  if (!certificate) {
    GTEST_SKIP() << "needs /usr/bin/openssl (Debian package openssl)";
  }
  TlsServer server(*certificate);
  auto r = whoami(server, {"--retries", "0"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CURL_CA_BUNDLE"), std::string::npos) << "the hint names the fix: " << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(server.requests(), 0) << "no request, so no token, went over an unverified connection";
}

TEST(Tls, ACaBundleThatNamesTheCertificateIsTrusted) {
  const auto certificate = make_certificate(scratch("bundle"), "IP:127.0.0.1");
  if (!certificate) {
    GTEST_SKIP() << "needs /usr/bin/openssl (Debian package openssl)";
  }
  TlsServer server(*certificate);
  const std::string bundle = (*certificate / "cert.pem").string();
  for (const char* variable : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    auto r = whoami(server, {}, {{variable, bundle}});
    EXPECT_EQ(r.exit_code, 0) << variable << ": " << r.err;
    EXPECT_NE(r.out.find("tls-user"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("insecure"), std::string::npos) << r.err;
  }
  EXPECT_EQ(server.requests(), 2);
}

TEST(Tls, ATrustedCertificateForAnotherHostIsRefused) {
  const auto certificate = make_certificate(scratch("other-host"), "DNS:models.example.org");
  if (!certificate) {
    GTEST_SKIP() << "needs /usr/bin/openssl (Debian package openssl)";
  }
  TlsServer server(*certificate);
  auto r = whoami(server, {"--retries", "0"},
                  {{"CURL_CA_BUNDLE", (*certificate / "cert.pem").string()}});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(server.requests(), 0) << "the host name is checked, not only the chain";
}

TEST(Tls, InsecureConnectsAndWarns) {
  const auto certificate = make_certificate(scratch("insecure"), "DNS:models.example.org");
  if (!certificate) {
    GTEST_SKIP() << "needs /usr/bin/openssl (Debian package openssl)";
  }
  TlsServer server(*certificate);
  auto r = whoami(server, {"--insecure"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tls-user"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("--insecure: TLS certificates are not verified"), std::string::npos)
      << r.err;
  EXPECT_EQ(server.requests(), 1);
}

} // namespace
} // namespace hfrun::test
