// The output layer on its own: stdout failures, masking, control characters, --quiet, --json
// errors, -o -.
#include "cli/output.hpp"
#include "unit/cli/slurp.hpp"

#include <csignal>
#include <cstdio>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace hfrun::cli {
namespace {

using hfrun::test::slurp;

// Streams for one Output: stdout and stderr in temporary files unless replaced.
struct Streams {
  Streams() : out(std::tmpfile()), err(std::tmpfile()) {}
  ~Streams() {
    if (out != nullptr) {
      std::fclose(out);
    }
    std::fclose(err);
  }
  Streams(const Streams&) = delete;
  Streams& operator=(const Streams&) = delete;
  Io io() const {
    Io io;
    io.out = out;
    io.err = err;
    return io;
  }
  std::string err_text() { return slurp(err); }
  std::FILE* out;
  std::FILE* err;
};

void replace_out(Streams& s, std::FILE* out) {
  std::fclose(s.out);
  s.out = out;
}

Error server_error() {
  Error e = make_error(ErrorKind::auth, "whoami request", "check the token");
  e.http_status = 401;
  e.server_message = "token api_org_abcdefghijklmnop is invalid";
  e.request_id = "req-1";
  return e;
}

TEST(OutputTest, StdoutFullIsAStickyOutputFailedError) {
  Streams s;
  replace_out(s, std::fopen("/dev/full", "w"));
  ASSERT_NE(s.out, nullptr);
  Output out(s.io(), {});
  EXPECT_FALSE(out.stdout_failed());
  out.stream_text("token ");
  EXPECT_TRUE(out.stdout_failed());
  auto text = out.result_text("more");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind, ErrorKind::output_failed);
  auto finished = out.finish();
  ASSERT_FALSE(finished);
  EXPECT_EQ(exit_code_for(finished.error().kind), 11);
  EXPECT_NE(finished.error().message.find("No space left on device"), std::string::npos)
      << finished.error().message;
}

TEST(OutputTest, ClosedReaderIsBrokenPipe) {
  std::signal(SIGPIPE, SIG_IGN); // as hfrun::cli::run does: EPIPE comes back as an error value
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  Streams s;
  replace_out(s, ::fdopen(fds[1], "w"));
  Output out(s.io(), {});
  auto written = out.result_json(nlohmann::json{{"a", 1}});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::output_failed);
  EXPECT_NE(written.error().message.find("Broken pipe"), std::string::npos)
      << written.error().message;
  EXPECT_TRUE(out.stdout_failed());
}

TEST(OutputTest, UnwritableStdoutFailsBinaryResults) {
  Streams s;
  replace_out(s, std::fopen("/dev/null", "r")); // a stream that cannot be written at all
  Output out(s.io(), {});
  auto written = out.result_binary("\x89PNG", "image/png");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::output_failed);
}

TEST(OutputTest, GoodStdoutFinishesCleanly) {
  Streams s;
  Output out(s.io(), {});
  out.stream_text("a");
  ASSERT_TRUE(out.result_text("b"));
  EXPECT_TRUE(out.finish());
  EXPECT_EQ(slurp(s.out), "ab\n");
}

TEST(OutputTest, SecretsAreMaskedByValueEverywhereOnStderr) {
  Streams s;
  Output out(s.io(), {});
  out.add_secret("api_org_abcdefghijklmnop");
  out.add_header_secret("X-Api-Key", " key_with_underscores ");
  out.add_header_secret("Accept", "application/json");
  Error e = server_error();
  e.hint = "hint mentions key_with_underscores";
  e.request_id = "api_org_abcdefghijklmnop";
  out.error(e);
  out.warn("warning about key_with_underscores");
  out.note("note about api_org_abcdefghijklmnop and application/json");
  out.plain_err("> X-Echo: key_with_underscores");
  const std::string err = s.err_text();
  EXPECT_EQ(err.find("api_org_abcdefghijklmnop"), std::string::npos) << err;
  EXPECT_EQ(err.find("key_with_underscores"), std::string::npos) << err;
  EXPECT_NE(err.find("token *** is invalid"), std::string::npos) << err;
  EXPECT_NE(err.find("(request id: ***)"), std::string::npos) << err;
  EXPECT_NE(err.find("hfrun: warning: warning about ***\n"), std::string::npos) << err;
  EXPECT_NE(err.find("> X-Echo: ***\n"), std::string::npos) << err;
  EXPECT_NE(err.find("application/json"), std::string::npos) << err; // not a credential
}

