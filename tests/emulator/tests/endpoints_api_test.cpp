// The emulator's Inference Endpoints management API (role endpoints_api) and the proxy of managed
// endpoints (role endpoints) over HTTP, held to what hf_hub and hfrun depend on
// (docs/emulator.md, "Inference Endpoints"): the endpoint JSON, the state machine and status.url,
// create validation, pause/resume/scale-to-zero, update, delete, auth by namespace and by type,
// the paused 502 and the scale-to-zero cold start with X-Scale-Up-Timeout. One emulator per
// process (ctest runs each case in its own).
#include "support/emulator_process.hpp"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
constexpr const char* k_token = "hf_emulator_user_token";
constexpr const char* k_other_token = "hf_emulator_other_token";

struct Emulator {
  std::unique_ptr<hfrun::test::EmulatorProcess> process;
  std::string api;       // endpoints_api + "/v2"
  std::string endpoints; // the data plane
};
Emulator* g_emu = nullptr;

class EmulatorEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    static Emulator emu;
    g_emu = &emu;
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    auto started = hfrun::test::EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    emu.process = std::move(*started);
    ASSERT_FALSE(emu.process->info().endpoints_api.empty()) << "no endpoints_api role";
    emu.api = emu.process->info().endpoints_api + "/v2";
    emu.endpoints = emu.process->info().endpoints;
  }
  void TearDown() override {
    if (g_emu != nullptr && g_emu->process) {
      EXPECT_EQ(g_emu->process->stop(), 0) << "the emulator did not stop cleanly";
      g_emu->process.reset();
    }
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new EmulatorEnvironment);

httplib::Headers auth(const std::string& token = k_token) {
  return {{"Authorization", "Bearer " + token}};
}

httplib::Client client(const std::string& base) {
  httplib::Client c(base);
  c.set_read_timeout(30s);
  return c;
}

struct Answer {
  int status = -1;
  std::string text;
  json body;
};

Answer answer(const httplib::Result& r) {
  if (!r) {
    return {};
  }
  return {r->status, r->body, json::parse(r->body, nullptr, false)};
}

// One call to the management API; `path` is relative to /v2.
Answer api(const std::string& method,
           const std::string& path,
           const json& body = nullptr,
           const httplib::Headers& headers = auth()) {
  auto c = client(g_emu->process->info().endpoints_api);
  const auto url = "/v2" + path;
  const auto text = body.is_null() ? std::string() : body.dump();
  if (method == "GET") {
    return answer(c.Get(url, headers));
  }
  if (method == "POST") {
    return answer(c.Post(url, headers, text, "application/json"));
  }
  if (method == "PUT") {
    return answer(c.Put(url, headers, text, "application/json"));
  }
  return answer(c.Delete(url, headers));
}

// One request through the proxy to endpoint ns/name, `path` after its URL.
Answer call(const std::string& ns,
            const std::string& name,
            const std::string& path,
            const httplib::Headers& headers = auth()) {
  return answer(client(g_emu->endpoints).Get("/endpoints/" + ns + "/" + name + path, headers));
}

json create_payload(const std::string& name, const std::string& repository = "gpt2") {
  return {{"accountId", nullptr},
          {"name", name},
          {"type", "protected"},
          {"provider", {{"vendor", "aws"}, {"region", "us-east-1"}}},
          {"compute",
           {{"accelerator", "cpu"},
            {"instanceType", "intel-icl"},
            {"instanceSize", "x2"},
            {"scaling", {{"minReplica", 0}, {"maxReplica", 1}, {"scaleToZeroTimeout", 15}}}}},
          {"model",
           {{"repository", repository},
            {"revision", nullptr},
            {"framework", "pytorch"},
            {"task", "text-generation"},
            {"image", {{"huggingface", json::object()}}}}}};
}

