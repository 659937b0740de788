// The requests hfrun sends a Gradio app, through a fake transport: host and runtime from the Hub,
// waking, the config, join + the session's stream, the token header per host, uploads.
#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/client/client.hpp>
#include <hfrun/space/session.hpp>

namespace hfrun::space {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* k_hub = "https://huggingface.co";
constexpr const char* k_token = "hf_spacesessiontesttoken";

struct NoWatcher final : JobWatcher {
  void on_status(const JobStatus&) override {}
  void on_log(const std::string&, const std::string&) override {}
  Result<void> on_update(const json&) override { return {}; }
};

struct Harness {
  explicit Harness(bool with_token = true) {
    client::ClientOptions options;
    options.config =
        config::load_config(config::map_env({{"HF_ENDPOINT", k_hub}, {"HOME", "/tmp"}}));
    if (with_token) {
      options.token = config::Token{k_token, config::TokenSource::env_hf_token, {}};
    }
    options.retry.max_retries = 0;
    auto fake = std::make_unique<http::FakeTransport>();
    transport = fake.get();
    client::Reporter reporter;
    reporter.note = [](std::string_view) {};
    client = std::make_unique<client::Client>(std::move(options), std::move(fake), sleeper,
                                              std::move(reporter));
    connect_options.sleeper = &sleeper;
  }
  void push(int status, const std::string& body, const std::string& type = "application/json") {
    http::Headers headers;
    headers.set("Content-Type", type);
    transport->push_status(status, std::move(headers), body);
  }
  void push_config(const std::string& root) {
    push(200, R"({"version":"5.49.1","api_prefix":"/gradio_api","protocol":"sse_v3","root":")" +
                  root +
                  R"(","components":[{"id":1,"type":"textbox"},{"id":2,"type":"textbox"}],
                  "dependencies":[{"id":3,"api_name":"predict","inputs":[1],"outputs":[2]}]})");
  }
  http::FakeTransport* transport = nullptr;
  util::FakeSleeper sleeper;
  std::unique_ptr<client::Client> client;
  ConnectOptions connect_options;
};

std::string url_of(const http::FakeTransport::Sent& s) {
  return s.method + " " + s.url;
}

TEST(SpaceSession, TargetsOfEveryForm) {
  auto id = parse_target("hysts/SDXL", k_hub);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->space_id, "hysts/SDXL");
  auto page = parse_target("https://huggingface.co/spaces/hysts/SDXL/", k_hub);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->space_id, "hysts/SDXL");
  auto direct = parse_target("https://hysts-sdxl.hf.space/?view=api", k_hub);
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->space_id, "");
  EXPECT_EQ(direct->host, "https://hysts-sdxl.hf.space");
  EXPECT_TRUE(direct->hf_space);
  auto local = parse_target("http://127.0.0.1:7860/", k_hub);
  ASSERT_TRUE(local);
  EXPECT_FALSE(local->hf_space);
  EXPECT_EQ(local->host, "http://127.0.0.1:7860");
  EXPECT_FALSE(parse_target("not a space", k_hub));
}

TEST(SpaceSession, HubSpaceJoinsAndStreamsWithTheTokenAsXHfAuthorization) {
  Harness h;
  h.push(200, R"({"subdomain":"o-app","host":"https://o-app.hf.space"})");
  h.push(200, R"({"stage":"RUNNING","hardware":{"current":"cpu-basic"}})");
  h.push_config("https://o-app.hf.space");
  auto target = parse_target("o/app", k_hub);
  auto app = connect(*h.client, *target, h.connect_options);
  ASSERT_TRUE(app) << app.error().message;
  h.push(200, R"({"event_id":"ev1"})");
  h.push(200,
         "data: {\"msg\":\"estimation\",\"event_id\":\"ev1\",\"rank\":0,\"queue_size\":1}\n\n"
         "data: {\"msg\":\"process_starts\",\"event_id\":\"ev1\"}\n\n"
         "data: {\"msg\":\"process_completed\",\"event_id\":\"ev1\",\"success\":true,"
         "\"output\":{\"data\":[\"Hello, cat!\"]}}\n\n"
         "data: {\"msg\":\"close_stream\",\"event_id\":null}\n\n",
         "text/event-stream");
  NoWatcher watcher;
  auto result = run_job(*h.client, *app, "/predict", json::parse(R"(["cat"])"), watcher, {});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->data, json::parse(R"(["Hello, cat!"])"));
  const auto& sent = h.transport->requests;
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(url_of(sent[0]), "GET https://huggingface.co/api/spaces/o/app/host");
  EXPECT_EQ(sent[0].headers.get("Authorization"), "Bearer " + std::string(k_token));
  EXPECT_EQ(url_of(sent[1]), "GET https://huggingface.co/api/spaces/o/app/runtime");
  EXPECT_EQ(url_of(sent[2]), "GET https://o-app.hf.space/config");
  EXPECT_EQ(url_of(sent[3]), "POST https://o-app.hf.space/gradio_api/queue/join");
  for (std::size_t i = 2; i < sent.size(); ++i) {
    EXPECT_FALSE(sent[i].headers.has("Authorization")) << sent[i].url; // the app never sees it
    EXPECT_EQ(sent[i].headers.get("X-HF-Authorization"), "Bearer " + std::string(k_token));
  }
  const json join = json::parse(sent[3].body);
  EXPECT_EQ(join["data"], json::parse(R"(["cat"])"));
  EXPECT_EQ(join["fn_index"], 3);
  EXPECT_TRUE(join["event_data"].is_null());
  const std::string session = join["session_hash"];
  EXPECT_EQ(session.size(), 11u);
  EXPECT_EQ(url_of(sent[4]),
            "GET https://o-app.hf.space/gradio_api/queue/data?session_hash=" + session);
}

