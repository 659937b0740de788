// The Inference Endpoints management client: the API's endpoint object read field by field (the
// shapes of huggingface_hub's own test mocks), what each state means for a
// caller, the create and update payloads, and the wait: paused and failed end it at once, pending
// and initializing are polled after 1 s, 2 s ..., running is confirmed by the health route.
#include "unit/client/fake_client.hpp"

#include <gtest/gtest.h>
#include <hfrun/hub/endpoints.hpp>

namespace hfrun::hub {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_running = R"({"name":"my-endpoint-name","type":"protected",
 "accountId":null,"provider":{"vendor":"aws","region":"us-east-1"},"healthRoute":"/health",
 "compute":{"accelerator":"cpu","instanceType":"intel-icl","instanceSize":"x2",
            "scaling":{"minReplica":0,"maxReplica":1}},
 "model":{"repository":"gpt2","revision":"11c5a3d5811f50298f278a704980280950aedb10",
          "task":"text-generation","framework":"pytorch","image":{"huggingface":{}}},
 "status":{"createdAt":"2023-10-26T12:41:53.263078506Z","createdBy":{"id":"1","name":"Wauplin"},
           "updatedAt":"2023-10-26T12:41:53.263079138Z","updatedBy":{"id":"1","name":"Wauplin"},
           "private":null,"state":"running","message":"Endpoint is ready",
           "url":"https://vksrvs8pc1xnifhq.us-east-1.aws.endpoints.huggingface.cloud",
           "readyReplica":1,"targetReplica":1}})";

json with_status(std::string state, std::string message, bool url) {
  json e = json::parse(k_running);
  e["status"]["state"] = std::move(state);
  e["status"]["message"] = std::move(message);
  if (!url) {
    e["status"].erase("url");
  }
  return e;
}

TEST(EndpointObject, ReadsTheFieldsACallerNeeds) {
  const auto e = parse_endpoint(json::parse(k_running), "Wauplin");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->namespace_name, "Wauplin");
  EXPECT_EQ(e->name, "my-endpoint-name");
  EXPECT_EQ(e->state, "running");
  EXPECT_EQ(e->url, "https://vksrvs8pc1xnifhq.us-east-1.aws.endpoints.huggingface.cloud");
  EXPECT_EQ(e->repository, "gpt2");
  EXPECT_EQ(e->task, "text-generation");
  EXPECT_EQ(e->image, "huggingface");
  EXPECT_EQ(e->health_route, "/health");
  EXPECT_EQ(e->min_replica, 0);
  EXPECT_EQ(e->ready_replica, 1);
  EXPECT_EQ(endpoint_action(*e), EndpointAction::ready);
}

TEST(EndpointObject, WrongTypedFieldsReadAsAbsentAndANamelessObjectIsABadResponse) {
  const auto e = parse_endpoint(json::parse(R"({"name":"x","status":{"state":7,"url":null},
                                                "model":{"image":"tgi"},"compute":[]})"),
                                "ns");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, "");
  EXPECT_EQ(e->url, "");
  EXPECT_EQ(e->image, "");
  EXPECT_EQ(parse_endpoint(json::parse(R"({"status":{}})"), "ns").error().kind,
            ErrorKind::bad_response);
  EXPECT_EQ(parse_endpoint(json::array(), "ns").error().kind, ErrorKind::bad_response);
}

TEST(EndpointObject, EachStateSaysWhatToDo) {
  const auto action = [](const char* state, bool url) {
    return endpoint_action(*parse_endpoint(with_status(state, "", url), "ns"));
  };
  EXPECT_EQ(action("pending", false), EndpointAction::wait);
  EXPECT_EQ(action("initializing", false), EndpointAction::wait);
  EXPECT_EQ(action("running", false), EndpointAction::wait); // not deployed yet: no URL
  EXPECT_EQ(action("updating", true), EndpointAction::ready);
  EXPECT_EQ(action("scaledToZero", true), EndpointAction::wake);
  EXPECT_EQ(action("paused", true), EndpointAction::paused);
  EXPECT_EQ(action("failed", false), EndpointAction::failed);
  EXPECT_EQ(action("updateFailed", true), EndpointAction::failed);
  EXPECT_EQ(action("somethingNew", true), EndpointAction::failed);
}

TEST(EndpointRef, NameOrNamespaceSlashName) {
  EXPECT_EQ(parse_endpoint_ref("my-llama")->name, "my-llama");
  EXPECT_EQ(parse_endpoint_ref("my-llama")->namespace_name, "");
  EXPECT_EQ(parse_endpoint_ref("my-org/my-llama")->namespace_name, "my-org");
  EXPECT_EQ(parse_endpoint_ref("a/b/c").error().kind, ErrorKind::usage);
  EXPECT_EQ(parse_endpoint_ref("My_Endpoint").error().kind, ErrorKind::usage);
  EXPECT_EQ(parse_endpoint_ref("").error().kind, ErrorKind::usage);
}

