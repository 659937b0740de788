#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <gtest/gtest.h>
#include <hfrun/client/client.hpp>

namespace hfrun::client {
namespace {

constexpr const char* k_token = "hf_clienttesttoken";

struct Harness {
  explicit Harness(bool dry_run = false,
                   std::string endpoint = "https://huggingface.co",
                   std::vector<std::pair<std::string, std::string>> extra = {{"X-Extra", "1"}}) {
    ClientOptions options;
    options.config =
        config::load_config(config::map_env({{"HF_ENDPOINT", endpoint}, {"HOME", "/tmp"}}));
    options.token = config::Token{k_token, config::TokenSource::env_hf_token, {}};
    options.dry_run = dry_run;
    options.bill_to = "acme";
    options.extra_headers = std::move(extra);
    auto fake = std::make_unique<http::FakeTransport>();
    transport = fake.get();
    Reporter reporter;
    reporter.dry_run = [this](std::string_view line) { printed += std::string(line) + "\n"; };
    reporter.note = [this](std::string_view line) { notes += std::string(line) + "\n"; };
    client =
        std::make_unique<Client>(std::move(options), std::move(fake), sleeper, std::move(reporter));
  }
  http::FakeTransport* transport = nullptr;
  util::FakeSleeper sleeper;
  std::string printed;
  std::string notes;
  std::unique_ptr<Client> client;
};

http::Request get(std::string url) {
  http::Request r;
  r.url = std::move(url);
  return r;
}

TEST(ClientTest, TokenGoesOnlyToHuggingFaceHostsOverHttpsAndConfiguredOrigins) {
  Harness h(false, "http://127.0.0.1:9999");
  EXPECT_TRUE(h.client->may_receive_token("https://huggingface.co/api/whoami-v2"));
  EXPECT_TRUE(h.client->may_receive_token("https://router.huggingface.co/v1/chat/completions"));
  EXPECT_TRUE(
      h.client->may_receive_token("https://abc.us-east-1.aws.endpoints.huggingface.cloud/"));
  EXPECT_TRUE(h.client->may_receive_token("https://owner-space.hf.space/gradio_api/info"));
  EXPECT_TRUE(h.client->may_receive_token("http://127.0.0.1:9999/api/models/x"));
  EXPECT_FALSE(h.client->may_receive_token("http://127.0.0.1:9998/api/models/x"));
  EXPECT_FALSE(h.client->may_receive_token("http://huggingface.co/api/whoami-v2"));
  EXPECT_FALSE(h.client->may_receive_token("https://evilhuggingface.co/"));
  EXPECT_FALSE(h.client->may_receive_token("https://huggingface.co.evil.com/"));
  EXPECT_FALSE(h.client->may_receive_token("https://v3.fal.media/files/x.png"));
  h.client->trust_origin("http://10.0.0.5:8080/generate");
  EXPECT_TRUE(h.client->may_receive_token("http://10.0.0.5:8080/v1/chat/completions"));
}

TEST(ClientTest, SendAddsAuthBillToAndExtraHeaders) {
  Harness h;
  h.transport->push_status(200, {}, "{}");
  auto request = get("https://huggingface.co/api/whoami-v2");
  ASSERT_TRUE(h.client->send(request));
  ASSERT_EQ(h.transport->requests.size(), 1u);
  const auto& sent = h.transport->requests.front().headers;
  EXPECT_EQ(sent.get("Authorization").value_or(""), std::string("Bearer ") + k_token);
  EXPECT_EQ(sent.get("X-HF-Bill-To").value_or(""), "acme");
  EXPECT_EQ(sent.get("X-Extra").value_or(""), "1");
}

TEST(ClientTest, NoTokenToForeignHostsOrWhenAuthIsNever) {
  Harness h;
  h.transport->push_status(200);
  h.transport->push_status(200);
  auto foreign = get("https://v3.fal.media/files/x.png");
  ASSERT_TRUE(h.client->send(foreign));
  auto never = get("https://huggingface.co/x");
  ASSERT_TRUE(h.client->send(never, Auth::never));
  for (const auto& sent : h.transport->requests) {
    EXPECT_FALSE(sent.headers.has("Authorization")) << sent.url;
  }
}

TEST(ClientTest, RetriesThroughTheClientUseTheSleeper) {
  Harness h;
  http::Headers retry_after;
  retry_after.set("Retry-After", "2");
  h.transport->push_status(429, retry_after);
  h.transport->push_status(200, {}, "ok");
  auto request = get("https://huggingface.co/api/x");
  auto result = h.client->send(request);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  ASSERT_EQ(h.sleeper.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeper.sleeps.front(), std::chrono::milliseconds(2000));
}

TEST(ClientTest, DryRunPrintsCurlAndSendsNothing) {
  Harness h(true);
  auto request = get("https://huggingface.co/api/whoami-v2");
  auto result = h.client->send(request);
  ASSERT_FALSE(result);
  EXPECT_TRUE(is_dry_run_stop(result.error()));
  EXPECT_EQ(exit_code_for(result.error().kind), 0);
  EXPECT_TRUE(h.transport->requests.empty());
  EXPECT_EQ(h.printed.find(k_token), std::string::npos);
  EXPECT_NE(h.printed.find("\"Authorization: Bearer $HF_TOKEN\""), std::string::npos) << h.printed;
}

TEST(ClientTest, DryRunMasksCredentialHeadersFromTheCommandLine) {
  Harness h(true, "https://huggingface.co",
            {{"X-Api-Key", "sk-provider-secret"}, {"Cookie", "session=abcdef"}, {"X-Extra", "1"}});
  auto request = get("https://huggingface.co/api/whoami-v2");
  ASSERT_FALSE(h.client->send(request));
  EXPECT_EQ(h.printed.find("sk-provider-secret"), std::string::npos) << h.printed;
  EXPECT_EQ(h.printed.find("session=abcdef"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("-H 'X-Api-Key: ***'"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("-H 'Cookie: ***'"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("-H 'X-Extra: 1'"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("\"Authorization: Bearer $HF_TOKEN\""), std::string::npos) << h.printed;
  EXPECT_EQ(h.notes,
            "--dry-run shows the value of X-Api-Key, Cookie as ***: put the real value back "
            "before running the command\n");
}

TEST(ClientTest, DryRunMasksAnAuthorizationHeaderThatIsNotTheToken) {
  Harness h(true, "https://huggingface.co", {{"Authorization", "Bearer sk-other-provider"}});
  auto request = get("https://huggingface.co/api/whoami-v2");
  ASSERT_FALSE(h.client->send(request));
  EXPECT_EQ(h.printed.find("sk-other-provider"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("-H 'Authorization: Bearer ***'"), std::string::npos) << h.printed;
}

TEST(ClientTest, DryRunShowsTheTokenAsTheVariableInAnyHeader) {
  Harness h(true, "https://huggingface.co",
            {{"X-Forward", std::string("t=") + k_token + " \"x\""}});
  auto request = get("https://huggingface.co/api/whoami-v2");
  ASSERT_FALSE(h.client->send(request));
  EXPECT_EQ(h.printed.find(k_token), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find(R"(-H "X-Forward: t=$HF_TOKEN \"x\"")"), std::string::npos) << h.printed;
}

TEST(ClientTest, LineBreaksInHeadersOrBillToAreRefused) {
  Harness h(false, "https://huggingface.co", {{"X-Extra", "1\r\nX-Injected: yes"}});
  auto request = get("https://huggingface.co/api/whoami-v2");
  auto result = h.client->send(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::usage);
  EXPECT_TRUE(h.transport->requests.empty());
}

TEST(ClientTest, RequiredAuthWithoutTokenFailsWithExitThree) {
  ClientOptions options;
  options.config = config::load_config(config::map_env({}));
  util::FakeSleeper sleeper;
  Client client(std::move(options), std::make_unique<http::FakeTransport>(), sleeper, {});
  auto request = get("https://huggingface.co/api/whoami-v2");
  auto result = client.send(request, Auth::required);
  ASSERT_FALSE(result);
  EXPECT_EQ(exit_code_for(result.error().kind), 3);
}

TEST(ClientTest, NonHttpUrlIsAUsageError) {
  Harness h;
  auto request = get("ftp://huggingface.co/x");
  auto result = h.client->send(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(exit_code_for(result.error().kind), 2);
}

} // namespace
} // namespace hfrun::client

namespace hfrun::client {
namespace {

TEST(ClientOffline, NoRequestGoesOutWithHfHubOffline) {
  ClientOptions options;
  options.config =
      config::load_config(config::map_env({{"HF_HUB_OFFLINE", "1"}, {"HOME", "/tmp"}}));
  auto fake = std::make_unique<http::FakeTransport>();
  auto* transport = fake.get();
  util::FakeSleeper sleeper;
  Client client(std::move(options), std::move(fake), sleeper, Reporter{});
  http::Request r;
  r.url = "https://huggingface.co/api/whoami-v2";
  auto sent = client.send(r);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::usage);
  EXPECT_NE(sent.error().message.find("HF_HUB_OFFLINE"), std::string::npos);
  std::vector<http::Request> many(2, r);
  for (const auto& result : client.send_all(many)) {
    EXPECT_FALSE(result);
  }
  EXPECT_TRUE(transport->requests.empty());
}

} // namespace
} // namespace hfrun::client
