// The emulator's gradio role over HTTP, held to the Gradio server behaviour hfrun and the real
// clients depend on (docs/emulator.md, "Gradio"): the Hub naming the app's host, config/info per
// Gradio version, the queue protocol (join before any stream, messages buffered per session,
// diffs, close_stream only on sse_v3, heartbeats, cancel, State per session), the /call route,
// uploads past --max-body, max_file_size, files by Range, private, sleeping and paused Spaces,
// ZeroGPU's x-ip-token, and the request log. One emulator for the whole program.
#include "support/emulator_process.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sstream>
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
  std::string hub;
  std::string gradio;
};
Emulator* g_emu = nullptr;

class EmulatorEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    static Emulator emu;
    g_emu = &emu;
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    // A small Hub body limit: uploads to the Gradio apps must not be held to it.
    options.args = {"--max-body", "65536"};
    auto started = hfrun::test::EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    emu.process = std::move(*started);
    emu.hub = emu.process->info().hub;
    std::ifstream in(emu.process->dir() / "ports.json");
    const auto ports = json::parse(in, nullptr, false);
    ASSERT_TRUE(ports.is_object() && ports.contains("gradio")) << "no gradio role in ports.json";
    emu.gradio = ports["gradio"].get<std::string>();
  }
  void TearDown() override {
    if (g_emu != nullptr && g_emu->process) {
      EXPECT_EQ(g_emu->process->stop(), 0) << "the emulator did not stop cleanly";
      g_emu->process.reset();
    }
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new EmulatorEnvironment);

std::string app(const std::string& id) {
  return "/spaces/" + id;
}

httplib::Client client(const std::string& base) {
  httplib::Client c(base);
  c.set_read_timeout(30s);
  return c;
}

httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
  return client(g_emu->gradio).Get(path, headers);
}

httplib::Result
post_json(const std::string& path, const json& body, const httplib::Headers& h = {}) {
  return client(g_emu->gradio).Post(path, h, body.dump(), "application/json");
}

json body_json(const httplib::Result& r) {
  return json::parse(r->body, nullptr, false);
}

std::string join(const std::string& space,
                 const json& data,
                 const std::string& session,
                 int fn_index = 0,
                 const httplib::Headers& headers = {},
                 const std::string& prefix = "/gradio_api") {
  auto r = post_json(app(space) + prefix + "/queue/join",
                     {{"data", data},
                      {"event_data", nullptr},
                      {"fn_index", fn_index},
                      {"trigger_id", nullptr},
                      {"session_hash", session}},
                     headers);
  if (!r || r->status != 200) {
    ADD_FAILURE() << "join " << space << ": " << (r ? r->status : -1) << " " << (r ? r->body : "");
    return {};
  }
  return body_json(r).value("event_id", "");
}

struct Stream {
  std::vector<json> messages; // parsed data: frames
  std::string raw;
  bool ended = false; // the server ended the response
};

// Reads an SSE response until the server ends it, `stop` says so, or `limit` passes.
Stream read_stream(const std::string& path,
                   std::chrono::milliseconds limit,
                   const std::function<bool(const Stream&)>& stop = {}) {
  Stream s;
  auto c = client(g_emu->gradio);
  c.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(limit) + 1s);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string pending;
  auto r = c.Get(path, [&](const char* data, std::size_t n) {
    s.raw.append(data, n);
    pending.append(data, n);
    for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
      const auto frame = pending.substr(0, end);
      pending.erase(0, end + 2);
      if (frame.starts_with("data: ")) {
        auto j = json::parse(frame.substr(6), nullptr, false);
        s.messages.push_back(j.is_discarded() ? json(frame.substr(6)) : j);
      }
    }
    return !(stop && stop(s)) && std::chrono::steady_clock::now() < deadline;
  });
  s.ended = static_cast<bool>(r);
  return s;
}