// GETs the endpoint every 20 ms until its state is `until` (or `limit` passes) and returns one
// snapshot per distinct state seen, in order, starting with `first` (the answer that started the
// change, so that a slow machine cannot miss its state) when given.
std::vector<json> watch(const std::string& name,
                        const std::string& until,
                        const json& first = nullptr,
                        std::chrono::milliseconds limit = 5000ms,
                        const std::string& ns = "hfrun-tester") {
  std::vector<json> seen;
  if (!first.is_null()) {
    seen.push_back(first);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto a = api("GET", "/endpoint/" + ns + "/" + name);
    if (a.status != 200 || !a.body.is_object()) {
      ADD_FAILURE() << "GET " << name << ": " << a.status << " " << a.text;
      return seen;
    }
    const auto state = a.body["status"].value("state", "");
    if (seen.empty() || seen.back()["status"].value("state", "") != state) {
      seen.push_back(a.body);
    }
    if (state == until) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  return seen;
}

std::vector<std::string> states(const std::vector<json>& snapshots) {
  std::vector<std::string> out;
  for (const auto& s : snapshots) {
    out.push_back(s["status"].value("state", ""));
  }
  return out;
}

std::string state_of(const std::string& name, const std::string& ns = "hfrun-tester") {
  const auto a = api("GET", "/endpoint/" + ns + "/" + name);
  return a.body.is_object() ? a.body["status"].value("state", "") : "";
}

std::string url_of(const std::string& ns, const std::string& name) {
  return g_emu->endpoints + "/endpoints/" + ns + "/" + name;
}

TEST(EndpointsApi, GetShowsTheEndpointJsonOfTheRealApi) {
  const auto a = api("GET", "/endpoint/hfrun-tester/llama-tgi");
  ASSERT_EQ(a.status, 200) << a.text;
  const auto& e = a.body;
  EXPECT_EQ(e["name"], "llama-tgi");
  EXPECT_EQ(e["type"], "protected");
  EXPECT_TRUE(e["accountId"].is_null());
  EXPECT_EQ(e["healthRoute"], "/health");
  EXPECT_EQ(e["provider"], json({{"vendor", "aws"}, {"region", "us-east-1"}}));
  EXPECT_EQ(e["compute"]["accelerator"], "gpu");
  EXPECT_EQ(e["compute"]["scaling"]["minReplica"], 0);
  EXPECT_EQ(e["compute"]["scaling"]["maxReplica"], 1);
  EXPECT_EQ(e["model"]["repository"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(e["model"]["task"], "text-generation");
  EXPECT_EQ(e["model"]["framework"], "pytorch");
  EXPECT_TRUE(e["model"]["image"].contains("tgi")) << e["model"]["image"].dump();
  EXPECT_TRUE(std::regex_match(e["model"].value("revision", ""), std::regex("[0-9a-f]{40}")));
  const auto& s = e["status"];
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["message"], "Endpoint is ready");
  EXPECT_EQ(s["url"], url_of("hfrun-tester", "llama-tgi"));
  EXPECT_EQ(s["readyReplica"], 1);
  EXPECT_EQ(s["targetReplica"], 1);
  EXPECT_TRUE(s.contains("private") && s["private"].is_null());
  const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(s.value("createdAt", ""), rfc3339)) << s.dump();
  EXPECT_TRUE(std::regex_match(s.value("updatedAt", ""), rfc3339)) << s.dump();
  EXPECT_EQ(s["createdBy"]["name"], "hfrun-tester");
  EXPECT_TRUE(std::regex_match(s["createdBy"].value("id", ""), std::regex("[0-9a-f]{24}")));
  EXPECT_EQ(s["updatedBy"]["name"], "hfrun-tester");
}

TEST(EndpointsApi, ListGivesTheNamespacesItems) {
  const auto mine = api("GET", "/endpoint/hfrun-tester");
  ASSERT_EQ(mine.status, 200) << mine.text;
  ASSERT_TRUE(mine.body["items"].is_array());
  std::vector<std::string> names;
  for (const auto& e : mine.body["items"]) {
    names.push_back(e.value("name", ""));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"llama-tgi", "bge-embed", "sentiment", "sleepy-llama",
                                             "paused-llama", "broken", "public-sentiment",
                                             "private-sentiment"}));
  // World states as listed, and no URL for the one that never deployed.
  std::vector<std::string> listed;
  for (const auto& e : mine.body["items"]) {
    listed.push_back(e["status"].value("state", ""));
    EXPECT_EQ(e["status"].contains("url"), e["name"] != "broken") << e.dump();
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"running", "running", "running", "scaledToZero",
                                              "paused", "failed", "running", "running"}));
  EXPECT_EQ(mine.body["items"][2]["model"]["image"], json({{"huggingface", json::object()}}));

  const auto org = api("GET", "/endpoint/hfrun-org");
  ASSERT_EQ(org.status, 200) << org.text;
  ASSERT_EQ(org.body["items"].size(), 1U) << org.text;
  EXPECT_EQ(org.body["items"][0]["name"], "org-embed");
  EXPECT_EQ(org.body["items"][0]["status"]["url"], url_of("hfrun-org", "org-embed"));

  const auto other = api("GET", "/endpoint/hfrun-other", nullptr, auth(k_other_token));
  ASSERT_EQ(other.status, 200) << other.text;
  EXPECT_EQ(other.body, json({{"items", json::array()}}));
}

