// hfrun space against the emulator's Gradio apps (docs/emulator.md, "Gradio"): every app and
// branch of docs/space.md, in both renderings, with the exit codes and the requests sent.
#include "emulator_fixture.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>

namespace hfrun::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = EmulatorEnvironment::emulator().dir / ("space-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

json parse_out(const ProcessResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

// The requests that reached the Gradio role, in order.
std::vector<json> gradio_requests() {
  std::vector<json> out;
  for (auto& entry : request_log()) {
    if (entry.value("role", "") == "gradio") {
      out.push_back(entry);
    }
  }
  return out;
}

std::string tiny_png() {
  return std::string(HFRUN_TEST_DATA_DIR) + "/peer-captures/tiny.png";
}

TEST(Space, ListShowsTheEndpointAndACommand) {
  auto r = hfrun({"space", "hfrun-demo/echo", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/predict"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  name  str (Textbox)  required"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("$ hfrun space hfrun-demo/echo 'name=Hello!!'"), std::string::npos) << r.out;
  auto j = hfrun({"space", "hfrun-demo/echo", "--list", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json doc = parse_out(j);
  EXPECT_EQ(doc["space"], "hfrun-demo/echo");
  EXPECT_EQ(doc["gradio_version"], "5.49.1");
  ASSERT_EQ(doc["endpoints"].size(), 1u);
  EXPECT_EQ(doc["endpoints"][0]["api"], "/predict");
  EXPECT_EQ(doc["endpoints"][0]["parameters"][0]["name"], "name");
  EXPECT_EQ(doc["endpoints"][0]["parameters"][0]["required"], true);
}

TEST(Space, ListOfSeveralEndpointsNamesEachApi) {
  auto r = hfrun({"space", "hfrun-demo/calculator", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse_out(r);
  std::vector<std::string> apis;
  for (const auto& e : doc["endpoints"]) {
    apis.push_back(e["api"]);
  }
  EXPECT_EQ(apis, (std::vector<std::string>{"/add", "/operate", "/remember"}));
  EXPECT_EQ(doc["endpoints"][0]["command"], "hfrun space hfrun-demo/calculator --api /add a:=3");
}

TEST(Space, TextCallInBothRenderings) {
  auto r = hfrun({"space", "hfrun-demo/echo", "name=cat"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello, cat!\n");
  auto j = hfrun({"space", "hfrun-demo/echo", "name=cat", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json doc = parse_out(j);
  EXPECT_EQ(doc["space"], "hfrun-demo/echo");
  EXPECT_EQ(doc["api"], "/predict");
  EXPECT_EQ(doc["data"], json::parse(R"(["Hello, cat!"])"));
  EXPECT_EQ(doc["files"], json::array());
  EXPECT_TRUE(doc["duration_ms"].is_number_integer());
}

TEST(Space, RawIsTheAppsFinalMessage) {
  auto r = hfrun({"space", "hfrun-demo/echo", "name=cat", "--raw"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse_out(r);
  EXPECT_EQ(doc["msg"], "process_completed");
  EXPECT_EQ(doc["output"]["data"], json::parse(R"(["Hello, cat!"])"));
}

TEST(Space, EveryQueueProtocolGivesTheSameAnswer) {
  for (const char* space : {"hfrun-demo/echo-v4", "hfrun-demo/echo-v2", "hfrun-demo/echo-v1"}) {
    auto r = hfrun({"space", space, "name=cat"});
    EXPECT_EQ(r.exit_code, 0) << space << ": " << r.err;
    EXPECT_EQ(r.out, "Hello, cat!\n") << space;
  }
}

TEST(Space, TheCallRoute) {
  auto r = hfrun({"space", "hfrun-demo/echo", "name=cat", "--route", "call"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello, cat!\n");
  auto old = hfrun({"space", "hfrun-demo/echo-v1", "name=cat", "--route", "call"});
  EXPECT_EQ(old.exit_code, 2) << old.err;
  EXPECT_NE(old.err.find("no /call route"), std::string::npos) << old.err;
}

TEST(Space, WebsocketAppsAreRefusedNamingTheVersion) {
  auto r = hfrun({"space", "hfrun-demo/echo-ws", "--api", "/predict", "name=cat"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("Gradio 3.50.2"), std::string::npos) << r.err;
}

TEST(Space, AUrlTargetGetsNoToken) {
  const std::string url = EmulatorEnvironment::emulator().gradio + "/spaces/hfrun-demo/echo";
  auto r = hfrun({"space", url, "name=cat"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello, cat!\n");
  for (const auto& req : gradio_requests()) {
    EXPECT_FALSE(req["headers"].contains("authorization")) << req.dump();
    EXPECT_FALSE(req["headers"].contains("x-hf-authorization")) << req.dump();
  }
}

TEST(Space, ImageClassifierUploadsTheFile) {
  auto r = hfrun({"space", "hfrun-demo/image-classifier", "image=@" + tiny_png(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse_out(r);
  ASSERT_EQ(doc["data"].size(), 1u);
  EXPECT_TRUE(doc["data"][0]["label"].is_string()) << doc.dump();
  bool uploaded = false;
  for (const auto& req : gradio_requests()) {
    if (req["method"] == "POST" && req["path"].get<std::string>().ends_with("/gradio_api/upload")) {
      uploaded = true;
    }
  }
  EXPECT_TRUE(uploaded);
  auto text = hfrun({"space", "hfrun-demo/image-classifier", "image=@" + tiny_png()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(doc["data"][0]["label"].get<std::string>()), std::string::npos);
}

TEST(Space, AFileOverMaxFileSizeIsRefusedBeforeSending) {
  const fs::path big = fresh_dir("big") / "big.png";
  {
    std::ofstream out(big, std::ios::binary);
    out << std::string(6u << 20, 'x');
  }
  auto r = hfrun({"space", "hfrun-demo/image-classifier", "image=@" + big.string()});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("accepts files up to 5.0 MiB"), std::string::npos) << r.err;
  for (const auto& req : gradio_requests()) {
    EXPECT_FALSE(req["path"].get<std::string>().ends_with("/upload")) << req.dump();
  }
}

TEST(Space, ImageGeneratorWritesTheFileWithoutReplacingOne) {
  const fs::path dir = fresh_dir("gen");
  auto r = hfrun({"space", "hfrun-demo/image-generator", "prompt=a cat", "--output-dir",
                  dir.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse_out(r);
  ASSERT_EQ(doc["files"].size(), 1u);
  const fs::path written = doc["files"][0]["path"].get<std::string>();
  EXPECT_EQ(written, dir / "image.png");
  ASSERT_TRUE(fs::exists(written));
  EXPECT_EQ(fs::file_size(written), doc["files"][0]["size"].get<std::uint64_t>());
  std::ifstream in(written, std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  EXPECT_EQ(head, "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(doc["files"][0]["mime_type"], "image/png");
  auto again = hfrun({"space", "hfrun-demo/image-generator", "prompt=a cat", "steps:=5",
                      "--output-dir", dir.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::exists(dir / "image-1.png"));
  EXPECT_NE(again.err.find("wrote " + (dir / "image-1.png").string() + " (image/png, "),
            std::string::npos)
      << again.err;
}

// Every file under `dir`, relative to it.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    out.insert(fs::relative(e.path(), dir).string());
  }
  return out;
}

// Output names are the server's: the namer app returns whatever name it is given. Each lands inside
// the output folder under its safe form (docs/space.md, "Output files"); nothing is written
// beside the folder, and a file already there is kept.
TEST(Space, HostileOutputNamesStayInsideTheOutputFolder) {
  const fs::path root = fresh_dir("namer");
  const fs::path dir = root / "out";
  fs::create_directories(dir);
  std::ofstream(dir / "passwd") << "mine";
  struct Case {
    std::string param;
    std::string written;
  };
  const std::vector<Case> cases = {
      {"name=../../escape.txt", "escape.txt"},
      {"name=/etc/passwd", "passwd-1"},
      {"name=..\\..\\win.ini", "win.ini"},
      {"name=..", "output-1"},
      {"name=sub/../", "output-1-1"},
      {"name=.bashrc", "_bashrc"},
      {"name=-rf", "_rf"},
      {R"(name:="nul\u0000byte\nline.txt")", "nul_byte_line.txt"},
  };
  for (const auto& c : cases) {
    auto r =
        hfrun({"space", "hfrun-demo/file-namer", c.param, "--output-dir", dir.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << c.param << "\n" << r.err;
    const json doc = parse_out(r);
    ASSERT_EQ(doc["files"].size(), 1u) << c.param;
    EXPECT_EQ(fs::path(doc["files"][0]["path"].get<std::string>()), dir / c.written) << c.param;
  }
  std::set<std::string> expected = {"passwd"};
  for (const auto& c : cases) {
    expected.insert(c.written);
  }
  EXPECT_EQ(files_under(dir), expected);
  EXPECT_EQ(files_under(root), [&] {
    std::set<std::string> all = {"out"};
    for (const auto& name : expected) {
      all.insert("out/" + name);
    }
    return all;
  }()) << "nothing is written outside the output folder";
  std::ifstream mine(dir / "passwd");
  std::string kept;
  std::getline(mine, kept);
  EXPECT_EQ(kept, "mine");

  // Batch rows name their files "<id>-<name>": the id is the user's, the name still the server's.
  const fs::path in = root / "in.jsonl";
  std::ofstream(in) << R"({"id": "../up", "params": {"name": "../../../x.txt"}})"
                    << "\n";
  auto batch = hfrun(
      {"space", "hfrun-demo/file-namer", "--batch", in.string(), "--output-dir", dir.string()});
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  EXPECT_TRUE(fs::exists(dir / "up-x.txt")) << batch.out;
  EXPECT_EQ(files_under(root).size(), expected.size() + 3) << "out, in.jsonl and the batch file";
}

TEST(Space, OutputFileWithDashO) {
  const fs::path out = fresh_dir("dash-o") / "cat.png";
  auto r = hfrun({"space", "hfrun-demo/image-generator", "prompt=a cat", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_EQ(r.out, "");
}

TEST(Space, ChatbotStreamsAndJsonHasTheWholeReply) {
  auto r = hfrun({"space", "hfrun-demo/chatbot", "message=hello there friend"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "You said: hello there friend\n");
  auto j = hfrun({"space", "hfrun-demo/chatbot", "message=hello there friend", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(parse_out(j)["data"], json::parse(R"(["You said: hello there friend"])"));
}

TEST(Space, CalculatorDefaultsStateAndAppErrors) {
  auto add = hfrun({"space", "hfrun-demo/calculator", "--api", "/add", "a=2"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "3.0\n"); // b defaults to 1; "2" for a number is 2; the app answers a float
  auto remember =
      hfrun({"space", "hfrun-demo/calculator", "--api", "/remember", "value:=5", "--json"});
  ASSERT_EQ(remember.exit_code, 0) << remember.err;
  EXPECT_EQ(parse_out(remember)["data"][0], 5);
  auto divide = hfrun(
      {"space", "hfrun-demo/calculator", "--api", "/operate", "a:=6", "operation=divide", "b:=0"});
  EXPECT_EQ(divide.exit_code, 6) << divide.err;
  EXPECT_NE(divide.err.find("Cannot divide by zero"), std::string::npos) << divide.err;
}

TEST(Space, UsageErrorsNameWhatThereIs) {
  auto no_api = hfrun({"space", "hfrun-demo/calculator", "a:=1"});
  EXPECT_EQ(no_api.exit_code, 2) << no_api.err;
  EXPECT_NE(no_api.err.find("/add, /operate, /remember"), std::string::npos) << no_api.err;
  auto typo = hfrun(
      {"space", "hfrun-demo/calculator", "--api", "/operate", "a:=1", "b:=2", "oparation=add"});
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_NE(typo.err.find("did you mean 'operation'"), std::string::npos) << typo.err;
  auto missing = hfrun({"space", "hfrun-demo/echo"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("/predict needs name=TEXT"), std::string::npos) << missing.err;
  auto bad_api = hfrun({"space", "hfrun-demo/calculator", "--api", "/ad", "a:=1"});
  EXPECT_EQ(bad_api.exit_code, 4) << bad_api.err;
  EXPECT_NE(bad_api.err.find("did you mean '/add'"), std::string::npos) << bad_api.err;
  auto unreadable = hfrun({"space", "hfrun-demo/image-classifier", "image=@/nonexistent.png"});
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.err;
}

TEST(Space, AppErrorsWithAndWithoutDetails) {
  auto hidden = hfrun({"space", "hfrun-demo/broken", "--api", "/predict", "text=x"});
  EXPECT_EQ(hidden.exit_code, 6) << hidden.err;
  EXPECT_NE(hidden.err.find("shows no details"), std::string::npos) << hidden.err;
  auto shown = hfrun({"space", "hfrun-demo/broken", "--api", "/explain", "text=x"});
  EXPECT_EQ(shown.exit_code, 6) << shown.err;
  EXPECT_NE(shown.err.find("The input was rejected: x"), std::string::npos) << shown.err;
}

TEST(Space, SlowQueueCompletes) {
  auto r = hfrun({"space", "hfrun-demo/slow-queue", "seconds:=1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_out(r)["data"], json::parse(R"(["done after 1s"])"));
  EXPECT_NE(r.err.find("the app: warming up"), std::string::npos) << r.err;
}

TEST(Space, CtrlCCancelsTheJobOnTheApp) {
  auto& e = EmulatorEnvironment::emulator();
  const std::string cmd = std::string("timeout -s INT --preserve-status 1.5 ") + HFRUN_BIN +
                          " space hfrun-demo/slow-queue seconds:=8";
  auto r = run_process(
      {"/bin/bash", "-c", cmd},
      {{"HF_ENDPOINT", e.hub}, {"HF_TOKEN", e.token}, {"HF_HOME", (e.dir / "home").string()}});
  EXPECT_EQ(r.exit_code, 130) << r.err;
  bool cancelled = false;
  for (const auto& req : gradio_requests()) {
    cancelled = cancelled || (req["method"] == "POST" &&
                              req["path"].get<std::string>().ends_with("/gradio_api/cancel"));
  }
  EXPECT_TRUE(cancelled);
}

TEST(Space, ASleepingSpaceIsWokenUp) {
  auto r = hfrun({"space", "hfrun-demo/sleepy", "name=cat"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello, cat!\n");
  EXPECT_NE(r.err.find("waking up Space hfrun-demo/sleepy (SLEEPING"), std::string::npos) << r.err;
}

TEST(Space, APausedSpaceFailsAtOnce) {
  auto r = hfrun({"space", "hfrun-demo/paused", "name=cat"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("is not running (PAUSED)"), std::string::npos) << r.err;
  EXPECT_TRUE(gradio_requests().empty());
}

TEST(Space, APrivateSpaceNeedsTheTokenWhichGoesAsXHfAuthorization) {
  auto without = hfrun({"space", "hfrun-tester/private-demo", "name=cat"}, /*with_token=*/false);
  EXPECT_EQ(without.exit_code, 3) << without.err;
  auto with = hfrun({"space", "hfrun-tester/private-demo", "name=cat"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, "Hello, cat!\n");
  const auto requests = gradio_requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& req : requests) {
    EXPECT_FALSE(req["headers"].contains("authorization")) << req.dump();
    EXPECT_EQ(req["headers"].value("x-hf-authorization", ""), "Bearer <token>") << req.dump();
  }
  EXPECT_EQ(with.err.find(EmulatorEnvironment::emulator().token), std::string::npos);
}

TEST(Space, ZeroGpuQuotaIsExitFiveAndTheIpTokenPassesThrough) {
  auto over = hfrun({"space", "hfrun-demo/zerogpu", "prompt=x"});
  EXPECT_EQ(over.exit_code, 5) << over.err;
  EXPECT_NE(over.err.find("ZeroGPU quota"), std::string::npos) << over.err;
  auto relayed = hfrun({"space", "hfrun-demo/zerogpu", "prompt=x", "-H", "x-ip-token: abc"});
  ASSERT_EQ(relayed.exit_code, 0) << relayed.err;
  EXPECT_EQ(relayed.out, "ok: x\n");
}

TEST(Space, TheProbesSuggestionRuns) {
  auto probe = hfrun({"probe", "stabilityai/stable-diffusion-xl-base-1.0"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_NE(probe.out.find("hfrun space hysts/SDXL --list"), std::string::npos) << probe.out;
  auto list = hfrun({"space", "hysts/SDXL", "--list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("/generate"), std::string::npos) << list.out;
}

TEST(Space, UnknownSpaceIsNotFound) {
  auto r = hfrun({"space", "hfrun-demo/no-such-space", "--list"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
}

TEST(Space, DryRunPrintsTheFirstRequestAndSendsNothing) {
  auto r = hfrun({"space", "hfrun-demo/echo", "name=cat", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/api/spaces/hfrun-demo/echo/host"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(EmulatorEnvironment::emulator().token), std::string::npos);
}

TEST(Space, AOneGibUploadStreamsFromDisk) {
  const fs::path big = fresh_dir("gib") / "big.bin";
  { std::ofstream out(big, std::ios::binary); }
  fs::resize_file(big, 1ull << 30);
  auto r = hfrun({"space", "hfrun-demo/file-info", "file=@" + big.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = parse_out(r);
  EXPECT_EQ(doc["data"][0]["size"], 1ull << 30) << doc.dump();
  EXPECT_EQ(doc["data"][0]["name"], "big.bin");
  fs::remove(big);
}

} // namespace
} // namespace hfrun::test