std::vector<json> of_event(const Stream& s, const std::string& event_id) {
  std::vector<json> out;
  for (const auto& m : s.messages) {
    if (m.is_object() && m.value("event_id", json()).is_string() && m["event_id"] == event_id) {
      out.push_back(m);
    }
  }
  return out;
}

std::vector<std::string> kinds(const std::vector<json>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) {
    out.push_back(m.value("msg", ""));
  }
  return out;
}

bool completed(const Stream& s) {
  return std::any_of(s.messages.begin(), s.messages.end(),
                     [](const json& m) { return m.value("msg", "") == "process_completed"; });
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) {
    static constexpr char k_digits[] = "0123456789abcdef";
    hex.push_back(k_digits[out[i] >> 4U]);
    hex.push_back(k_digits[out[i] & 15U]);
  }
  return hex;
}

httplib::Result
upload(const std::string& space, const std::string& name, const std::string& bytes) {
  httplib::MultipartFormDataItems items = {{"files", bytes, name, "application/octet-stream"}};
  return client(g_emu->gradio).Post(app(space) + "/gradio_api/upload", items);
}

std::vector<json> gradio_log() {
  auto r = get("/_emulator/log?role=gradio");
  std::vector<json> out;
  std::string line;
  for (std::istringstream in(r ? r->body : ""); std::getline(in, line);) {
    out.push_back(json::parse(line, nullptr, false));
  }
  return out;
}

TEST(Gradio, TheHubNamesTheAppAsTheSpacesHost) {
  auto host = client(g_emu->hub).Get("/api/spaces/hfrun-demo/echo/host");
  ASSERT_TRUE(host && host->status == 200);
  EXPECT_EQ(body_json(host)["host"], g_emu->gradio + app("hfrun-demo/echo"));
  EXPECT_EQ(body_json(host)["subdomain"], "hfrun-demo-echo");
  auto info = client(g_emu->hub).Get("/api/spaces/hfrun-demo/echo");
  ASSERT_TRUE(info && info->status == 200);
  EXPECT_EQ(body_json(info)["host"], g_emu->gradio + app("hfrun-demo/echo"));
  EXPECT_EQ(body_json(info)["subdomain"], "hfrun-demo-echo");
}

TEST(Gradio, ConfigAndInfoOfAGradio5App) {
  auto r = get(app("hfrun-demo/echo") + "/config");
  ASSERT_TRUE(r && r->status == 200);
  const auto config = body_json(r);
  EXPECT_EQ(config["version"], "5.49.1");
  EXPECT_EQ(config["api_prefix"], "/gradio_api");
  EXPECT_EQ(config["protocol"], "sse_v3");
  EXPECT_EQ(config["root"], g_emu->gradio + app("hfrun-demo/echo"));
  EXPECT_EQ(config["enable_queue"], true);
  ASSERT_EQ(config["dependencies"].size(), 1u);
  EXPECT_EQ(config["dependencies"][0]["api_name"], "predict");
  auto info = get(app("hfrun-demo/echo") + "/gradio_api/info");
  ASSERT_TRUE(info && info->status == 200);
  const auto j = body_json(info);
  EXPECT_EQ(j["unnamed_endpoints"], json::object());
  const auto& p = j["named_endpoints"]["/predict"]["parameters"][0];
  EXPECT_EQ(p["parameter_name"], "name");
  EXPECT_EQ(p["component"], "Textbox");
  EXPECT_EQ(p["parameter_has_default"], false);
}

TEST(Gradio, Gradio4AppsHaveNoPrefixAndGradio3OnlyAConfig) {
  auto config = body_json(get(app("hfrun-demo/echo-v4") + "/config"));
  EXPECT_EQ(config["version"], "4.44.1");
  EXPECT_EQ(config.value("api_prefix", ""), "");
  EXPECT_EQ(get(app("hfrun-demo/echo-v4") + "/info")->status, 200);
  EXPECT_EQ(get(app("hfrun-demo/echo-v4") + "/gradio_api/info")->status, 404);
  auto ws = get(app("hfrun-demo/echo-ws") + "/config");
  ASSERT_TRUE(ws && ws->status == 200);
  EXPECT_EQ(body_json(ws)["version"], "3.50.2");
  EXPECT_FALSE(body_json(ws).contains("api_prefix"));
  EXPECT_EQ(post_json(app("hfrun-demo/echo-ws") + "/queue/join",
                      {{"data", {"x"}}, {"fn_index", 0}, {"session_hash", "ws1"}})
                ->status,
            404);
}