TEST(EndpointsApi, AuthIs401WithoutAValidTokenAnd403ForAnotherNamespace) {
  for (const auto& headers : {httplib::Headers{}, auth("hf_not_a_token_of_anyone")}) {
    const auto a = api("GET", "/endpoint/hfrun-tester", nullptr, headers);
    EXPECT_EQ(a.status, 401) << a.text;
    EXPECT_TRUE(a.body.is_object() && a.body["error"].is_string()) << a.text;
  }
  const auto foreign = api("GET", "/endpoint/hfrun-tester/llama-tgi", nullptr, auth(k_other_token));
  EXPECT_EQ(foreign.status, 403) << foreign.text;
  EXPECT_TRUE(foreign.body["error"].is_string()) << foreign.text;
  const auto create = api("POST", "/endpoint/hfrun-org", create_payload("x"), auth(k_other_token));
  EXPECT_EQ(create.status, 403) << create.text;
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester/llama-tgi/pause", nullptr, {}).status, 401);
}

TEST(EndpointsApi, UnknownEndpointIs404) {
  EXPECT_EQ(api("GET", "/endpoint/hfrun-tester/nope").status, 404);
  EXPECT_EQ(api("PUT", "/endpoint/hfrun-tester/nope", json::object()).status, 404);
  EXPECT_EQ(api("DELETE", "/endpoint/hfrun-tester/nope").status, 404);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester/nope/pause").status, 404);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester/nope/resume").status, 404);
  const auto a = api("POST", "/endpoint/hfrun-tester/nope/scale-to-zero");
  EXPECT_EQ(a.status, 404);
  EXPECT_TRUE(a.body["error"].is_string()) << a.text;
  EXPECT_EQ(call("hfrun-tester", "nope", "/health").status, 404);
}

TEST(EndpointsApi, CreateGoesPendingInitializingRunningAndTheUrlAppearsWhenRunning) {
  const auto created = api("POST", "/endpoint/hfrun-tester", create_payload("my-gpt2"));
  ASSERT_EQ(created.status, 200) << created.text;
  EXPECT_EQ(created.body["name"], "my-gpt2");
  EXPECT_EQ(created.body["status"]["state"], "pending");
  EXPECT_EQ(created.body["status"]["message"], "Endpoint waiting to be scheduled");
  EXPECT_FALSE(created.body["status"].contains("url"));
  EXPECT_EQ(created.body["status"]["readyReplica"], 0);
  EXPECT_EQ(created.body["model"]["task"], "text-generation");
  EXPECT_EQ(created.body["healthRoute"], "/health");
  EXPECT_TRUE(
      std::regex_match(created.body["model"].value("revision", ""), std::regex("[0-9a-f]{40}")));

  const auto seen = watch("my-gpt2", "running", created.body);
  EXPECT_EQ(states(seen), (std::vector<std::string>{"pending", "initializing", "running"}));
  for (const auto& s : seen) {
    EXPECT_EQ(s["status"].contains("url"), s["status"]["state"] == "running") << s.dump();
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back()["status"]["url"], url_of("hfrun-tester", "my-gpt2"));
  EXPECT_EQ(seen.back()["status"]["message"], "Endpoint is ready");
  EXPECT_EQ(seen.back()["status"]["readyReplica"], 1);
  // Listed too, with the same state.
  const auto list = api("GET", "/endpoint/hfrun-tester");
  EXPECT_EQ(list.body["items"].back()["name"], "my-gpt2");
  EXPECT_EQ(list.body["items"].back()["status"]["state"], "running");
}

