// probe::fetch_reports through a fake transport: the two request rounds, one outcome per model in
// the order given (the input kept as given), failures in their slot, and --dry-run sending nothing.
#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <gtest/gtest.h>
#include <hfrun/client/client.hpp>
#include <hfrun/probe/fetch.hpp>

namespace hfrun::probe {
namespace {

constexpr const char* k_endpoint = "https://huggingface.co";

struct Harness {
  explicit Harness(bool dry_run = false) {
    client::ClientOptions options;
    options.config =
        config::load_config(config::map_env({{"HF_ENDPOINT", k_endpoint}, {"HOME", "/tmp"}}));
    options.token = config::Token{"hf_probefetchtesttoken", config::TokenSource::env_hf_token, {}};
    options.dry_run = dry_run;
    auto fake = std::make_unique<http::FakeTransport>();
    transport = fake.get();
    client::Reporter reporter;
    reporter.dry_run = [this](std::string_view line) { printed += std::string(line) + "\n"; };
    reporter.note = [](std::string_view) {};
    client = std::make_unique<client::Client>(std::move(options), std::move(fake), sleeper,
                                              std::move(reporter));
  }
  void push_json(int status, const std::string& body) {
    http::Headers headers;
    headers.set("Content-Type", "application/json");
    transport->push_status(status, std::move(headers), body);
  }
  http::FakeTransport* transport = nullptr;
  util::FakeSleeper sleeper;
  std::string printed;
  std::unique_ptr<client::Client> client;
};

std::string path_of(const std::string& url) {
  const auto query = url.find('?');
  return url.substr(std::string(k_endpoint).size(), query == std::string::npos
                                                        ? std::string::npos
                                                        : query - std::string(k_endpoint).size());
}

TEST(FetchReports, TwoRoundsOneOutcomePerModelInOrderWithTheInputAsGiven) {
  Harness h;
  // Round 1: the model infos, in the order given. `gpt2` answers under its new id (the Hub
  // redirects renamed repos; the transport follows).
  h.push_json(200, R"({"id": "openai-community/gpt2", "sha": "a1", "spaces": ["s/shared"]})");
  h.push_json(404, R"({"error": "Repository not found"})");
  h.push_json(200, R"({"id": "org/other", "sha": "b2", "spaces": ["s/shared", "s/own"]})");
  // Round 2: each Space once, in first-seen order.
  h.push_json(200, R"({"stage": "RUNNING"})");
  h.push_json(200, R"({"stage": "PAUSED"})");

  const auto probes = fetch_reports(*h.client, {"gpt2", "org/missing", "org/other"}, "");

  ASSERT_EQ(probes.size(), 3U);
  EXPECT_EQ(probes[0].input, "gpt2");
  ASSERT_TRUE(probes[0].report.has_value());
  EXPECT_EQ(probes[0].report->input, "gpt2");
  EXPECT_EQ(probes[0].report->model, "openai-community/gpt2");

  EXPECT_EQ(probes[1].input, "org/missing");
  ASSERT_FALSE(probes[1].report.has_value());
  EXPECT_EQ(probes[1].report.error().kind, ErrorKind::not_found);
  EXPECT_EQ(probes[1].report.error().http_status, 404);

  EXPECT_EQ(probes[2].input, "org/other");
  ASSERT_TRUE(probes[2].report.has_value());
  EXPECT_EQ(probes[2].report->input, "org/other");
  const auto& checked = probes[2].report->ways.space.checked;
  ASSERT_EQ(checked.size(), 2U);
  EXPECT_EQ(checked[0].id, "s/shared");
  EXPECT_EQ(checked[0].stage, "RUNNING");
  EXPECT_EQ(checked[1].id, "s/own");
  EXPECT_EQ(checked[1].stage, "PAUSED");
  EXPECT_EQ(probes[2].report->ways.space.available, Verdict::yes);

  EXPECT_EQ(h.transport->send_all_calls, 2) << "one concurrent round each";
  ASSERT_EQ(h.transport->requests.size(), 5U);
  EXPECT_EQ(path_of(h.transport->requests[0].url), "/api/models/gpt2");
  EXPECT_EQ(path_of(h.transport->requests[1].url), "/api/models/org/missing");
  EXPECT_EQ(path_of(h.transport->requests[2].url), "/api/models/org/other");
  EXPECT_NE(h.transport->requests[0].url.find("expand%5B%5D=inferenceProviderMapping"),
            std::string::npos)
      << h.transport->requests[0].url;
  EXPECT_EQ(path_of(h.transport->requests[3].url), "/api/spaces/s/shared/runtime");
  EXPECT_EQ(path_of(h.transport->requests[4].url), "/api/spaces/s/own/runtime");
}

TEST(FetchReports, AFailedRuntimeLeavesThatSpaceUnchecked) {
  Harness h;
  h.push_json(200, R"({"id": "a/b", "spaces": ["s/gone"]})");
  h.push_json(404, R"({"error": "Space not found"})");

  const auto probes = fetch_reports(*h.client, {"a/b"}, "");

  ASSERT_EQ(probes.size(), 1U);
  ASSERT_TRUE(probes[0].report.has_value()) << describe(probes[0].report.error());
  ASSERT_EQ(probes[0].report->ways.space.checked.size(), 1U);
  EXPECT_EQ(probes[0].report->ways.space.checked[0].stage, std::nullopt);
  EXPECT_EQ(probes[0].report->ways.space.available, Verdict::unknown);
}

TEST(FetchReports, NoSpacesMeansNoSecondRound) {
  Harness h;
  h.push_json(200, R"({"id": "a/b", "spaces": []})");

  const auto probes = fetch_reports(*h.client, {"a/b"}, "");

  ASSERT_EQ(probes.size(), 1U);
  EXPECT_TRUE(probes[0].report.has_value());
  EXPECT_EQ(h.transport->send_all_calls, 1);
}

TEST(FetchReports, RevisionGoesIntoThePathPercentEncodedWhole) {
  Harness h;
  h.push_json(200, R"({"id": "a/b", "sha": "c3"})");

  const auto probes = fetch_reports(*h.client, {"a/b"}, "refs/pr/1");

  ASSERT_EQ(probes.size(), 1U);
  ASSERT_TRUE(probes[0].report.has_value());
  ASSERT_EQ(h.transport->requests.size(), 1U);
  EXPECT_EQ(path_of(h.transport->requests[0].url), "/api/models/a/b/revision/refs%2Fpr%2F1");
}

TEST(FetchReports, UnknownRevisionHintsAtTheRevisionNotTheModelId) {
  Harness h;
  http::Headers headers;
  headers.set("Content-Type", "application/json");
  headers.set("X-Error-Code", "RevisionNotFound");
  headers.set("X-Error-Message", "Invalid rev id: nosuch");
  h.transport->push_status(404, std::move(headers), R"({"error": "Invalid rev id: nosuch"})");

  const auto probes = fetch_reports(*h.client, {"a/b"}, "nosuch");

  ASSERT_EQ(probes.size(), 1U);
  ASSERT_FALSE(probes[0].report.has_value());
  const Error& error = probes[0].report.error();
  EXPECT_EQ(error.kind, ErrorKind::not_found);
  EXPECT_NE(error.hint.find("revision (branch, tag or commit) does not exist"), std::string::npos)
      << error.hint;
  EXPECT_EQ(error.hint.find("owner/name"), std::string::npos) << error.hint;
}

TEST(FetchReports, DryRunPrintsEveryModelInfoRequestAndSendsNothing) {
  Harness h(/*dry_run=*/true);

  const auto probes = fetch_reports(*h.client, {"a/b", "c/d"}, "");

  ASSERT_EQ(probes.size(), 2U);
  for (const auto& one : probes) {
    ASSERT_FALSE(one.report.has_value());
    EXPECT_TRUE(client::is_dry_run_stop(one.report.error()));
  }
  EXPECT_EQ(probes[0].input, "a/b");
  EXPECT_EQ(probes[1].input, "c/d");
  EXPECT_TRUE(h.transport->requests.empty());
  EXPECT_NE(h.printed.find("/api/models/a/b?"), std::string::npos) << h.printed;
  EXPECT_NE(h.printed.find("/api/models/c/d?"), std::string::npos) << h.printed;
}

TEST(FetchReports, AnInvalidIdFailsInItsSlotWithoutARequest) {
  Harness h;
  h.push_json(200, R"({"id": "a/b"})");

  const auto probes = fetch_reports(*h.client, {"not a repo id", "a/b"}, "");

  ASSERT_EQ(probes.size(), 2U);
  ASSERT_FALSE(probes[0].report.has_value());
  EXPECT_EQ(probes[0].report.error().kind, ErrorKind::usage);
  EXPECT_TRUE(probes[1].report.has_value());
  ASSERT_EQ(h.transport->requests.size(), 1U);
}

} // namespace
} // namespace hfrun::probe