TEST(SpaceSession, NoTokenToAnotherHostUnlessGivenWithTokenFlag) {
  Harness h;
  h.push_config("http://127.0.0.1:7860");
  auto target = parse_target("http://127.0.0.1:7860", k_hub);
  auto app = connect(*h.client, *target, h.connect_options);
  ASSERT_TRUE(app);
  EXPECT_FALSE(h.transport->requests[0].headers.has("Authorization"));
  EXPECT_FALSE(h.transport->requests[0].headers.has("X-HF-Authorization"));
  h.push_config("http://127.0.0.1:7860");
  h.connect_options.explicit_token = true;
  auto with_flag = connect(*h.client, *target, h.connect_options);
  ASSERT_TRUE(with_flag);
  EXPECT_EQ(h.transport->requests[1].headers.get("Authorization"),
            "Bearer " + std::string(k_token));
}

TEST(SpaceSession, ASleepingSpaceIsWokenAndWaitedFor) {
  Harness h;
  h.push(200, R"({"host":"https://o-app.hf.space"})");
  h.push(200, R"({"stage":"SLEEPING"})");
  h.push(503, "<html>Space is starting</html>", "text/html"); // the wake-up visit
  h.push(200, R"({"stage":"APP_STARTING"})");
  h.push(200, R"({"stage":"RUNNING"})");
  h.push_config("https://o-app.hf.space");
  std::vector<std::string> lines;
  h.connect_options.on_wait = [&](std::string_view l) { lines.emplace_back(l); };
  auto app = connect(*h.client, *parse_target("o/app", k_hub), h.connect_options);
  ASSERT_TRUE(app) << app.error().message;
  EXPECT_EQ(url_of(h.transport->requests[2]), "GET https://o-app.hf.space/config");
  EXPECT_EQ(h.sleeper.sleeps, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "waking up Space o/app (SLEEPING, 0 s)");
  EXPECT_EQ(lines[1], "waiting for Space o/app (APP_STARTING, 1 s)");
}

TEST(SpaceSession, PausedFailsAtOnceAndBuildingTimesOut) {
  Harness h;
  h.push(200, R"({"host":"https://o-app.hf.space"})");
  h.push(200, R"({"stage":"PAUSED"})");
  auto paused = connect(*h.client, *parse_target("o/app", k_hub), h.connect_options);
  ASSERT_FALSE(paused);
  EXPECT_EQ(paused.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(paused.error().message, "Space o/app is not running (PAUSED)");
  EXPECT_EQ(h.transport->requests.size(), 2u); // nothing sent to the app

  Harness b;
  b.connect_options.wait_timeout = 3000ms;
  b.push(200, R"({"host":"https://o-app.hf.space"})");
  for (int i = 0; i < 4; ++i) {
    b.push(200, R"({"stage":"BUILDING"})");
  }
  auto building = connect(*b.client, *parse_target("o/app", k_hub), b.connect_options);
  ASSERT_FALSE(building);
  EXPECT_EQ(building.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(building.error().message, "Space o/app is still BUILDING after 3 s");
  EXPECT_EQ(b.sleeper.total(), 3000ms);
}

TEST(SpaceSession, PrivateSpaceWithoutTokenIsAuthAndUnknownIsNotFound) {
  Harness h(/*with_token=*/false);
  h.push(401, R"({"error":"Invalid username or password."})");
  auto priv = connect(*h.client, *parse_target("o/private", k_hub), h.connect_options);
  ASSERT_FALSE(priv);
  EXPECT_EQ(priv.error().kind, ErrorKind::auth);
  h.push(404, R"({"error":"Repository not found"})");
  h.push(404, R"({"error":"Repository not found"})");
  auto missing = connect(*h.client, *parse_target("o/missing", k_hub), h.connect_options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

TEST(SpaceSession, AStreamCutBeforeCompletionIsUnavailable) {
  Harness h;
  h.push_config("http://127.0.0.1:7860");
  auto app = connect(*h.client, *parse_target("http://127.0.0.1:7860", k_hub), h.connect_options);
  ASSERT_TRUE(app);
  h.push(200, R"({"event_id":"ev1"})");
  h.push(200, "data: {\"msg\":\"process_starts\",\"event_id\":\"ev1\"}\n\n", "text/event-stream");
  NoWatcher watcher;
  auto result = run_job(*h.client, *app, "predict", json::parse(R"(["x"])"), watcher, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(result.error().message,
            "http://127.0.0.1:7860: the app closed the event stream before the job finished");
}

TEST(SpaceSession, CallRouteMapsItsEvents) {
  Harness h;
  h.push_config("http://127.0.0.1:7860");
  auto app = connect(*h.client, *parse_target("http://127.0.0.1:7860", k_hub), h.connect_options);
  ASSERT_TRUE(app);
  h.push(200, R"({"event_id":"c1"})");
  h.push(200, "event: generating\ndata: [\"a\"]\n\nevent: complete\ndata: [\"ab\"]\n\n",
         "text/event-stream");
  NoWatcher watcher;
  CallOptions options;
  options.route = Route::call;
  auto result = run_job(*h.client, *app, "/predict", json::parse(R"(["x"])"), watcher, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->data, json::parse(R"(["ab"])"));
  EXPECT_EQ(url_of(h.transport->requests[1]), "POST http://127.0.0.1:7860/gradio_api/call/predict");
  EXPECT_EQ(url_of(h.transport->requests[2]),
            "GET http://127.0.0.1:7860/gradio_api/call/predict/c1");
  h.push(200, R"({"event_id":"c2"})");
  h.push(200, "event: error\ndata: null\n\n", "text/event-stream");
  auto failed = run_job(*h.client, *app, "/predict", json::parse(R"(["x"])"), watcher, options);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::rejected);
}

TEST(SpaceSession, UploadIsMultipartAndMaxFileSizeIsCheckedFirst) {
  Harness h;
  h.push(
      200,
      R"({"version":"5.49.1","api_prefix":"/gradio_api","protocol":"sse_v3","max_file_size":4})");
  auto app = connect(*h.client, *parse_target("http://127.0.0.1:7860", k_hub), h.connect_options);
  ASSERT_TRUE(app);
  const std::string path = testing::TempDir() + "space_upload_test.png";
  std::ofstream(path) << "PNGDATA";
  auto refused = upload_file(*h.client, *app, path, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::rejected);
  EXPECT_EQ(h.transport->requests.size(), 1u); // nothing sent
  app->config.max_file_size.reset();
  h.push(200, R"(["/tmp/gradio/abc/space_upload_test.png"])");
  auto uploaded = upload_file(*h.client, *app, path, {});
  ASSERT_TRUE(uploaded) << uploaded.error().message;
  EXPECT_EQ(*uploaded, "/tmp/gradio/abc/space_upload_test.png");
  const auto& sent = h.transport->requests.back();
  EXPECT_EQ(url_of(sent), "POST http://127.0.0.1:7860/gradio_api/upload");
  const std::string type = sent.headers.get("Content-Type").value_or("");
  ASSERT_EQ(type.rfind("multipart/form-data; boundary=", 0), 0u) << type;
  const std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_EQ(sent.body, "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"files\"; "
                           "filename=\"space_upload_test.png\"\r\nContent-Type: image/png\r\n\r\n"
                           "PNGDATA\r\n--" +
                           boundary + "--\r\n");
  std::remove(path.c_str());
}

TEST(SpaceSession, OutputFilesAreFoundWithTheirUrls) {
  App app;
  app.config.root = "http://h";
  app.config.api_prefix = "/gradio_api";
  json data = json::parse(
      R"([{"path":"/tmp/gradio/x/image.png","url":"http://h/gradio_api/file=/tmp/gradio/x/image.png",
    "orig_name":"image.png","mime_type":"image/png","meta":{"_type":"gradio.FileData"}},
    "text", [{"path":"/tmp/a.wav","orig_name":null}]])");
  auto files = find_output_files(app, data);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].url, "http://h/gradio_api/file=/tmp/gradio/x/image.png");
  EXPECT_EQ(files[0].name, "image.png");
  EXPECT_EQ(files[1].url,
            "http://h/gradio_api/file=/tmp/a.wav"); // sse_v1 FileData: no meta, no url
  EXPECT_EQ(files[1].name, "a.wav");
}

} // namespace
} // namespace hfrun::space