TEST(EndpointsApi, ARepositoryTheWorldLacksFailsAfterPending) {
  const auto created =
      api("POST", "/endpoint/hfrun-tester", create_payload("ghost", "nobody/no-such-model"));
  ASSERT_EQ(created.status, 200) << created.text;
  const auto seen = watch("ghost", "failed", created.body);
  EXPECT_EQ(states(seen), (std::vector<std::string>{"pending", "failed"}));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back()["status"]["message"], "Endpoint failed to deploy");
  EXPECT_FALSE(seen.back()["status"].contains("url"));
}

TEST(EndpointsApi, CreateValidatesLikeTheRealApi) {
  ASSERT_EQ(api("POST", "/endpoint/hfrun-tester", create_payload("dup")).status, 200);
  const auto dup = api("POST", "/endpoint/hfrun-tester", create_payload("dup"));
  EXPECT_EQ(dup.status, 409) << dup.text;
  EXPECT_TRUE(dup.body["error"].is_string()) << dup.text;

  for (const auto* bad : {"Bad_Name", "-dash-first", "dash-last-", "UPPER",
                          "a-name-that-is-longer-than-32-chars", ""}) {
    const auto a = api("POST", "/endpoint/hfrun-tester", create_payload(bad));
    EXPECT_EQ(a.status, 400) << bad << ": " << a.text;
    EXPECT_FALSE(a.body.value("error", "").empty()) << bad << ": " << a.text;
  }
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", create_payload(std::string(32, 'a'))).status,
            200);

  const auto without = [](const std::string& name, const json::json_pointer& field) {
    auto p = create_payload(name);
    p.at(field.parent_pointer()).erase(field.back());
    return p;
  };
  EXPECT_EQ(
      api("POST", "/endpoint/hfrun-tester", without("n1", "/model/repository"_json_pointer)).status,
      400);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", without("n2", "/compute"_json_pointer)).status,
            400);
  EXPECT_EQ(
      api("POST", "/endpoint/hfrun-tester", without("n3", "/compute/instanceType"_json_pointer))
          .status,
      400);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", without("n4", "/provider"_json_pointer)).status,
            400);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", without("n5", "/type"_json_pointer)).status, 400);
  auto bad_type = create_payload("n6");
  bad_type["type"] = "secret";
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", bad_type).status, 400);
  auto bad_image = create_payload("n7");
  bad_image["model"]["image"] = {{"docker", json::object()}};
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", bad_image).status, 400);
  // None of the refused ones exists.
  EXPECT_EQ(api("GET", "/endpoint/hfrun-tester/n1").status, 404);
  // model.image defaults to the managed toolkit.
  auto no_image = create_payload("plain");
  no_image["model"].erase("image");
  const auto plain = api("POST", "/endpoint/hfrun-tester", no_image);
  ASSERT_EQ(plain.status, 200) << plain.text;
  EXPECT_EQ(plain.body["model"]["image"], json({{"huggingface", json::object()}}));
}

TEST(EndpointsApi, PauseThenResumeAndResumingARunningOneIs400AlreadyRunning) {
  const auto paused = api("POST", "/endpoint/hfrun-tester/llama-tgi/pause");
  ASSERT_EQ(paused.status, 200) << paused.text;
  EXPECT_EQ(paused.body["status"]["state"], "paused");
  EXPECT_EQ(paused.body["status"]["readyReplica"], 0);
  // A paused endpoint's URL answers 502 (huggingface_hub#1605).
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info").status, 502);

  const auto resumed = api("POST", "/endpoint/hfrun-tester/llama-tgi/resume");
  ASSERT_EQ(resumed.status, 200) << resumed.text;
  EXPECT_EQ(resumed.body["status"]["state"], "initializing");
  EXPECT_EQ(states(watch("llama-tgi", "running", resumed.body)),
            (std::vector<std::string>{"initializing", "running"}));

  const auto again = api("POST", "/endpoint/hfrun-tester/llama-tgi/resume");
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.text.find("already running"), std::string::npos) << again.text;

  // The world's paused endpoint resumes the same way.
  EXPECT_EQ(call("hfrun-tester", "paused-llama", "/info").status, 502);
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester/paused-llama/resume").status, 200);
  EXPECT_EQ(states(watch("paused-llama", "running")),
            (std::vector<std::string>{"initializing", "running"}));
}