TEST(EndpointPayload, CreateHasTheApiShapeWithDefaultsAndNoNullTask) {
  EndpointSpec spec;
  spec.name = "my-gpt2";
  spec.repository = "openai-community/gpt2";
  const auto payload = build_create_payload(spec);
  ASSERT_TRUE(payload) << payload.error().message;
  EXPECT_EQ(*payload, json::parse(R"({"accountId":null,"name":"my-gpt2","type":"protected",
    "provider":{"vendor":"aws","region":"us-east-1"},
    "compute":{"accelerator":"cpu","instanceType":"intel-icl","instanceSize":"x2",
               "scaling":{"minReplica":1,"maxReplica":1}},
    "model":{"repository":"openai-community/gpt2","revision":null,"framework":"pytorch",
             "image":{"huggingface":{}},"env":{},"secrets":{}}})"));
}

TEST(EndpointPayload, EnginesAndCustomImagesAreTheirVariant) {
  EndpointSpec spec;
  spec.name = "llama";
  spec.repository = "meta-llama/Llama-3.1-8B-Instruct";
  spec.task = "text-generation";
  spec.image = "tgi";
  spec.min_replica = 0;
  spec.scale_to_zero_timeout = 15;
  spec.env = {{"MAX_TOTAL_TOKENS", "4096"}};
  auto payload = build_create_payload(spec);
  ASSERT_TRUE(payload);
  EXPECT_EQ((*payload)["model"]["task"], "text-generation");
  EXPECT_EQ((*payload)["model"]["image"],
            json::parse(R"({"tgi":{"url":"ghcr.io/huggingface/text-generation-inference:latest",
                               "healthRoute":"/health","port":80}})"));
  EXPECT_EQ((*payload)["compute"]["scaling"],
            json::parse(R"({"minReplica":0,"maxReplica":1,"scaleToZeroTimeout":15})"));
  EXPECT_EQ((*payload)["model"]["env"], json::parse(R"({"MAX_TOTAL_TOKENS":"4096"})"));
  spec.image = "vllm";
  EXPECT_TRUE((*build_create_payload(spec))["model"]["image"].contains("vLLM"));
  spec.image = "ghcr.io/me/server:1.0";
  EXPECT_EQ((*build_create_payload(spec))["model"]["image"]["custom"]["url"],
            "ghcr.io/me/server:1.0");
  spec.image = "triton";
  EXPECT_EQ(build_create_payload(spec).error().kind, ErrorKind::usage);
}

TEST(EndpointPayload, CreateNeedsAValidNameAndAModel) {
  EndpointSpec spec;
  spec.name = "ok-name";
  EXPECT_EQ(build_create_payload(spec).error().kind, ErrorKind::usage);
  spec.repository = "gpt2";
  spec.name = "Not OK";
  EXPECT_EQ(build_create_payload(spec).error().kind, ErrorKind::usage);
  spec.name = std::string(33, 'a');
  EXPECT_EQ(build_create_payload(spec).error().kind, ErrorKind::usage);
}

TEST(EndpointPayload, UpdateCarriesOnlyWhatIsSet) {
  EndpointSpec spec;
  EXPECT_EQ(build_update_payload(spec).error().kind, ErrorKind::usage);
  spec.min_replica = 0;
  spec.repository = "openai-community/gpt2-large";
  EXPECT_EQ(*build_update_payload(spec), json::parse(R"({"compute":{"scaling":{"minReplica":0}},
                            "model":{"repository":"openai-community/gpt2-large"}})"));
}

struct Harness : test::FakeClient {
  Harness() : FakeClient("hf_endpointsapitoken") {}
  [[nodiscard]] std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& r : fake->requests) {
      out.push_back(r.method + " " + r.url);
    }
    return out;
  }
};

constexpr const char* k_api =
    "https://api.endpoints.huggingface.cloud/v2/endpoint/ns/my-endpoint-name";
constexpr const char* k_url = "https://vksrvs8pc1xnifhq.us-east-1.aws.endpoints.huggingface.cloud";

