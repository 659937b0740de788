// hfrun endpoint NAME and the management commands against the emulator's Inference Endpoints API
// and proxy (docs/emulator.md, "Inference Endpoints"): list and show, a named endpoint's call with
// its flavour from the control plane, paused and failed failing at once, a scaled-to-zero endpoint
// woken, and one endpoint driven from create to delete through the state machine.
#include "emulator_fixture.hpp"
#include "serverless_e2e.hpp"

#include <chrono>
#include <gtest/gtest.h>

namespace hfrun::test {
namespace {

using nlohmann::json;
using serverless::run;

json parsed(const ProcessResult& r) {
  return json::parse(r.out, nullptr, false);
}

std::string state_of(const json& endpoint) {
  return endpoint.is_object() && endpoint.contains("status") && endpoint["status"].is_object() &&
                 endpoint["status"].contains("state") && endpoint["status"]["state"].is_string()
             ? endpoint["status"]["state"].get<std::string>()
             : std::string();
}

TEST(EndpointManage, ListShowsTheNamespacesEndpoints) {
  auto table = run({"endpoint", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("NAME"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("hfrun-tester/llama-tgi"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("hfrun-tester/paused-llama"), std::string::npos) << table.out;
  auto listed = run({"endpoint", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json items = parsed(listed);
  ASSERT_TRUE(items.is_array()) << listed.out;
  std::set<std::string> names;
  for (const auto& e : items) {
    names.insert(e["name"].get<std::string>());
  }
  EXPECT_TRUE(names.count("sentiment") == 1 && names.count("sleepy-llama") == 1) << listed.out;
  auto org = run({"endpoint", "list", "--namespace", "hfrun-org", "--json"});
  ASSERT_EQ(org.exit_code, 0) << org.err;
  ASSERT_EQ(parsed(org).size(), 1u) << org.out;
  EXPECT_EQ(parsed(org)[0]["name"], "org-embed");
  auto anonymous = hfrun({"endpoint", "list"}, /*with_token=*/false);
  EXPECT_EQ(anonymous.exit_code, 3) << anonymous.err;
}

TEST(EndpointManage, ShowGivesTheApisObjectAndAMissingOneIsExitFour) {
  auto shown = run({"endpoint", "show", "llama-tgi", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(parsed(shown)["model"]["repository"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_TRUE(parsed(shown)["status"]["url"].is_string());
  auto text = run({"endpoint", "show", "hfrun-tester/llama-tgi"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("state:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("running (Endpoint is ready)"), std::string::npos) << text.out;
  auto missing = run({"endpoint", "show", "no-such-endpoint"});
  EXPECT_EQ(missing.exit_code, 4) << missing.err;
}

TEST(EndpointManage, ANamedEndpointRunsWithItsFlavourFromTheControlPlane) {
  auto chat = run({"endpoint", "llama-tgi", "--text", "Hello", "--json", "-v"});
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_EQ(parsed(chat)["content"], "You said: Hello");
  EXPECT_NE(chat.err.find("via tgi (the endpoint's image tgi"), std::string::npos) << chat.err;
  auto classified = run({"endpoint", "sentiment", "--text", "I love it", "--json"});
  ASSERT_EQ(classified.exit_code, 0) << classified.err;
  EXPECT_EQ(parsed(classified)["task"], "text-classification"); // the endpoint's own task
  auto embedded = run({"endpoint", "hfrun-org/org-embed", "--text", "a sentence", "--json"});
  ASSERT_EQ(embedded.exit_code, 0) << embedded.err;
  EXPECT_EQ(parsed(embedded)["dimension"], 384);
}

TEST(EndpointManage, PausedAndFailedEndpointsFailAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  auto paused = run({"endpoint", "paused-llama", "--text", "Hello"});
  EXPECT_EQ(paused.exit_code, 7) << paused.err;
  EXPECT_NE(paused.err.find("run `hfrun endpoint resume hfrun-tester/paused-llama`"),
            std::string::npos)
      << paused.err;
  auto failed = run({"endpoint", "broken", "--text", "Hello"});
  EXPECT_EQ(failed.exit_code, 7) << failed.err;
  EXPECT_NE(failed.err.find("is failed: Endpoint failed to deploy"), std::string::npos)
      << failed.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  auto waited = run({"endpoint", "wait", "paused-llama"});
  EXPECT_EQ(waited.exit_code, 7) << waited.err;
}

TEST(EndpointManage, AScaledToZeroEndpointIsWokenByTheCall) {
  auto r = run({"endpoint", "sleepy-llama", "--text", "Hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "You said: Hello\n");
  EXPECT_NE(r.err.find("is scaled to zero: waking it"), std::string::npos) << r.err;
  auto shown = run({"endpoint", "show", "sleepy-llama", "--json"});
  EXPECT_EQ(state_of(parsed(shown)), "running");
}

TEST(EndpointManage, OneEndpointFromCreateToDelete) {
  auto created = run({"endpoint", "create", "my-sentiment", "--model",
                      "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "--task",
                      "text-classification", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(state_of(parsed(created)), "pending");
  EXPECT_FALSE(parsed(created)["status"].contains("url")) << created.out; // not deployed yet
  auto again = run({"endpoint", "create", "my-sentiment", "--model", "gpt2"});
  EXPECT_EQ(again.exit_code, 6) << again.err; // 409: the name is taken

  auto ready = run({"endpoint", "wait", "my-sentiment", "--timeout", "60", "--json"});
  ASSERT_EQ(ready.exit_code, 0) << ready.err;
  EXPECT_EQ(state_of(parsed(ready)), "running");
  EXPECT_NE(ready.err.find("waiting for endpoint hfrun-tester/my-sentiment"), std::string::npos)
      << ready.err;
  auto called = run({"endpoint", "my-sentiment", "--text", "I love it", "--json"});
  ASSERT_EQ(called.exit_code, 0) << called.err;
  EXPECT_EQ(parsed(called)["task"], "text-classification");

  auto paused = run({"endpoint", "pause", "my-sentiment", "--json"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_EQ(state_of(parsed(paused)), "paused");
  EXPECT_EQ(run({"endpoint", "my-sentiment", "--text", "I love it"}).exit_code, 7);
  auto resumed = run({"endpoint", "resume", "my-sentiment", "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(run({"endpoint", "wait", "my-sentiment"}).exit_code, 0);
  auto twice = run({"endpoint", "resume", "my-sentiment"});
  EXPECT_EQ(twice.exit_code, 0) << twice.err; // already running is what was asked
  EXPECT_NE(twice.err.find("is already running"), std::string::npos) << twice.err;

  auto zero = run({"endpoint", "scale-to-zero", "my-sentiment", "--json"});
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_EQ(state_of(parsed(zero)), "scaledToZero");
  auto woken = run({"endpoint", "my-sentiment", "--text", "I love it", "--json"});
  ASSERT_EQ(woken.exit_code, 0) << woken.err;

  auto updated = run({"endpoint", "update", "my-sentiment", "--min-replica", "0",
                      "--scale-to-zero-timeout", "15", "--wait", "--json"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(parsed(updated)["compute"]["scaling"]["minReplica"], 0);
  EXPECT_EQ(state_of(parsed(updated)), "running");

  auto refused = run({"endpoint", "delete", "my-sentiment"}); // stdin is not a terminal
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  auto deleted = run({"endpoint", "delete", "my-sentiment", "--yes"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(run({"endpoint", "show", "my-sentiment"}).exit_code, 4);
}

TEST(EndpointManage, BadInputCostsNoRequestAndDryRunShowsTheCall) {
  auto bad = run({"endpoint", "create", "Bad_Name", "--model", "gpt2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  auto image = run({"endpoint", "create", "ok-name", "--model", "gpt2", "--image", "triton"});
  EXPECT_EQ(image.exit_code, 2) << image.err;
  auto dry = run({"endpoint", "create", "hfrun-tester/dry-one", "--model", "gpt2", "--image", "tgi",
                  "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("--data-binary '{\"accountId\":null"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("/v2/endpoint/hfrun-tester"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("\"tgi\":{"), std::string::npos) << dry.out;
  EXPECT_EQ(run({"endpoint", "show", "dry-one"}).exit_code, 4); // nothing was created
}

} // namespace
} // namespace hfrun::test