TEST(Gradio, JoinNeedsASessionHash) {
  auto r = post_json(app("hfrun-demo/echo") + "/gradio_api/queue/join",
                     {{"data", {"x"}}, {"fn_index", 0}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"detail", "Session hash not found."}}));
}

TEST(Gradio, MessagesWaitForTheStreamAndEndWithCloseStream) {
  const auto id = join("hfrun-demo/echo", {"cat"}, "buffered1");
  ASSERT_FALSE(id.empty());
  std::this_thread::sleep_for(300ms); // the job is done before the stream connects
  const auto s =
      read_stream(app("hfrun-demo/echo") + "/gradio_api/queue/data?session_hash=buffered1", 5s);
  EXPECT_TRUE(s.ended);
  const auto mine = of_event(s, id);
  EXPECT_EQ(kinds(mine),
            (std::vector<std::string>{"estimation", "process_starts", "process_completed"}));
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(mine.back()["output"]["data"], json({"Hello, cat!"}));
  EXPECT_EQ(mine.back()["success"], true);
  ASSERT_FALSE(s.messages.empty());
  EXPECT_EQ(s.messages.back(), json({{"msg", "close_stream"}, {"event_id", nullptr}}));
}

TEST(Gradio, OlderProtocolsSendNoCloseStream) {
  // Before sse_v3 the client closes the stream once its events completed; the server never says.
  for (const char* space : {"hfrun-demo/echo-v2", "hfrun-demo/echo-v1"}) {
    const std::string session = std::string("old-") + space;
    const auto id = join(space, {"cat"}, session, 0, {}, "");
    const auto s = read_stream(app(space) + "/queue/data?session_hash=" + session, 2s);
    const auto mine = of_event(s, id);
    ASSERT_FALSE(mine.empty()) << space;
    EXPECT_EQ(mine.back().value("msg", ""), "process_completed") << space;
    EXPECT_EQ(mine.back()["output"]["data"], json({"Hello, cat!"})) << space;
    EXPECT_FALSE(std::any_of(s.messages.begin(), s.messages.end(),
                             [](const json& m) { return m.value("msg", "") == "close_stream"; }))
        << space << ": " << s.raw;
  }
  // /call came with 4.20.
  EXPECT_EQ(post_json(app("hfrun-demo/echo-v1") + "/call/predict", {{"data", {"x"}}})->status, 404);
  EXPECT_EQ(post_json(app("hfrun-demo/echo-v2") + "/call/predict", {{"data", {"x"}}})->status, 200);
}

TEST(Gradio, AGeneratorSendsTheFullValueThenAppendDiffs) {
  const auto id = join("hfrun-demo/chatbot", {"hello there"}, "chat1");
  const auto s =
      read_stream(app("hfrun-demo/chatbot") + "/gradio_api/queue/data?session_hash=chat1", 5s);
  std::vector<json> generating;
  for (const auto& m : of_event(s, id)) {
    if (m.value("msg", "") == "process_generating") {
      generating.push_back(m["output"]["data"]);
    }
  }
  ASSERT_EQ(generating.size(), 4u) << s.raw;
  EXPECT_EQ(generating[0], json({"You"}));
  EXPECT_EQ(generating[1], json::parse(R"([[["append", [], " said:"]]])"));
  EXPECT_EQ(generating[3], json::parse(R"([[["append", [], " there"]]])"));
  ASSERT_TRUE(completed(s));
  EXPECT_EQ(of_event(s, id).back()["output"]["data"], json({"You said: hello there"}));
}

