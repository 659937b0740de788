// The CLI in-process: argv in, exit code + stdout + stderr out, against a loopback stand-in for the
// Hub's whoami route.
#include "cli/usage.hpp"
#include "support/loopback_server.hpp"
#include "unit/cli/slurp.hpp"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/cli/run.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <thread>

namespace hfrun::cli {
namespace {

constexpr const char* k_token = "hf_unittesttokenvalue";
// An organization token: not of the hf_ shape, so only masking by value hides it.
constexpr const char* k_org_token = "api_org_leakyleakyleaky";

struct Captured {
  int code = -1;
  std::string out;
  std::string err;
};

using hfrun::test::slurp;

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_server.server().Get(
        "/api/whoami-v2", [this](const httplib::Request& req, httplib::Response& res) {
          ++m_requests;
          if (req.get_header_value("Authorization") == std::string("Bearer ") + k_org_token) {
            // A server that echoes the credential and sends terminal escapes in its message.
            res.status = 401;
            res.set_header("x-request-id", "req-echo");
            res.set_content(std::string(R"({"error":"token )") + k_org_token +
                                R"( rejected \u001b[2J"})",
                            "application/json");
            return;
          }
          if (req.get_header_value("Authorization") != std::string("Bearer ") + k_token) {
            res.status = 401;
            res.set_header("x-request-id", "req-401");
            res.set_content(R"({"error":"Invalid username or password."})", "application/json");
            return;
          }
          res.set_content(
              R"({"type":"user","name":"tester","fullname":"Test User","orgs":[{"name":"acme"}],
                          "auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"read"}}})",
              "application/json");
        });
    m_server.start();
    m_home =
        std::filesystem::temp_directory_path() / ("hfrun-cli-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_home);
  }
  void TearDown() override { std::filesystem::remove_all(m_home); }

  Captured run(const std::vector<std::string>& args,
               std::map<std::string, std::string> env = {},
               std::FILE* stdout_replacement = nullptr,
               bool err_is_tty = false) {
    env.emplace("HF_ENDPOINT", m_server.url());
    env.emplace("HF_HOME", m_home.string());
    std::FILE* out = stdout_replacement != nullptr ? stdout_replacement : std::tmpfile();
    std::FILE* err = std::tmpfile();
    Io io;
    io.out = out;
    io.err = err;
    io.err_is_tty = err_is_tty;
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
  std::atomic<int> m_requests{0};
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
  // A command's help lists the global options its examples use.
  EXPECT_NE(sub_help.out.find("Global options"), std::string::npos);
  EXPECT_NE(sub_help.out.find("-o,--output TEXT"), std::string::npos) << sub_help.out;
  EXPECT_NE(sub_help.out.find("--json"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLineHint) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--no-such-option", "whoami"},
                                                                {},
                                                                {"nonsense-command"},
                                                                {"whoami", "--color", "pink"},
                                                                {"--json", "--raw", "whoami"},
                                                                {"-H", "no-colon", "whoami"}}) {
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

TEST_F(CliTest, QuietAndVerboseExcludeEachOther) {
  auto c = run({"-q", "-v", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("--quiet and --verbose exclude each other"), std::string::npos) << c.err;
  EXPECT_EQ(m_requests.load(), 0);
}

TEST_F(CliTest, QuietHidesWarnings) {
  auto c = run({"-q", "--insecure", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.err, "");
  auto loud = run({"--insecure", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_NE(loud.err.find("hfrun: warning: --insecure"), std::string::npos) << loud.err;
}

TEST_F(CliTest, TypoedCommandSuggestsTheClosestOne) {
  auto c = run({"serverles", "gpt2"});
  EXPECT_EQ(c.code, 2);
  EXPECT_TRUE(
      c.err.starts_with("hfrun: error: unknown command 'serverles'; did you mean 'serverless'?\n"))
      << c.err;
}

TEST_F(CliTest, EveryCommandOfTheContractIsBuilt) {
  // product.md's commands: each one answers --help (none says "not available in this version").
  for (const std::string& name : contract_commands()) {
    auto c = run({name, "--help"});
    EXPECT_EQ(c.code, 0) << name << ": " << c.err;
    EXPECT_NE(c.out.find(name), std::string::npos) << name;
  }
}

TEST_F(CliTest, UnknownOptionIsReportedBeforeAMissingPositional) {
  auto c = run({"serverless", "--helpp"});
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("unknown option '--helpp'"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("did you mean '--help'?"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find("required"), std::string::npos) << c.err;
}

TEST_F(CliTest, NegativeTimeoutHasAShortMessage) {
  auto c = run({"--timeout", "-1", "whoami"});
  EXPECT_EQ(c.code, 2);
  EXPECT_TRUE(c.err.starts_with("hfrun: error: --timeout: must be a number of seconds, 0 or more"))
      << c.err;
  EXPECT_LT(c.err.size(), 200u) << c.err;
}

TEST_F(CliTest, AHugeArgumentIsNotEchoedWhole) {
  auto c = run({"whoami", std::string(10000, 'x')});
  EXPECT_EQ(c.code, 2);
  EXPECT_LT(c.err.size(), 500u);
  auto h = run({"-H", std::string(10000, 'y'), "whoami"});
  EXPECT_EQ(h.code, 2);
  EXPECT_LT(h.err.size(), 500u);
}

TEST_F(CliTest, BadEndpointVariableIsNamed) {
  auto c = run({"whoami"}, {{"HF_ENDPOINT", "not a url"}, {"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 2);
  EXPECT_TRUE(c.err.starts_with("hfrun: error: HF_ENDPOINT is not an http(s) URL: 'not a url'\n"))
      << c.err;
}

TEST_F(CliTest, TopLevelHelpHasAnExample) {
  auto c = run({"--help"});
  EXPECT_EQ(c.code, 0);
  EXPECT_NE(c.out.find("Example:\n  hfrun "), std::string::npos) << c.out;
}

TEST_F(CliTest, LineBreaksInHeadersOrBillToAreUsageErrorsAndNothingIsSent) {
  auto h = run({"-H", "X-A: 1\r\nX-Injected: yes", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(h.code, 2);
  EXPECT_TRUE(h.err.starts_with("hfrun: error: --header: cannot contain a line break")) << h.err;
  auto b = run({"--bill-to", "acme\nX-Injected: yes", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(b.code, 2);
  EXPECT_TRUE(b.err.starts_with("hfrun: error: --bill-to: cannot contain a line break")) << b.err;
  auto name = run({"-H", "Bad Name: 1", "whoami"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(name.code, 2);
  EXPECT_EQ(m_requests.load(), 0);
}

TEST_F(CliTest, ServerEchoOfAnyTokenShapeIsMaskedAndEscapesAreVisible) {
  auto c = run({"whoami"}, {{"HF_TOKEN", k_org_token}});
  EXPECT_EQ(c.code, 3);
  EXPECT_EQ(c.err.find(k_org_token), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find('\x1b'), std::string::npos) << c.err;
  EXPECT_NE(c.err.find(R"(token *** rejected \x1b[2J)"), std::string::npos) << c.err;
}

TEST_F(CliTest, CredentialHeaderValuesAreMaskedInVeryVerboseLogs) {
  auto c =
      run({"-vv", "whoami", "-H", "X-Provider-Token: providersecret123"}, {{"HF_TOKEN", k_token}});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.err.find("providersecret123"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("X-Provider-Token: ***"), std::string::npos) << c.err;
}

TEST_F(CliTest, DryRunMasksCredentialHeadersGivenWithH) {
  auto c = run({"--dry-run", "whoami", "-H", "X-Api-Key: providersecret123", "-H",
                "Authorization: Bearer providersecret456"});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.find("providersecret"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("-H 'X-Api-Key: ***'"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("-H 'Authorization: Bearer ***'"), std::string::npos) << c.out;
  EXPECT_NE(c.err.find("as ***"), std::string::npos) << c.err;
}

TEST_F(CliTest, JsonErrorsAddAJsonLineOnStderr) {
  auto c = run({"whoami", "--json"}, {{"HF_TOKEN", "hf_wrong"}});
  EXPECT_EQ(c.code, 3);
  EXPECT_TRUE(c.err.starts_with("hfrun: error: ")) << c.err;
  const auto brace = c.err.find("\n{");
  ASSERT_NE(brace, std::string::npos) << c.err;
  const auto j = nlohmann::json::parse(c.err.substr(brace + 1));
  EXPECT_EQ(j["error"]["kind"], "auth");
  EXPECT_EQ(j["error"]["exit_code"], 3);
  EXPECT_EQ(j["error"]["status"], 401);
  EXPECT_EQ(j["error"]["request_id"], "req-401");
  EXPECT_EQ(j["error"]["server_message"], "Invalid username or password.");
  EXPECT_TRUE(c.out.empty());
}

TEST_F(CliTest, LostStdoutIsExitElevenNotSuccess) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  auto c = run({"whoami"}, {{"HF_TOKEN", k_token}}, full);
  EXPECT_EQ(c.code, 11) << c.err;
  EXPECT_NE(c.err.find("cannot write to stdout"), std::string::npos) << c.err;
}

TEST_F(CliTest, OutputThroughASymlinkKeepsTheLink) {
  const auto real = m_home / "real.json";
  const auto link = m_home / "link.json";
  std::ofstream(real) << "old";
  std::filesystem::create_symlink(real, link);
  auto c = run({"whoami", "--json", "-o", link.string()}, {{"HF_TOKEN", k_token}});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  std::ifstream in(real);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(nlohmann::json::parse(text)["name"], "tester");
}

TEST_F(CliTest, OutputToAFifoWritesIntoItInsteadOfReplacingIt) {
  const auto fifo = m_home / "out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign((std::istreambuf_iterator<char>(in)), {});
  });
  auto c = run({"whoami", "--json", "-o", fifo.string()}, {{"HF_TOKEN", k_token}});
  reader.join();
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(std::filesystem::status(fifo).type(), std::filesystem::file_type::fifo);
  EXPECT_EQ(nlohmann::json::parse(received)["name"], "tester");
}

TEST_F(CliTest, DashOutputIsStdout) {
  auto c = run({"whoami", "--json", "-o", "-"}, {{"HF_TOKEN", k_token}});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out)["name"], "tester");
  EXPECT_FALSE(std::filesystem::exists("-"));
}

TEST_F(CliTest, DumbTerminalGetsNoColour) {
  auto c = run({"whoami"}, {{"TERM", "dumb"}}, nullptr, true);
  EXPECT_EQ(c.code, 3);
  EXPECT_TRUE(c.err.starts_with("hfrun: error: ")) << c.err;
  auto colour = run({"whoami"}, {{"TERM", "xterm"}}, nullptr, true);
  EXPECT_TRUE(colour.err.starts_with("\x1b[")) << colour.err;
  auto forced = run({"--color", "always", "whoami"}, {{"TERM", "dumb"}}, nullptr, true);
  EXPECT_TRUE(forced.err.starts_with("\x1b[")) << forced.err;
}

// docs/output.md: NO_COLOR (set and not empty, no-color.org) turns colour off on a terminal as
// TERM=dumb does; --color always|never overrides both, also on an error printed before the
// command line parsed; the --json error line is never coloured.
TEST_F(CliTest, NoColorAndColorOptionOnATerminal) {
  const auto coloured = [](const Captured& c) { return c.err.starts_with("\x1b["); };
  EXPECT_FALSE(coloured(run({"whoami"}, {{"TERM", "xterm"}, {"NO_COLOR", "1"}}, nullptr, true)));
  EXPECT_TRUE(coloured(run({"whoami"}, {{"TERM", "xterm"}, {"NO_COLOR", ""}}, nullptr, true)))
      << "an empty NO_COLOR does not count";
  EXPECT_TRUE(coloured(
      run({"--color", "always", "whoami"}, {{"TERM", "xterm"}, {"NO_COLOR", "1"}}, nullptr, true)));
  EXPECT_FALSE(coloured(run({"whoami", "--color", "never"}, {{"TERM", "xterm"}}, nullptr, true)));
  EXPECT_FALSE(coloured(run({"whoami"}, {{"TERM", "xterm"}}, nullptr, false)))
      << "stderr is not a terminal";
  const auto usage =
      run({"--color=never", "--no-such-option", "whoami"}, {{"TERM", "xterm"}}, nullptr, true);
  EXPECT_EQ(usage.code, 2);
  EXPECT_TRUE(usage.err.starts_with("hfrun: error: ")) << usage.err;
  const auto forced =
      run({"--no-such-option", "--color", "always", "whoami"}, {{"TERM", "dumb"}}, nullptr, false);
  EXPECT_TRUE(coloured(forced)) << forced.err;
  const auto json_line =
      run({"whoami", "--json", "--color", "always"}, {{"TERM", "xterm"}}, nullptr, true);
  EXPECT_EQ(json_line.code, 3);
  const auto brace = json_line.err.find("\n{");
  ASSERT_NE(brace, std::string::npos) << json_line.err;
  EXPECT_EQ(json_line.err.find('\x1b', brace), std::string::npos) << json_line.err;
}

TEST_F(CliTest, UsageErrorsEchoNoSecret) {
  auto c = run({"--token", k_org_token, "whoami", k_org_token});
  EXPECT_EQ(c.code, 2);
  EXPECT_EQ(c.err.find(k_org_token), std::string::npos) << c.err;
  auto h = run({"-H", "X-Api-Key: providersecret123", "whoami", "providersecret123"});
  EXPECT_EQ(h.code, 2);
  EXPECT_EQ(h.err.find("providersecret123"), std::string::npos) << h.err;
  auto env =
      run({"whoami", "extra-api_org_fromenvironment"}, {{"HF_TOKEN", "api_org_fromenvironment"}});
  EXPECT_EQ(env.code, 2);
  EXPECT_EQ(env.err.find("api_org_fromenvironment"), std::string::npos) << env.err;
}

TEST_F(CliTest, JsonUsageErrorsAlsoGetTheJsonLine) {
  auto c = run({"--json", "--no-such-option", "whoami"});
  EXPECT_EQ(c.code, 2);
  const auto brace = c.err.find("\n{");
  ASSERT_NE(brace, std::string::npos) << c.err;
  const auto j = nlohmann::json::parse(c.err.substr(brace + 1));
  EXPECT_EQ(j["error"]["kind"], "usage");
  EXPECT_EQ(j["error"]["exit_code"], 2);
}

TEST_F(CliTest, HelpToAFullStdoutIsExitEleven) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  auto c = run({"--help"}, {}, full);
  EXPECT_EQ(c.code, 11) << c.err;
}

TEST_F(CliTest, OversizedTokenFileIsWarnedAbout) {
  std::ofstream(m_home / "token") << "hf_" << std::string(5000, 'a');
  auto c = run({"whoami"});
  EXPECT_EQ(c.code, 3);
  EXPECT_NE(c.err.find("hfrun: warning: the token file"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("too large"), std::string::npos) << c.err;
}

} // namespace
} // namespace hfrun::cli