TEST(EndpointsApi, ScaleToZeroOnlyFromRunningAndARequestWakesIt) {
  // Only a running endpoint scales to zero (broken is failed).
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester/broken/scale-to-zero").status, 400);
  const auto scaled = api("POST", "/endpoint/hfrun-tester/llama-tgi/scale-to-zero");
  ASSERT_EQ(scaled.status, 200) << scaled.text;
  EXPECT_EQ(scaled.body["status"]["state"], "scaledToZero");
  EXPECT_EQ(scaled.body["status"]["url"], url_of("hfrun-tester", "llama-tgi"));

  // The first request wakes it and gets 503 while the replica starts.
  const auto cold = call("hfrun-tester", "llama-tgi", "/info");
  EXPECT_EQ(cold.status, 503) << cold.text;
  EXPECT_FALSE(cold.text.empty());
  EXPECT_EQ(state_of("llama-tgi"), "initializing");
  EXPECT_EQ(states(watch("llama-tgi", "running")),
            (std::vector<std::string>{"initializing", "running"}));
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info").status, 200);
}

TEST(EndpointsProxy, ScaleUpTimeoutHoldsTheRequestUntilTheReplicaIsReady) {
  // sleepy-llama's cold start is 1.5 s: a 0.2 s hold is not enough and still answers 503.
  auto headers = auth();
  headers.emplace("X-Scale-Up-Timeout", "0.2");
  auto t0 = std::chrono::steady_clock::now();
  const auto short_hold = call("hfrun-tester", "sleepy-llama", "/info", headers);
  EXPECT_EQ(short_hold.status, 503) << short_hold.text;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_EQ(state_of("sleepy-llama"), "initializing");
  // Without the header: 503 at once while cold.
  EXPECT_EQ(call("hfrun-tester", "sleepy-llama", "/info").status, 503);

  headers = auth();
  headers.emplace("X-Scale-Up-Timeout", "10");
  t0 = std::chrono::steady_clock::now();
  const auto held = call("hfrun-tester", "sleepy-llama", "/info", headers);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(held.status, 200) << held.text;
  EXPECT_GE(waited, 300ms); // held for the rest of the 1.5 s cold start
  EXPECT_LT(waited, 5s);
  // TGI's /info of the endpoint's model, from the flavour server behind the proxy.
  EXPECT_EQ(held.body.value("model_id", ""), "meta-llama/Llama-3.1-8B-Instruct") << held.text;
  EXPECT_EQ(state_of("sleepy-llama"), "running");
}