TEST(Gradio, TheCallRouteAnswersNamedEventsWithFullValues) {
  auto r = post_json(app("hfrun-demo/chatbot") + "/gradio_api/call/chat", {{"data", {"hi you"}}});
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  const auto id = body_json(r).value("event_id", "");
  const auto s = read_stream(app("hfrun-demo/chatbot") + "/gradio_api/call/chat/" + id, 5s);
  EXPECT_EQ(s.raw, "event: generating\ndata: [\"You\"]\n\n"
                   "event: generating\ndata: [\"You said:\"]\n\n"
                   "event: generating\ndata: [\"You said: hi\"]\n\n"
                   "event: generating\ndata: [\"You said: hi you\"]\n\n"
                   "event: complete\ndata: [\"You said: hi you\"]\n\n");
  // Gradio 5 loses the error's message on this route.
  auto e = post_json(app("hfrun-demo/broken") + "/gradio_api/call/explain", {{"data", {"x"}}});
  ASSERT_TRUE(e && e->status == 200);
  const auto es = read_stream(app("hfrun-demo/broken") + "/gradio_api/call/explain/" +
                                  body_json(e).value("event_id", ""),
                              5s);
  EXPECT_EQ(es.raw, "event: error\ndata: null\n\n");
}

TEST(Gradio, AppErrorsWithAndWithoutTheirMessage) {
  const auto hidden = join("hfrun-demo/broken", {"x"}, "err1", 0);
  const auto shown = join("hfrun-demo/broken", {"x"}, "err1", 1);
  const auto s =
      read_stream(app("hfrun-demo/broken") + "/gradio_api/queue/data?session_hash=err1", 5s);
  const auto h = of_event(s, hidden);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.back()["success"], false);
  EXPECT_EQ(h.back()["output"], json({{"error", nullptr}}));
  const auto e = of_event(s, shown);
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.back()["success"], false);
  EXPECT_EQ(e.back()["output"]["error"], "The input was rejected: x");
}

TEST(Gradio, TheSlowAppQueuesProgressesLogsAndHeartbeats) {
  const auto id = join("hfrun-demo/slow-queue", {1}, "slow1");
  const auto s =
      read_stream(app("hfrun-demo/slow-queue") + "/gradio_api/queue/data?session_hash=slow1", 10s);
  const auto mine = of_event(s, id);
  ASSERT_GE(mine.size(), 4u) << s.raw;
  EXPECT_EQ(mine[0]["msg"], "estimation");
  EXPECT_EQ(mine[0]["rank"], 2);
  EXPECT_EQ(mine[0]["queue_size"], 3);
  EXPECT_EQ(mine[1]["msg"], "estimation");
  EXPECT_EQ(mine[1]["rank"], 1);
  EXPECT_EQ(mine[2]["msg"], "process_starts");
  const auto k = kinds(mine);
  EXPECT_EQ(std::count(k.begin(), k.end(), "progress"), 3);
  EXPECT_EQ(std::count(k.begin(), k.end(), "log"), 1);
  EXPECT_EQ(mine.back()["output"]["data"], json({"done after 1s"}));
  EXPECT_TRUE(std::any_of(s.messages.begin(), s.messages.end(), [](const json& m) {
    return m.value("msg", "") == "heartbeat";
  })) << s.raw;
}