TEST(OutputTest, ServerControlCharactersAreMadeVisible) {
  Streams s;
  Output out(s.io(), {});
  Error e = make_error(ErrorKind::unavailable, "request");
  e.server_message = "\x1b]0;pwned\x07\x1b[2Jgone\r\x7f \xC2\x9B"
                     "31m";
  e.request_id = "id\x1b[1m";
  out.error(e);
  out.warn("w\x1b[31m");
  out.note("n\x08");
  const std::string err = s.err_text();
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_EQ(err.find('\x07'), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_NE(err.find(R"(\x1b]0;pwned\x07\x1b[2Jgone\x0d\x7f \u009b31m)"), std::string::npos) << err;
  EXPECT_NE(err.find(R"((request id: id\x1b[1m))"), std::string::npos) << err;
  EXPECT_NE(err.find(R"(hfrun: warning: w\x1b[31m)"), std::string::npos) << err;
  EXPECT_NE(err.find(R"(hfrun: n\x08)"), std::string::npos) << err;
}

TEST(OutputTest, NeutralizeKeepsTextNewlinesTabsAndUtf8) {
  EXPECT_EQ(neutralize_controls("caf\xC3\xA9\tline\nnext \xE2\x82\xAC"),
            "caf\xC3\xA9\tline\nnext \xE2\x82\xAC");
  EXPECT_EQ(neutralize_controls("bad \xFF byte"), R"(bad \xff byte)");
  EXPECT_EQ(neutralize_controls(std::string_view("a\0b", 3)), R"(a\x00b)");
}

TEST(OutputTest, QuietHidesWarningsAndNotesButNotErrors) {
  Streams s;
  OutputOptions options;
  options.quiet = true;
  Output out(s.io(), options);
  out.warn("a warning");
  out.note("a note");
  out.error(make_error(ErrorKind::usage, "an error"));
  EXPECT_EQ(s.err_text(), "hfrun: error: an error\n");
}

TEST(OutputTest, JsonModeAddsOneJsonErrorLine) {
  Streams s;
  OutputOptions options;
  options.json = true;
  Output out(s.io(), options);
  out.add_secret("api_org_abcdefghijklmnop");
  out.error(server_error());
  const std::string err = s.err_text();
  const auto first_newline = err.find("\n  hint: check the token\n");
  ASSERT_NE(first_newline, std::string::npos) << err;
  const std::string json_line =
      err.substr(first_newline + std::string("\n  hint: check the token\n").size());
  ASSERT_FALSE(json_line.empty());
  EXPECT_EQ(json_line.back(), '\n');
  EXPECT_EQ(json_line.find('\n'), json_line.size() - 1); // one line
  const auto j = nlohmann::json::parse(json_line);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"error": {"kind": "auth", "exit_code": 3, "status": 401,
      "message": "whoami request", "server_message": "token *** is invalid", "request_id": "req-1",
      "hint": "check the token"}})"));
}

TEST(OutputTest, JsonErrorWithoutStatusOrRequestIdHasNulls) {
  Streams s;
  OutputOptions options;
  options.json = true;
  Output out(s.io(), options);
  out.error(make_error(ErrorKind::network, "connection refused"));
  const std::string err = s.err_text();
  const auto j = nlohmann::json::parse(err.substr(err.find('{')));
  EXPECT_TRUE(j["error"]["status"].is_null());
  EXPECT_TRUE(j["error"]["request_id"].is_null());
  EXPECT_EQ(j["error"]["exit_code"], 8);
  EXPECT_EQ(j["error"]["kind"], "network");
}

TEST(OutputTest, DashIsStdoutEvenForBinaryOnATerminal) {
  Streams s;
  Io io = s.io();
  io.out_is_tty = true;
  OutputOptions options;
  options.output_file = "-";
  Output out(io, options);
  EXPECT_FALSE(out.options().output_file.has_value());
  EXPECT_TRUE(out.check_output_writable());
  ASSERT_TRUE(out.result_binary("RIFF", "audio/wav"));
  EXPECT_EQ(slurp(s.out), "RIFF");
}

TEST(OutputTest, BinaryToATerminalWithoutDashIsStillAUsageError) {
  Streams s;
  Io io = s.io();
  io.out_is_tty = true;
  Output out(io, {});
  auto written = out.result_binary("RIFF", "audio/wav");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::usage);
}

TEST(OutputTest, CheckOutputWritableNamesAMissingDirectory) {
  Streams s;
  OutputOptions options;
  options.output_file = "/nonexistent-hfrun-dir/out.png";
  Output out(s.io(), options);
  auto checked = out.check_output_writable();
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::usage);
  EXPECT_NE(checked.error().message.find("/nonexistent-hfrun-dir"), std::string::npos);
}

TEST(OutputTest, NoColourWhenNoColorEnvEvenOnATerminal) {
  Streams s;
  Io io = s.io();
  io.err_is_tty = true;
  OutputOptions options;
  options.no_color_env = true;
  Output plain(io, options);
  EXPECT_FALSE(plain.color_err());
  options.color = ColorMode::always;
  Output forced(io, options);
  EXPECT_TRUE(forced.color_err());
}

} // namespace
} // namespace hfrun::cli