TEST(EndpointsApi, UpdateChangesOnlyTheGivenFieldsThroughUpdating) {
  const auto updated = api("PUT", "/endpoint/hfrun-tester/llama-tgi",
                           {{"compute", {{"scaling", {{"maxReplica", 2}}}}}});
  ASSERT_EQ(updated.status, 200) << updated.text;
  const auto& e = updated.body;
  EXPECT_EQ(e["status"]["state"], "updating");
  EXPECT_EQ(e["status"]["message"], "Endpoint waiting for the update");
  EXPECT_EQ(e["status"]["url"], url_of("hfrun-tester", "llama-tgi"));
  EXPECT_EQ(e["compute"]["scaling"]["maxReplica"], 2);
  EXPECT_EQ(e["compute"]["scaling"]["minReplica"], 0);
  EXPECT_EQ(e["compute"]["instanceType"], "nvidia-l4");
  EXPECT_EQ(e["model"]["repository"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(e["type"], "protected");
  // The old replica serves during the update.
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info").status, 200);
  EXPECT_EQ(states(watch("llama-tgi", "running", e)),
            (std::vector<std::string>{"updating", "running"}));

  // A repository the world lacks: the update fails.
  auto tei = create_payload("tei-to-break", "BAAI/bge-small-en-v1.5");
  tei["model"]["task"] = "feature-extraction";
  tei["model"]["image"] = {{"tei", {{"url", "ghcr.io/huggingface/text-embeddings-inference:1.8"}}}};
  ASSERT_EQ(api("POST", "/endpoint/hfrun-tester", tei).status, 200);
  (void)watch("tei-to-break", "running");
  ASSERT_EQ(state_of("tei-to-break"), "running");
  const auto broken = api("PUT", "/endpoint/hfrun-tester/tei-to-break",
                          {{"model", {{"repository", "nobody/no-such-model"}}}});
  ASSERT_EQ(broken.status, 200) << broken.text;
  EXPECT_EQ(broken.body["model"]["repository"], "nobody/no-such-model");
  EXPECT_TRUE(broken.body["model"]["image"].contains("tei"));
  EXPECT_EQ(states(watch("tei-to-break", "updateFailed", broken.body)),
            (std::vector<std::string>{"updating", "updateFailed"}));

  auto bad = api("PUT", "/endpoint/hfrun-tester/sentiment", {{"type", "secret"}});
  EXPECT_EQ(bad.status, 400) << bad.text;
  EXPECT_EQ(api("GET", "/endpoint/hfrun-tester/sentiment").body["type"], "protected");
}

TEST(EndpointsApi, DeleteThen404) {
  ASSERT_EQ(api("POST", "/endpoint/hfrun-tester", create_payload("short-lived")).status, 200);
  EXPECT_EQ(api("DELETE", "/endpoint/hfrun-tester/short-lived").status, 200);
  EXPECT_EQ(api("GET", "/endpoint/hfrun-tester/short-lived").status, 404);
  EXPECT_EQ(api("DELETE", "/endpoint/hfrun-tester/sentiment").status, 200);
  EXPECT_EQ(api("GET", "/endpoint/hfrun-tester/sentiment").status, 404);
  EXPECT_EQ(call("hfrun-tester", "sentiment", "/health").status, 404);
  // The reply is kept in a variable: a range-for over a member of a temporary would read freed
  // memory (the temporary dies before the loop runs; AddressSanitizer caught it).
  const auto listed = api("GET", "/endpoint/hfrun-tester");
  for (const auto& e : listed.body["items"]) {
    EXPECT_NE(e["name"], "sentiment");
  }
  // The name is free again.
  EXPECT_EQ(api("POST", "/endpoint/hfrun-tester", create_payload("short-lived")).status, 200);
}

TEST(EndpointsProxy, AuthDependsOnTheEndpointsType) {
  // protected (and authenticated): any valid token.
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info", {}).status, 401);
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info", auth("hf_not_a_token_of_anyone")).status,
            401);
  EXPECT_EQ(call("hfrun-tester", "llama-tgi", "/info", auth(k_other_token)).status, 200);
  // public: none.
  const auto open = call("hfrun-tester", "public-sentiment", "/health", {});
  EXPECT_EQ(open.status, 200) << open.text;
  EXPECT_EQ(open.text, "Ok"); // the Inference Toolkit's health answer
  // private: a user of the namespace (or of its org).
  EXPECT_EQ(call("hfrun-tester", "private-sentiment", "/health", {}).status, 401);
  EXPECT_EQ(call("hfrun-tester", "private-sentiment", "/health", auth(k_other_token)).status, 403);
  EXPECT_EQ(call("hfrun-tester", "private-sentiment", "/health").status, 200);
  EXPECT_EQ(call("hfrun-org", "org-embed", "/info").status, 200);
  EXPECT_EQ(call("hfrun-org", "org-embed", "/info", auth(k_other_token)).status, 403);
  // A failed endpoint has no replica behind the proxy.
  EXPECT_EQ(call("hfrun-tester", "broken", "/health").status, 502);
}

TEST(EndpointsProxy, ForwardsToTheFlavourTheImageNames) {
  // tei with feature-extraction: TEI's /info says embedding.
  const auto tei = call("hfrun-tester", "bge-embed", "/info");
  ASSERT_EQ(tei.status, 200) << tei.text;
  EXPECT_EQ(tei.body.value("model_id", ""), "BAAI/bge-small-en-v1.5");
  EXPECT_TRUE(tei.body["model_type"].contains("embedding")) << tei.text;
  // POST with a body reaches the server too (TGI's OpenAI route).
  auto c = client(g_emu->endpoints);
  const auto chat = answer(
      c.Post("/endpoints/hfrun-tester/llama-tgi/v1/chat/completions", auth(),
             json({{"model", "tgi"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}).dump(),
             "application/json"));
  ASSERT_EQ(chat.status, 200) << chat.text;
  EXPECT_TRUE(chat.body["choices"].is_array()) << chat.text;
}

TEST(EndpointsWorld, TimingsColdStartsAndTransientStatesComeFromTheWorld) {
  // A world of its own (--world replaces the built-in one): short timings, a per-endpoint cold
  // start, and an endpoint still initializing at start-up.
  const auto world_path = g_emu->process->dir() / "endpoints_world.json";
  {
    std::ofstream out(world_path);
    out << json({{"users",
                  {{{"name", "hfrun-tester"}, {"token", k_token}, {"orgs", json::array()}}}},
                 {"models", {{{"id", "gpt2"}, {"pipeline_tag", "text-generation"}}}},
                 {"inference_endpoints_timing",
                  {{"initializing_ms", 1500}, {"cold_start_ms", 5000}}},
                 {"inference_endpoints",
                  {{{"name", "warming"},
                    {"state", "initializing"},
                    {"model", {{"repository", "gpt2"}, {"task", "text-generation"}}}},
                   {{"name", "cold"},
                    {"state", "scaledToZero"},
                    {"cold_start_ms", 300},
                    {"model", {{"repository", "gpt2"}, {"task", "text-generation"}}}}}}})
               .dump();
  }
  hfrun::test::EmulatorOptions options;
  options.binary = HFRUN_EMULATOR_BIN;
  options.args = {"--world", world_path.string()};
  auto started = hfrun::test::EmulatorProcess::start(options);
  ASSERT_TRUE(started) << started.error();
  const auto& info = (*started)->info();
  auto api_client = client(info.endpoints_api);
  const auto get = [&](const std::string& name) {
    return answer(api_client.Get("/v2/endpoint/hfrun-tester/" + name, auth()));
  };

  const auto warming = get("warming");
  ASSERT_EQ(warming.status, 200) << warming.text;
  EXPECT_EQ(warming.body["status"]["state"], "initializing");
  EXPECT_FALSE(warming.body["status"].contains("url"));
  EXPECT_EQ(warming.body["type"], "authenticated"); // the world entry's defaults
  EXPECT_EQ(warming.body["compute"]["instanceType"], "intel-icl");
  auto warm = get("warming");
  for (int i = 0; i < 250 && warm.body["status"].value("state", "") != "running"; ++i) {
    std::this_thread::sleep_for(20ms);
    warm = get("warming");
  }
  EXPECT_EQ(warm.body["status"]["state"], "running");
  EXPECT_EQ(warm.body["status"]["url"], info.endpoints + "/endpoints/hfrun-tester/warming");

  // cold's own 300 ms, not the timing's 5 s.
  auto proxy = client(info.endpoints);
  EXPECT_EQ(answer(proxy.Get("/endpoints/hfrun-tester/cold/health", auth())).status, 503);
  auto headers = auth();
  headers.emplace("X-Scale-Up-Timeout", "3");
  const auto t0 = std::chrono::steady_clock::now();
  const auto held = answer(proxy.Get("/endpoints/hfrun-tester/cold/health", headers));
  EXPECT_EQ(held.status, 200) << held.text;
  EXPECT_EQ(held.text, "Ok");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ((*started)->stop(), 0);
}

} // namespace
