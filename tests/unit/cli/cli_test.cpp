// The CLI in-process: argv in, exit code + stdout + stderr out, against a loopback stand-in for the
// Hub's whoami route.
#include <hfrun/cli/run.hpp>

#include "support/loopback_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace hfrun::cli {
namespace {

constexpr const char* k_token = "hf_unittesttokenvalue";

struct Captured {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    text.append(buffer, n);
  }
  return text;
}

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_server.server().Get("/api/whoami-v2", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != std::string("Bearer ") + k_token) {
        res.status = 401;
        res.set_header("x-request-id", "req-401");
        res.set_content(R"({"error":"Invalid username or password."})", "application/json");
        return;
      }
      res.set_content(R"({"type":"user","name":"tester","fullname":"Test User","orgs":[{"name":"acme"}],
                          "auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"read"}}})",
                      "application/json");
    });
    m_server.start();
    m_home = std::filesystem::temp_directory_path() / ("hfrun-cli-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_home);
  }
  void TearDown() override { std::filesystem::remove_all(m_home); }

  Captured run(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    env.emplace("HF_ENDPOINT", m_server.url());
    env.emplace("HF_HOME", m_home.string());
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    Io io;
    io.out = out;
    io.err = err;
    Captured c;
    c.code = run_with(args, io, config::map_env(env));
    c.out = slurp(out);
    c.err = slurp(err);
    std::fclose(out);
    std::fclose(err);
    return c;
  }

  test::LoopbackServer m_server;
  std::filesystem::path m_home;
};

TEST_F(CliTest, HelpAndVersionExitZero) {
  auto help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("whoami"), std::string::npos);
  auto version = run({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.out.find(std::string("hfrun ") + HFRUN_VERSION), std::string::npos);
  auto sub_help = run({"whoami", "--help"});
  EXPECT_EQ(sub_help.code, 0);
  EXPECT_NE(sub_help.out.find("Example"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLineHint) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--no-such-option", "whoami"}, {}, {"nonsense-command"}, {"whoami", "--color", "pink"},
           {"--json", "--raw", "whoami"}, {"-H", "no-colon", "whoami"}}) {
    auto c = run(args);
    EXPECT_EQ(c.code, 2) << (args.empty() ? "<none>" : args.front());
    EXPECT_TRUE(c.err.starts_with("hfrun: error: ")) << c.err;
    EXPECT_NE(c.err.find("hint:"), std::string::npos) << c.err;
    EXPECT_TRUE(c.out.empty());
  }
}

TEST_F(CliTest, WhoamiPrintsTheAccountAndTokenSource) {
  auto c = run({"whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("tester (Test User)"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("acme"), std::string::npos);
  EXPECT_NE(c.out.find("from HF_TOKEN"), std::string::npos);
  EXPECT_EQ(c.out.find(k_token), std::string::npos);
}

TEST_F(CliTest, WhoamiJsonIsNormalized) {
  auto c = run({"whoami", "--json"}, {{"HF_TOKEN", k_token}});
  ASSERT_EQ(c.code, 0) << c.err;
  auto j = nlohmann::json::parse(c.out);
  EXPECT_EQ(j["name"], "tester");
  EXPECT_EQ(j["orgs"], nlohmann::json::array({"acme"}));
  EXPECT_EQ(j["token"]["role"], "read");
  EXPECT_EQ(j["token"]["source"], "HF_TOKEN");
}

TEST_F(CliTest, BadTokenExitsThreeWithServerMessageAndRequestId) {
  auto c = run({"whoami"}, {{"HF_TOKEN", "hf_wrong"}});
  EXPECT_EQ(c.code, 3);
  EXPECT_NE(c.err.find("HTTP 401"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("Invalid username or password."), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("req-401"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find("hf_wrong"), std::string::npos);
}

TEST_F(CliTest, NoTokenAtAllExitsThreeWithoutSending) {
  auto c = run({"whoami"});
  EXPECT_EQ(c.code, 3);
  EXPECT_NE(c.err.find("HF_TOKEN"), std::string::npos) << c.err;
}

TEST_F(CliTest, TokenFileIsUsed) {
  std::ofstream(m_home / "token") << k_token << "\n";
  auto c = run({"whoami", "--json"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("the token file"), std::string::npos);
}

TEST_F(CliTest, DryRunPrintsRunnableCurlAndNeverTheToken) {
  auto c = run({"--dry-run", "whoami", "-H", "X-Extra: 1", "--bill-to", "acme"},
               {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.find(k_token), std::string::npos);
  EXPECT_EQ(c.err.find(k_token), std::string::npos);
  EXPECT_NE(c.out.find("curl"), std::string::npos);
  EXPECT_NE(c.out.find("-H \"Authorization: Bearer $HF_TOKEN\""), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("'X-HF-Bill-To: acme'"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("'X-Extra: 1'"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find(m_server.url() + "/api/whoami-v2"), std::string::npos);
}

TEST_F(CliTest, VeryVerboseShowsHeadersWithTheTokenMasked) {
  auto c = run({"-vv", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.err.find("> GET " + m_server.url() + "/api/whoami-v2"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("Authorization: Bearer hf_***"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("< HTTP/1.1 200"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find(k_token), std::string::npos);
  EXPECT_EQ(c.out.find(k_token), std::string::npos);
}

TEST_F(CliTest, OutputFileIsWrittenAtomically) {
  const auto target = m_home / "who.json";
  auto c = run({"whoami", "--json", "-o", target.string()}, {{"HF_TOKEN", k_token}});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_TRUE(c.out.empty());
  std::ifstream in(target);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(nlohmann::json::parse(text)["name"], "tester");
  for (const auto& entry : std::filesystem::directory_iterator(m_home)) {
    EXPECT_EQ(entry.path().filename().string().find(".hfrun"), std::string::npos) << entry.path();
  }
}

TEST_F(CliTest, FailedRequestLeavesNoOutputFile) {
  const auto target = m_home / "who.json";
  auto c = run({"whoami", "--json", "-o", target.string()}, {{"HF_TOKEN", "hf_wrong"}});
  EXPECT_EQ(c.code, 3);
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(CliTest, ConnectionRefusedExitsEight) {
  test::LoopbackServer closed;
  closed.start();
  const std::string url = closed.url();
  closed.stop();
  auto c = run({"whoami", "--retries", "0"}, {{"HF_TOKEN", k_token}, {"HF_ENDPOINT", url}});
  EXPECT_EQ(c.code, 8) << c.err;
}

} // namespace
} // namespace hfrun::cli