TEST(EndpointWait, PollsUntilRunningThenAsksTheHealthRoute) {
  Harness h;
  h.push(200, with_status("initializing", "", false).dump());            // after 1 s
  h.push(200, with_status("running", "Endpoint is ready", true).dump()); // after 2 s
  h.push(200, "");                                                       // GET /health
  auto start =
      parse_endpoint(with_status("pending", "Endpoint waiting to be scheduled", false), "ns");
  const auto ready = wait_for_endpoint(*h.client, *start, 600s);
  ASSERT_TRUE(ready) << ready.error().message;
  EXPECT_EQ(ready->state, "running");
  EXPECT_EQ(h.sleeper.sleeps, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms}));
  EXPECT_EQ(h.urls(),
            (std::vector<std::string>{std::string("GET ") + k_api, std::string("GET ") + k_api,
                                      std::string("GET ") + k_url + "/health"}));
  // The endpoint's URL gets the token (it is the user's own endpoint).
  EXPECT_EQ(h.fake->requests[2].headers.get("Authorization"), "Bearer hf_endpointsapitoken");
}

TEST(EndpointWait, PausedAndFailedEndAtOnceWithTheWayOut) {
  Harness h;
  const auto paused =
      wait_for_endpoint(*h.client, *parse_endpoint(with_status("paused", "", true), "ns"), 600s);
  ASSERT_FALSE(paused);
  EXPECT_EQ(paused.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(paused.error().hint, "run `hfrun endpoint resume ns/my-endpoint-name`, then try again");
  const auto failed = wait_for_endpoint(
      *h.client, *parse_endpoint(with_status("failed", "Endpoint failed to deploy", false), "ns"),
      600s);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message,
            "endpoint ns/my-endpoint-name is failed: Endpoint failed to deploy");
  EXPECT_TRUE(h.sleeper.sleeps.empty());
  EXPECT_TRUE(h.fake->requests.empty());
}

TEST(EndpointWait, ScaledToZeroIsReturnedForTheCallToWake) {
  Harness h;
  const auto e = wait_for_endpoint(
      *h.client, *parse_endpoint(with_status("scaledToZero", "", true), "ns"), 600s);
  ASSERT_TRUE(e);
  EXPECT_EQ(endpoint_action(*e), EndpointAction::wake);
  EXPECT_TRUE(h.fake->requests.empty());
}

TEST(EndpointWait, EndsAtTheTimeoutSayingWhatItWaitedFor) {
  Harness h;
  for (int i = 0; i < 3; ++i) {
    h.push(200, with_status("initializing", "", false).dump());
  }
  const auto e =
      wait_for_endpoint(*h.client, *parse_endpoint(with_status("pending", "", false), "ns"), 3s);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(e.error().message,
            "endpoint ns/my-endpoint-name is not ready after 3 s (initializing)");
  EXPECT_EQ(h.sleeper.total(), 3000ms);
}

TEST(EndpointWake, HoldsOneHealthRequestWithTheScaleUpHeader) {
  Harness h;
  h.push(200, "");
  const auto e = parse_endpoint(with_status("scaledToZero", "", true), "ns");
  ASSERT_TRUE(wake_endpoint(*h.client, *e, 120s));
  ASSERT_EQ(h.fake->requests.size(), 1u);
  EXPECT_EQ(h.fake->requests[0].url, std::string(k_url) + "/health");
  EXPECT_EQ(h.fake->requests[0].headers.get("X-Scale-Up-Timeout"), "120");
  h.push(503, "Service Unavailable");
  const auto cold = wake_endpoint(*h.client, *e, 120s);
  ASSERT_FALSE(cold);
  EXPECT_EQ(cold.error().kind, ErrorKind::unavailable);
}

TEST(EndpointsApiCalls, NamespaceFromWhoamiAndErrorsByStatus) {
  Harness h;
  h.push(200, R"({"name":"hfrun-tester","type":"user"})");
  EndpointsApi api(*h.client);
  EXPECT_EQ(api.resolve_namespace("").value(), "hfrun-tester");
  EXPECT_EQ(h.fake->requests[0].url, "https://huggingface.co/api/whoami-v2");
  h.push(200, R"({"name":"some-org","type":"org"})");
  EXPECT_EQ(api.default_namespace().error().kind, ErrorKind::usage);
  h.push(404, R"({"error":"Endpoint not found"})");
  EXPECT_EQ(api.get("ns", "nope").error().kind, ErrorKind::not_found);
  h.push(409, R"({"error":"Endpoint already exists"})");
  EXPECT_EQ(api.create("ns", json{{"name", "x"}}).error().kind, ErrorKind::rejected);
  h.push(200, R"({"items":[)" + std::string(k_running) + "]}");
  const auto listed = api.list("ns");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "my-endpoint-name");
  EXPECT_EQ(h.fake->requests.back().url, "https://api.endpoints.huggingface.cloud/v2/endpoint/ns");
}

} // namespace
} // namespace hfrun::hub