TEST(Gradio, CancelEndsTheJobAtOnce) {
  const auto id = join("hfrun-demo/slow-queue", {8}, "cancel1");
  std::thread canceller([&] {
    std::this_thread::sleep_for(500ms);
    auto r = post_json(app("hfrun-demo/slow-queue") + "/gradio_api/cancel",
                       {{"event_id", id}, {"session_hash", "cancel1"}, {"fn_index", 0}});
    EXPECT_TRUE(r && r->status == 200);
    EXPECT_EQ(body_json(r), json({{"success", true}}));
  });
  const auto started = std::chrono::steady_clock::now();
  const auto s = read_stream(
      app("hfrun-demo/slow-queue") + "/gradio_api/queue/data?session_hash=cancel1", 10s);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  const auto mine = of_event(s, id);
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(mine.back()["msg"], "process_completed");
  EXPECT_EQ(mine.back()["output"], json::object());
  EXPECT_EQ(mine.back()["success"], true);
  const auto log = gradio_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const json& e) {
    return e.value("method", "") == "POST" &&
           e.value("path", "") == "/spaces/hfrun-demo/slow-queue/gradio_api/cancel";
  }));
  auto reset = post_json(app("hfrun-demo/slow-queue") + "/gradio_api/reset", {{"event_id", id}});
  ASSERT_TRUE(reset);
  EXPECT_EQ(body_json(reset), json({{"success", true}}));
}

TEST(Gradio, AStreamThatGoesAwayKillsItsSessionsJob) {
  const auto id = join("hfrun-demo/slow-queue", {3}, "gone1");
  const auto path = app("hfrun-demo/slow-queue") + "/gradio_api/queue/data?session_hash=gone1";
  // Read until the job runs, then hang up.
  const auto first = read_stream(path, 5s, [](const Stream& s) {
    return std::any_of(s.messages.begin(), s.messages.end(),
                       [](const json& m) { return m.value("msg", "") == "progress"; });
  });
  ASSERT_FALSE(of_event(first, id).empty()) << first.raw;
  // Past the job's end (about 3.3 s after the join): it must not have run to completion.
  const auto later = read_stream(path, 5s);
  for (const auto& m : of_event(later, id)) {
    EXPECT_FALSE(m.value("msg", "") == "process_completed" && m["output"].contains("data"))
        << later.raw;
  }
}

TEST(Gradio, StateIsKeptPerSession) {
  const auto total = [](const std::string& session, int value) {
    const auto id = join("hfrun-demo/calculator", {value, nullptr}, session, 2);
    const auto s = read_stream(
        app("hfrun-demo/calculator") + "/gradio_api/queue/data?session_hash=" + session, 5s);
    const auto mine = of_event(s, id);
    return mine.empty() ? json() : mine.back()["output"]["data"];
  };
  EXPECT_EQ(total("state1", 5), json({5.0, nullptr}));
  EXPECT_EQ(total("state1", 2), json({7.0, nullptr}));
  EXPECT_EQ(total("state2", 1), json({1.0, nullptr}));
}

TEST(Gradio, UploadsPastTheHubsBodyLimitAndFilesByRange) {
  std::string bytes(200000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(i * 7 % 251);
  }
  auto r = upload("hfrun-demo/file-info", "data.bin", bytes);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto paths = body_json(r);
  ASSERT_TRUE(paths.is_array() && paths.size() == 1u) << r->body;
  const std::string path = paths[0];
  // Content-addressed as in Gradio's cache (/tmp/gradio/<sha256>/<name>), under the emulator's
  // own temporary directory.
  EXPECT_TRUE(path.ends_with("/" + sha256_hex(bytes) + "/data.bin")) << path;
  const auto id =
      join("hfrun-demo/file-info",
           {{{"path", path}, {"orig_name", "data.bin"}, {"meta", {{"_type", "gradio.FileData"}}}}},
           "upload1");
  const auto s =
      read_stream(app("hfrun-demo/file-info") + "/gradio_api/queue/data?session_hash=upload1", 5s);
  const auto mine = of_event(s, id);
  ASSERT_FALSE(mine.empty());
  EXPECT_EQ(mine.back()["output"]["data"][0],
            json({{"name", "data.bin"}, {"size", bytes.size()}, {"sha256", sha256_hex(bytes)}}));
  auto part =
      get(app("hfrun-demo/file-info") + "/gradio_api/file=" + path, {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, bytes.substr(10, 10));
  EXPECT_EQ(get(app("hfrun-demo/file-info") + "/gradio_api/file=/etc/passwd")->status, 403);
}

TEST(Gradio, AFileOverMaxFileSizeIs413) {
  auto r = upload("hfrun-demo/image-classifier", "big.png", std::string((5u << 20) + 1, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("maximum allowed size"), std::string::npos) << r->body;
}

TEST(Gradio, APrivateAppNeedsItsOwnersToken) {
  const auto config = app("hfrun-tester/private-demo") + "/config";
  auto anonymous = get(config);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_NE(anonymous->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_EQ(get(config, {{"X-HF-Authorization", std::string("Bearer ") + k_token}})->status, 200);
  EXPECT_EQ(get(config, {{"Authorization", std::string("Bearer ") + k_token}})->status, 200);
  auto hub = client(g_emu->hub);
  EXPECT_EQ(hub.Get("/api/spaces/hfrun-tester/private-demo/host")->status, 401);
  EXPECT_EQ(hub.Get("/api/spaces/hfrun-tester/private-demo/host",
                    {{"Authorization", std::string("Bearer ") + k_other_token}})
                ->status,
            404);
  const auto log = gradio_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const json& e) {
    return e.value("path", "") == "/spaces/hfrun-tester/private-demo/config" &&
           e["headers"].value("x-hf-authorization", "") == "Bearer <token>";
  }));
}

TEST(Gradio, ASleepingSpaceWakesOnAVisit) {
  auto hub = client(g_emu->hub);
  const auto stage = [&] {
    return body_json(hub.Get("/api/spaces/hfrun-demo/sleepy/runtime")).value("stage", "");
  };
  EXPECT_EQ(stage(), "SLEEPING");
  auto first = get(app("hfrun-demo/sleepy") + "/config");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 503);
  EXPECT_EQ(stage(), "APP_STARTING");
  std::this_thread::sleep_for(1700ms);
  EXPECT_EQ(stage(), "RUNNING");
  EXPECT_EQ(get(app("hfrun-demo/sleepy") + "/config")->status, 200);
}

TEST(Gradio, APausedSpaceAnswers503) {
  auto r = get(app("hfrun-demo/paused") + "/config");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos);
}

TEST(Gradio, ZeroGpuAnswersOnlyWithAnIpToken) {
  const auto over = join("hfrun-demo/zerogpu", {"x"}, "zero1");
  const auto relayed = join("hfrun-demo/zerogpu", {"x"}, "zero1", 0, {{"x-ip-token", "abc"}});
  const auto s =
      read_stream(app("hfrun-demo/zerogpu") + "/gradio_api/queue/data?session_hash=zero1", 5s);
  const auto o = of_event(s, over);
  ASSERT_FALSE(o.empty());
  EXPECT_EQ(o.back()["success"], false);
  EXPECT_NE(o.back()["output"].value("error", "").find("exceeded your free GPU quota"),
            std::string::npos);
  const auto r = of_event(s, relayed);
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r.back()["output"]["data"], json({"ok: x"}));
}

TEST(Gradio, TheGeneratorsImageIsAPngAtItsUrl) {
  const auto id = join("hfrun-demo/image-generator", {"a cat", 20}, "gen1");
  const auto s = read_stream(
      app("hfrun-demo/image-generator") + "/gradio_api/queue/data?session_hash=gen1", 5s);
  const auto mine = of_event(s, id);
  ASSERT_FALSE(mine.empty());
  const auto file = mine.back()["output"]["data"][0];
  EXPECT_EQ(file["orig_name"], "image.png");
  EXPECT_EQ(file["mime_type"], "image/png");
  const std::string url = file.value("url", "");
  ASSERT_TRUE(url.starts_with(g_emu->gradio)) << url;
  auto r = get(url.substr(g_emu->gradio.size()));
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_EQ(r->body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
  EXPECT_EQ(file["size"], r->body.size());
}

} // namespace
