// hfrun-emulator through its HTTP interface (the hub and CDN parts, faults, control endpoints and
// the log, connection handling, the router's provider order): one emulator process for the whole
// program (tests/support/emulator_process.hpp), driven with httplib::Client and raw sockets.
#include "content.hpp"
#include "support/emulator_process.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using nlohmann::json;
constexpr const char* k_token = "hf_emulator_user_token";
constexpr const char* k_other_token = "hf_emulator_other_token";

struct Emulator {
  std::unique_ptr<hfrun::test::EmulatorProcess> process;
  std::filesystem::path dir;
  std::string hub;
  std::string router;
  std::string cdn;
};

Emulator* g_emu = nullptr;

class EmulatorEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    static Emulator emu;
    g_emu = &emu;
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    options.args = {"--max-body", "65536"};
    options.request_log = true;
    auto started = hfrun::test::EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    emu.process = std::move(*started);
    emu.dir = emu.process->dir();
    emu.hub = emu.process->info().hub;
    emu.router = emu.process->info().router;
    emu.cdn = emu.process->info().cdn;
  }
  void TearDown() override {
    if (g_emu != nullptr && g_emu->process) {
      EXPECT_EQ(g_emu->process->stop(), 0) << "the emulator did not stop cleanly";
      g_emu->process.reset();
    }
  }
};

const auto* const g_env = ::testing::AddGlobalTestEnvironment(new EmulatorEnvironment);

httplib::Headers auth(const char* token = k_token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

httplib::Result
get(const std::string& base, const std::string& path, const httplib::Headers& headers = {}) {
  httplib::Client client(base);
  client.set_read_timeout(std::chrono::seconds(30));
  client.set_url_encode(false); // paths here are already encoded, as a real client sends them
  return client.Get(path, headers);
}

httplib::Result hub_get(const std::string& path, const httplib::Headers& headers = {}) {
  return get(g_emu->hub, path, headers);
}

json body_json(const httplib::Result& r) {
  return json::parse(r->body, nullptr, false);
}

std::vector<std::string> keys(const json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) {
    out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Splits "http://host:port/path?q" into (origin, path?q). httplib's client percent-decodes
// response header values, so the URLs taken from Location/Link are re-encoded here: the cursor's
// base64 padding is restored and the (unsigned) content-disposition parameter is dropped.
std::pair<std::string, std::string> split_url(std::string url) {
  if (const auto c = url.find("cursor="); c != std::string::npos) {
    std::string fixed;
    for (const char ch : url.substr(c + 7)) {
      fixed += ch == '=' ? std::string("%3D") : std::string(1, ch);
    }
    url = url.substr(0, c + 7) + fixed;
  }
  if (const auto d = url.find("response-content-disposition="); d != std::string::npos) {
    url.erase(d, url.find("&Expires=") - d + 1);
  }
  const auto slash = url.find('/', url.find("//") + 2);
  return {url.substr(0, slash), url.substr(slash)};
}

std::string unquote(std::string s) {
  std::erase(s, '"');
  return s;
}

int port_of(const std::string& base) {
  return std::stoi(base.substr(base.rfind(':') + 1));
}

// Sends `request` as is on a fresh connection and returns everything the server sends until it
// closes (requests here carry "Connection: close"): for requests httplib::Client cannot make.
std::string raw_exchange(const std::string& base, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port_of(base)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n = 0; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// The log entries (GET /_emulator/log) whose request path is `path`.
std::vector<json> logged(const std::string& path) {
  std::vector<json> out;
  std::istringstream lines(get(g_emu->hub, "/_emulator/log")->body);
  std::string line;
  while (std::getline(lines, line)) {
    auto e = json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.value("path", "") == path) {
      out.push_back(std::move(e));
    }
  }
  return out;
}

TEST(HubModelInfo, ExpandReturnsOnlyTheRequestedFields) {
  auto r = hub_get("/api/models/sentence-transformers/"
                   "all-MiniLM-L6-v2?expand[]=pipeline_tag&expand[]=library_name");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto j = body_json(r);
  EXPECT_EQ(keys(j), (std::vector<std::string>{"_id", "id", "library_name", "pipeline_tag"}));
  EXPECT_EQ(j["library_name"], "sentence-transformers");
  // Repeated `expand=` (huggingface_hub's spelling) works the same.
  auto r2 = hub_get("/api/models/sentence-transformers/all-MiniLM-L6-v2?expand=tags&expand=sha");
  EXPECT_EQ(keys(body_json(r2)), (std::vector<std::string>{"_id", "id", "sha", "tags"}));
}

TEST(HubModelInfo, UnknownExpandValueIs400) {
  auto r = hub_get("/api/models/openai-community/gpt2?expand[]=sha&expand[]=nonsense");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(body_json(r)["error"].get<std::string>().find("expand[1]"), std::string::npos);
}

TEST(HubModelInfo, DefaultResponseLeavesOutInferenceFields) {
  auto r = hub_get("/api/models/ggml-org/gemma-3-1b-it-GGUF");
  ASSERT_EQ(r->status, 200);
  const auto j = body_json(r);
  EXPECT_FALSE(j.contains("inference"));
  EXPECT_FALSE(j.contains("inferenceProviderMapping"));
  EXPECT_EQ(j["gguf"]["context_length"], 32768);
  EXPECT_EQ(j["siblings"].size(), 4U);
  EXPECT_EQ(j["gated"], false);
}

TEST(HubModelInfo, ProviderMappingIsADictWithEveryStatus) {
  auto r = hub_get("/api/models/meta-llama/"
                   "Llama-3.1-8B-Instruct?expand[]=inferenceProviderMapping&expand[]=gated");
  const auto j = body_json(r);
  ASSERT_TRUE(j["inferenceProviderMapping"].is_object());
  std::set<std::string> statuses;
  for (const auto& [provider, entry] : j["inferenceProviderMapping"].items()) {
    statuses.insert(entry["status"].get<std::string>());
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"error", "live", "staging"}));
  EXPECT_EQ(j["gated"], "manual");
}

TEST(HubModelInfo, RevisionIsOneEncodedSegment) {
  const auto main_sha =
      body_json(hub_get("/api/models/ggml-org/gemma-3-1b-it-GGUF?expand=sha"))["sha"];
  auto r = hub_get("/api/models/ggml-org/gemma-3-1b-it-GGUF/revision/refs%2Fpr%2F1?expand=sha");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(body_json(r)["sha"], main_sha);
  auto missing = hub_get("/api/models/ggml-org/gemma-3-1b-it-GGUF/revision/no-such-branch");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Error-Code"), "RevisionNotFound");
}

TEST(HubModelInfo, RevisionHeadMeansTheDefaultBranch) {
  // @huggingface/hub's modelInfo and spaceInfo ask for revision HEAD.
  const auto main_sha = body_json(hub_get("/api/models/openai-community/gpt2?expand=sha"))["sha"];
  EXPECT_EQ(body_json(hub_get("/api/models/openai-community/gpt2/revision/HEAD?expand=sha"))["sha"],
            main_sha);
  auto space =
      hub_get("/api/spaces/hfrun-tester/whisper-broken/revision/HEAD?expand=sdk&expand=runtime");
  ASSERT_EQ(space->status, 200);
  EXPECT_EQ(keys(body_json(space)), (std::vector<std::string>{"_id", "id", "runtime", "sdk"}));
  EXPECT_EQ(body_json(space)["runtime"]["stage"], "RUNTIME_ERROR");
}

TEST(HubModelInfo, RenamedRepoRedirectsToTheNewId) {
  auto r = hub_get("/api/models/gpt2?expand=sha");
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"), "/api/models/openai-community/gpt2?expand=sha");
  auto f = hub_get("/gpt2/resolve/main/config.json");
  EXPECT_EQ(f->status, 307);
  EXPECT_EQ(f->get_header_value("Location"), "/openai-community/gpt2/resolve/main/config.json");
}

TEST(HubModelInfo, DisabledRepoSaysSoAndRefusesFiles) {
  EXPECT_EQ(
      body_json(hub_get("/api/models/hfrun-emulator/disabled-model?expand=disabled"))["disabled"],
      true);
  auto r = hub_get("/hfrun-emulator/disabled-model/resolve/main/README.md");
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->get_header_value("X-Error-Message"), "Access to this resource is disabled.");
}

TEST(HubAuth, PrivateOrMissingRepoIs401WithoutTokenAnd404WithOne) {
  for (const char* id :
       {"hfrun-tester/private-model", "someone-else/secret-model", "nobody/no-such-model"}) {
    auto anon = hub_get(std::string("/api/models/") + id);
    EXPECT_EQ(anon->status, 401) << id;
    EXPECT_EQ(anon->get_header_value("X-Error-Code"), "RepoNotFound") << id;
    EXPECT_EQ(body_json(anon)["error"], "Repository not found");
  }
  EXPECT_EQ(hub_get("/api/models/someone-else/secret-model", auth())->status, 404);
  EXPECT_EQ(hub_get("/api/models/nobody/no-such-model", auth())->get_header_value("X-Error-Code"),
            "RepoNotFound");
  // The owner and members of the owning org see their private repos.
  EXPECT_EQ(hub_get("/api/models/hfrun-tester/private-model", auth())->status, 200);
  EXPECT_EQ(hub_get("/api/models/hfrun-org/internal-classifier", auth())->status, 200);
  EXPECT_EQ(hub_get("/api/models/hfrun-tester/private-model", auth(k_other_token))->status, 404);
}

TEST(HubAuth, InvalidTokenIs401Everywhere) {
  for (const char* path : {"/api/models/openai-community/gpt2", "/api/whoami-v2",
                           "/openai-community/gpt2/resolve/main/config.json"}) {
    auto r = hub_get(path, auth("hf_wrong"));
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(body_json(r)["error"], "Invalid username or password.") << path;
  }
}

TEST(HubAuth, WhoamiNeedsAToken) {
  auto r = hub_get("/api/whoami-v2", auth());
  ASSERT_EQ(r->status, 200);
  const auto j = body_json(r);
  EXPECT_EQ(j["type"], "user");
  EXPECT_EQ(j["name"], "hfrun-tester");
  EXPECT_EQ(j["orgs"][0]["name"], "hfrun-org");
  EXPECT_EQ(j["auth"]["type"], "access_token");
  EXPECT_EQ(j["auth"]["accessToken"]["role"], "read");
  EXPECT_EQ(hub_get("/api/whoami-v2")->status, 401);
}

TEST(HubAuth, GatedFilesNeedATokenWithAcceptedTerms) {
  auto anon = hub_get("/meta-llama/Llama-3.1-8B-Instruct/resolve/main/config.json");
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(anon->get_header_value("X-Error-Code"), "GatedRepo");
  auto not_accepted = hub_get("/meta-llama/Llama-3.1-8B-Instruct/resolve/main/config.json", auth());
  EXPECT_EQ(not_accepted->status, 403);
  EXPECT_EQ(not_accepted->get_header_value("X-Error-Code"), "GatedRepo");
  EXPECT_NE(not_accepted->get_header_value("X-Error-Message").find("not in the authorized list"),
            std::string::npos);
  EXPECT_EQ(hub_get("/black-forest-labs/FLUX.1-dev/resolve/main/model_index.json", auth())->status,
            200);
  // The model page itself stays public.
  EXPECT_EQ(hub_get("/api/models/meta-llama/Llama-3.1-8B-Instruct")->status, 200);
}

TEST(HubTree, PaginationWalksEveryPageOnce) {
  std::string url = g_emu->hub + "/api/models/hfrun-emulator/many-files/tree/main?recursive=true";
  std::set<std::string> seen;
  int pages = 0;
  while (!url.empty()) {
    auto [origin, path] = split_url(url);
    auto r = get(origin, path);
    ASSERT_EQ(r->status, 200) << path << " " << r->body;
    const auto page = body_json(r);
    EXPECT_LE(page.size(), 100U);
    for (const auto& e : page) {
      EXPECT_TRUE(seen.insert(e["path"].get<std::string>()).second) << "twice: " << e["path"];
    }
    ++pages;
    url.clear();
    const auto link = r->get_header_value("Link");
    if (!link.empty()) {
      ASSERT_NE(link.find("rel=\"next\""), std::string::npos) << link;
      url = link.substr(1, link.find('>') - 1);
    }
  }
  EXPECT_EQ(seen.size(), 1003U); // README.md, config.json, data/, 1000 files
  EXPECT_EQ(pages, 11);
  EXPECT_TRUE(seen.contains("data/part-0999.txt"));
}

TEST(HubTree, EntriesCarryGitAndLfsIds) {
  auto r = hub_get("/api/models/ggml-org/gemma-3-1b-it-GGUF/tree/main");
  const auto j = body_json(r);
  bool found_lfs = false;
  for (const auto& e : j) {
    if (e["path"] == "gemma-3-1b-it-Q4_K_M.gguf") {
      found_lfs = true;
      EXPECT_EQ(e["type"], "file");
      EXPECT_EQ(e["size"], 8 << 20);
      EXPECT_EQ(e["lfs"]["size"], 8 << 20);
      EXPECT_EQ(e["lfs"]["oid"].get<std::string>().size(), 64U);
      EXPECT_EQ(e["oid"].get<std::string>().size(), 40U);
    }
  }
  EXPECT_TRUE(found_lfs);
}

TEST(HubTree, ExpandedFileEntriesCarryEveryScanHuggingfaceHubReads) {
  // huggingface_hub's RepoFile reads securityFileStatus["status"], ["avScan"] and
  // ["pickleImportScan"].
  auto r = hub_get(
      "/api/models/stabilityai/stable-diffusion-xl-base-1.0/tree/main?recursive=true&expand=true");
  ASSERT_EQ(r->status, 200);
  int files = 0;
  for (const auto& e : body_json(r)) {
    if (e["type"] == "directory") {
      EXPECT_FALSE(e.contains("securityFileStatus")) << e["path"];
      continue;
    }
    ++files;
    const auto& security = e["securityFileStatus"];
    EXPECT_EQ(security["status"], "safe") << e["path"];
    EXPECT_EQ(security["avScan"]["status"], "safe") << e["path"];
    EXPECT_EQ(security["pickleImportScan"]["status"], "unscanned") << e["path"];
  }
  EXPECT_GT(files, 1);
  // paths-info with expand answers the same entries.
  httplib::Client hub(g_emu->hub);
  auto info = hub.Post("/api/models/openai-community/gpt2/paths-info/main",
                       R"({"paths": ["config.json"], "expand": true})", "application/json");
  ASSERT_EQ(info->status, 200);
  EXPECT_EQ(body_json(info)[0]["securityFileStatus"]["avScan"]["status"], "safe");
  EXPECT_EQ(body_json(info)[0]["securityFileStatus"]["pickleImportScan"]["status"], "unscanned");
  // Without expand there is no scan at all.
  EXPECT_FALSE(body_json(hub_get("/api/models/openai-community/gpt2/tree/main"))[0].contains(
      "securityFileStatus"));
}

TEST(Connection, KeptAliveRequestsAreAnsweredWithoutNagleDelay) {
  // httplib writes headers and body separately; with Nagle on, every response after the first on a
  // kept-alive connection waited for the client's delayed ACK (~40 ms) before its body left.
  // One socket for all 20 requests, so the reuse is certain.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port_of(g_emu->hub)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  const std::string request =
      "GET /api/models/openai-community/gpt2?expand=sha HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<double> ms;
  std::string pending;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    // Read one whole response: the headers, then Content-Length bytes.
    std::size_t header_end = std::string::npos;
    std::size_t total = 0;
    char buf[4096];
    while (header_end == std::string::npos || pending.size() < total) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      ASSERT_GT(n, 0) << "the emulator closed the kept-alive connection after " << i
                      << " responses";
      pending.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos &&
          (header_end = pending.find("\r\n\r\n")) != std::string::npos) {
        const auto at = pending.find("Content-Length: ");
        ASSERT_LT(at, header_end);
        total = header_end + 4 + std::stoul(pending.substr(at + 16));
      }
    }
    ASSERT_TRUE(pending.starts_with("HTTP/1.1 200")) << pending.substr(0, 100);
    pending.erase(0, total);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  ::close(fd);
  std::sort(ms.begin(), ms.end());
  EXPECT_LT(ms[ms.size() / 2], 20.0) << "median of 20 kept-alive requests, ms";
}

TEST(HubFiles, SmallFileEtagIsTheGitBlobSha1) {
  auto r = hub_get("/openai-community/gpt2/resolve/main/config.json");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(unquote(r->get_header_value("ETag")), emulator::git_blob_sha1(r->body));
  EXPECT_EQ(r->get_header_value("X-Repo-Commit"),
            body_json(hub_get("/api/models/openai-community/gpt2?expand=sha"))["sha"]);
  EXPECT_EQ(r->get_header_value("Content-Length"), std::to_string(r->body.size()));
  auto range = hub_get("/openai-community/gpt2/resolve/main/config.json", {{"Range", "bytes=0-0"}});
  EXPECT_EQ(range->status, 206);
  EXPECT_EQ(range->get_header_value("Content-Range"),
            "bytes 0-0/" + std::to_string(r->body.size()));
}

TEST(HubFiles, MissingFileIs404WithTheCommit) {
  auto r = hub_get("/openai-community/gpt2/resolve/main/no-such-file.bin");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->get_header_value("X-Error-Code"), "EntryNotFound");
  EXPECT_EQ(r->get_header_value("X-Repo-Commit").size(), 40U);
}

TEST(HubFiles, LfsFileRedirectsToTheCdnWithItsSha256) {
  httplib::Client hub(g_emu->hub);
  auto head =
      hub.Head("/ggml-org/gemma-3-1b-it-GGUF/resolve/main/gemma-3-1b-it-Q4_K_M.gguf", auth());
  ASSERT_EQ(head->status, 302);
  const auto location = head->get_header_value("Location");
  ASSERT_TRUE(location.starts_with(g_emu->cdn + "/repos/")) << location;
  EXPECT_EQ(head->get_header_value("X-Linked-Size"), std::to_string(8 << 20));
  const auto sha = unquote(head->get_header_value("X-Linked-Etag"));
  auto [origin, path] = split_url(location);
  auto whole = get(origin, path);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(emulator::sha256_hex(whole->body), sha);
  auto part = get(origin, path, {{"Range", "bytes=1000-1999"}});
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 1000-1999/" + std::to_string(8 << 20));
  EXPECT_EQ(part->body, whole->body.substr(1000, 1000));
  // An end past the size is clamped, as S3/CloudFront do.
  auto tail =
      get(origin, path, {{"Range", "bytes=" + std::to_string((8 << 20) - 10) + "-99999999999"}});
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, whole->body.substr((8 << 20) - 10));
  auto beyond = get(origin, path, {{"Range", "bytes=" + std::to_string(8 << 20) + "-"}});
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */" + std::to_string(8 << 20));
  // A tampered signature is refused.
  auto forged = get(origin, path.substr(0, path.find("Signature=") + 10) + "0000");
  EXPECT_EQ(forged->status, 403);
}

TEST(HubFiles, GeneratedMultiGigabyteFileMatchesItsGeneratorAtAnyOffset) {
  httplib::Client hub(g_emu->hub);
  auto head = hub.Head("/hfrun-emulator/large-file/resolve/main/blob.bin");
  ASSERT_EQ(head->status, 302);
  const std::uint64_t size = 3ULL << 30U;
  EXPECT_EQ(head->get_header_value("X-Linked-Size"), std::to_string(size));
  auto [origin, path] = split_url(head->get_header_value("Location"));
  const std::uint64_t seed = emulator::fnv1a64("hfrun-emulator/large-file/blob.bin");
  for (const std::uint64_t offset :
       {std::uint64_t{0}, std::uint64_t{12345}, size / 2 + 3, size - 4096}) {
    auto r =
        get(origin, path,
            {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + 4095)}});
    ASSERT_EQ(r->status, 206);
    std::string expected(4096, '\0');
    emulator::generate_bytes(seed, offset, expected.data(), expected.size());
    EXPECT_EQ(r->body, expected) << "at " << offset;
  }
}

TEST(HubSpaces, RuntimeReportsEachStage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hf-audio/whisper-large-v3", "RUNNING"},
      {"hfrun-tester/whisper-sleepy", "SLEEPING"},
      {"hfrun-tester/whisper-building", "BUILDING"},
      {"hfrun-tester/whisper-broken", "RUNTIME_ERROR"},
      {"hfrun-org/whisper-paused", "PAUSED"}};
  for (const auto& [id, stage] : cases) {
    auto r = hub_get("/api/spaces/" + id + "/runtime");
    ASSERT_EQ(r->status, 200) << id;
    const auto j = body_json(r);
    EXPECT_EQ(j["stage"], stage);
    EXPECT_TRUE(j["hardware"].contains("requested"));
  }
  const auto spaces =
      body_json(hub_get("/api/models/openai/whisper-large-v3?expand=spaces"))["spaces"];
  EXPECT_EQ(spaces.size(), 5U);
  EXPECT_EQ(hub_get("/api/spaces/nobody/nothing/runtime")->status, 401);
}

TEST(Faults, HeaderStatusWithRetryAfterThenSuccess) {
  const httplib::Headers fault = {{"X-Emulator-Fault", "status=429;retry_after=2;times=1"}};
  auto first = hub_get("/api/models/openai-community/gpt2?expand=sha", fault);
  EXPECT_EQ(first->status, 429);
  EXPECT_EQ(first->get_header_value("Retry-After"), "2");
  EXPECT_FALSE(first->get_header_value("RateLimit").empty());
  auto second = hub_get("/api/models/openai-community/gpt2?expand=sha", fault);
  EXPECT_EQ(second->status, 200);
}

TEST(Faults, ControlEndpointRuleAppliesTimesThenStops) {
  httplib::Client hub(g_emu->hub);
  auto posted = hub.Post(
      "/_emulator/faults",
      R"({"path_prefix": "/api/models/google-bert", "fault": "html_error=502", "times": 1})",
      "application/json");
  ASSERT_EQ(posted->status, 200);
  auto first = hub_get("/api/models/google-bert/bert-base-uncased");
  EXPECT_EQ(first->status, 502);
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/html");
  EXPECT_EQ(hub_get("/api/models/google-bert/bert-base-uncased")->status, 200);
  EXPECT_EQ(hub.Post("/_emulator/faults", R"({"fault": "bogus=1"})", "application/json")->status,
            400);
}

TEST(Faults, ResetAfterBytesCutsTheDownload) {
  const auto path = "/openai-community/gpt2/resolve/main/vocab.json";
  auto r = hub_get(path, {{"X-Emulator-Fault", "reset_after=1000"}});
  // Either the client reports the broken transfer or it got fewer bytes than announced.
  if (r) {
    EXPECT_LT(r->body.size(), 1042301U);
  }
  auto truncated = hub_get(path, {{"X-Emulator-Fault", "truncate_after=500"}});
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->body.size(), 500U);
  EXPECT_EQ(hub_get(path)->body.size(), 1042301U);
}

TEST(Faults, InvalidJsonAndRedirectLoop) {
  auto bad = hub_get("/api/whoami-v2", {{"X-Emulator-Fault", "invalid_json"},
                                        {"Authorization", "Bearer hf_emulator_user_token"}});
  EXPECT_EQ(bad->status, 200);
  EXPECT_TRUE(json::parse(bad->body, nullptr, false).is_discarded());
  auto loop = hub_get("/api/models/openai-community/gpt2", {{"X-Emulator-Fault", "redirect_loop"}});
  EXPECT_EQ(loop->status, 302);
  EXPECT_EQ(loop->get_header_value("Location"), "/api/models/openai-community/gpt2");
  auto away = hub_get("/api/models/openai-community/gpt2?x=1",
                      {{"X-Emulator-Fault", "redirect_to=" + g_emu->cdn}});
  EXPECT_EQ(away->status, 307);
  EXPECT_EQ(away->get_header_value("Location"),
            g_emu->cdn + "/api/models/openai-community/gpt2?x=1");
  EXPECT_EQ(hub_get("/api/whoami-v2", {{"X-Emulator-Fault", "redirect_to=ftp://x"}})->status, 400);
}

TEST(Faults, BodyOverTheLimitIs413) {
  httplib::Client hub(g_emu->hub);
  const std::string big(100000, 'x');
  auto r = hub.Post("/api/models/openai-community/gpt2/paths-info/main", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  auto ok = hub.Post("/api/models/openai-community/gpt2/paths-info/main",
                     R"({"paths": ["config.json", "nope"]})", "application/json");
  ASSERT_EQ(ok->status, 200);
  EXPECT_EQ(body_json(ok).size(), 1U);
}

TEST(Faults, EveryAppliedFaultIsNamedInTheHeaderAndTheLog) {
  // Each of these replaces the whole response; the name must survive that.
  const std::vector<std::pair<std::string, int>> cases = {{"status=503", 503},
                                                          {"invalid_json", 200},
                                                          {"html_error=504", 504},
                                                          {"redirect_loop", 302},
                                                          {"status=429;retry_after=1", 429}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [spec, status] = cases[i];
    const std::string path = "/api/models/openai-community/gpt2";
    const std::string query = "expand=sha&case=" + std::to_string(i);
    auto r = hub_get(path + "?" + query, {{"X-Emulator-Fault", spec}});
    ASSERT_TRUE(r) << spec;
    EXPECT_EQ(r->status, status) << spec;
    EXPECT_EQ(r->get_header_value("X-Emulator-Fault-Applied"), spec);
    std::vector<std::string> faults;
    for (const auto& e : logged(path)) {
      if (e.value("query", "") == query) {
        faults.push_back(e.value("fault", ""));
      }
    }
    EXPECT_EQ(faults, std::vector<std::string>{spec});
  }
}

// Seconds since the epoch of an IMF-fixdate ("Tue, 01 Dec 2026 19:27:55 GMT"), or -1.
long long parse_http_date(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return end != nullptr && *end == '\0' ? static_cast<long long>(::timegm(&tm)) : -1;
}

TEST(Faults, RetryAfterCanBeAnHttpDate) {
  const auto now = static_cast<long long>(std::time(nullptr));
  auto r = hub_get("/api/models/openai-community/gpt2",
                   {{"X-Emulator-Fault", "status=503;retry_after=date:30"}});
  ASSERT_EQ(r->status, 503);
  const auto when = parse_http_date(r->get_header_value("Retry-After"));
  ASSERT_GT(when, 0) << r->get_header_value("Retry-After");
  // now + 30 s, give or take the second boundaries of the two clocks.
  EXPECT_GE(when, now + 29);
  EXPECT_LE(when, now + 31);
  // A 429 still says how many seconds in RateLimit.
  auto limited = hub_get("/api/models/openai-community/gpt2",
                         {{"X-Emulator-Fault", "status=429;retry_after=date:7"}});
  EXPECT_GT(parse_http_date(limited->get_header_value("Retry-After")), 0);
  EXPECT_EQ(limited->get_header_value("RateLimit"), "\"api\";r=0;t=7");
  EXPECT_EQ(
      hub_get("/api/models/openai-community/gpt2", {{"X-Emulator-Fault", "retry_after=date:soon"}})
          ->status,
      400);
}

TEST(Control, ResetWithoutABodyClearsRulesAndLog) {
  httplib::Client hub(g_emu->hub);
  ASSERT_EQ(hub.Post("/_emulator/faults",
                     R"({"path_prefix": "/api/spaces/nobody", "fault": "status=500"})",
                     "application/json")
                ->status,
            200);
  ASSERT_FALSE(body_json(hub.Get("/_emulator/faults"))["rules"].empty());
  // What `curl -X POST URL` sends: no Content-Length, no body.
  const auto answer =
      raw_exchange(g_emu->router, "POST /_emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Connection: close\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find(R"({"ok":true})"), std::string::npos) << answer;
  EXPECT_TRUE(body_json(hub.Get("/_emulator/faults"))["rules"].empty());
  EXPECT_EQ(get(g_emu->hub, "/_emulator/log")->body, "");
  // With an empty JSON body it is the same.
  EXPECT_EQ(hub.Post("/_emulator/reset", "", "application/json")->status, 200);
}

TEST(RequestLog, TokensNeverReachTheLogAndTheCdnGetsNoAuthorization) {
  httplib::Client hub(g_emu->hub);
  auto head = hub.Head("/openai-community/gpt2/resolve/main/model.safetensors", auth());
  ASSERT_EQ(head->status, 302);
  auto [origin, path] = split_url(head->get_header_value("Location"));
  ASSERT_EQ(get(origin, path, {{"Range", "bytes=0-9"}})->status, 206);
  auto log = hub_get("/_emulator/log");
  ASSERT_EQ(log->status, 200);
  EXPECT_EQ(log->body.find(k_token), std::string::npos);
  bool saw_marker = false;
  bool saw_cdn = false;
  std::istringstream lines(log->body);
  std::string line;
  while (std::getline(lines, line)) {
    const auto e = json::parse(line);
    if (e["role"] == "cdn") {
      saw_cdn = true;
      EXPECT_FALSE(e["headers"].contains("authorization"));
    }
    if (e["headers"].value("authorization", "") == "<present>") {
      saw_marker = true;
    }
    EXPECT_EQ(e["body_sha256"].get<std::string>().size(), 64U);
  }
  EXPECT_TRUE(saw_marker);
  EXPECT_TRUE(saw_cdn);
  // The --log file has the same lines.
  std::ifstream file(g_emu->process->log_path());
  std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content.find(k_token), std::string::npos);
  EXPECT_NE(content.find("\"role\":\"cdn\""), std::string::npos);
}

// A token anywhere but the credential headers is named in `token_in` (the suite's secret scan,
// tests/e2e/secrets_scan.py, fails on it); in Authorization it is not.
TEST(RequestLog, NamesWhereATokenArrivedOutsideTheCredentialHeaders) {
  httplib::Client hub(g_emu->hub);
  ASSERT_EQ(hub.Post("/_emulator/reset", "", "application/json")->status, 200);
  const std::string token = k_token;
  hub_get("/api/whoami-v2", auth());
  hub.Get("/api/models/openai-community/gpt2?token=" + token);
  hub.Get("/api/models/openai-community/gpt2", {{"X-Debug", "Bearer " + token}});
  hub.Post("/api/models/openai-community/gpt2", R"({"t": ")" + token + "\"}", "application/json");
  const auto log = hub_get("/_emulator/log");
  ASSERT_EQ(log->status, 200);
  EXPECT_EQ(log->body.find(k_token), std::string::npos);
  std::vector<json> token_in;
  std::istringstream lines(log->body);
  for (std::string line; std::getline(lines, line);) {
    token_in.push_back(json::parse(line)["token_in"]);
  }
  ASSERT_EQ(token_in.size(), 4U) << log->body;
  EXPECT_EQ(token_in[0], json::array());
  EXPECT_EQ(token_in[1], json::array({"url"}));
  EXPECT_EQ(token_in[2], json::array({"header x-debug"}));
  EXPECT_EQ(token_in[3], json::array({"body"}));
}

TEST(RequestLog, EveryResponseHasARequestId) {
  EXPECT_FALSE(
      hub_get("/api/models/openai-community/gpt2")->get_header_value("x-request-id").empty());
  EXPECT_FALSE(hub_get("/nope/nope/resolve/main/x")->get_header_value("x-request-id").empty());
  EXPECT_FALSE(get(g_emu->cdn, "/repos/x")->get_header_value("x-request-id").empty());
}

// The providers of a model as the Hub API lists them (the world file's order: the user's
// preference).
std::vector<std::string> hub_provider_order(const std::string& id) {
  // nlohmann::ordered_json keeps the order the emulator sent.
  const auto j = nlohmann::ordered_json::parse(
      hub_get("/api/models/" + id + "?expand[]=inferenceProviderMapping")->body);
  std::vector<std::string> out;
  for (const auto& [provider, entry] : j["inferenceProviderMapping"].items()) {
    out.push_back(provider);
  }
  return out;
}

std::string chat_provider(const std::string& model) {
  httplib::Client router(g_emu->router);
  router.set_read_timeout(std::chrono::seconds(30));
  auto r = router.Post(
      "/v1/chat/completions", auth(),
      json{{"model", model}, {"messages", {{{"role", "user"}, {"content", "Hi"}}}}}.dump(),
      "application/json");
  if (!r || r->status != 200) {
    return "status " + (r ? std::to_string(r->status) + " " + r->body : std::string("none"));
  }
  return r->get_header_value("x-inference-provider");
}

TEST(RouterProviderOrder, PreferredPicksTheFirstLiveChatProviderInTheWorldsOrder) {
  // The world lists zai-org before novita, and hf-inference before cerebras: not alphabetical.
  ASSERT_EQ(hub_provider_order("zai-org/GLM-4.5"), (std::vector<std::string>{"zai-org", "novita"}));
  EXPECT_EQ(chat_provider("zai-org/GLM-4.5:preferred"), "zai-org");
  ASSERT_EQ(hub_provider_order("meta-llama/Llama-3.1-8B-Instruct").front(), "hf-inference");
  EXPECT_EQ(chat_provider("meta-llama/Llama-3.1-8B-Instruct:preferred"), "hf-inference");
  // An explicit provider still wins over the order.
  EXPECT_EQ(chat_provider("zai-org/GLM-4.5:novita"), "novita");
}

TEST(RouterProviderOrder, HubModelListingGivesTheMappingListInTheWorldsOrder) {
  // Listings carry the mapping as a list; sorted keys would put novita first.
  auto r = hub_get("/api/models?search=GLM-4.5&expand[]=inferenceProviderMapping");
  ASSERT_EQ(r->status, 200);
  const auto list = body_json(r);
  std::vector<std::string> providers;
  for (const auto& m : list) {
    if (m["id"] == "zai-org/GLM-4.5") {
      for (const auto& p : m["inferenceProviderMapping"]) {
        providers.push_back(p["provider"].get<std::string>());
      }
    }
  }
  EXPECT_EQ(providers, (std::vector<std::string>{"zai-org", "novita"}));
}

TEST(RouterProviderOrder, ModelListingFollowsTheWorldsOrder) {
  httplib::Client router(g_emu->router);
  auto r = router.Get("/v1/models/openai/gpt-oss-120b", auth());
  ASSERT_EQ(r->status, 200);
  const auto model = body_json(r);
  std::vector<std::string> listed;
  for (const auto& p : model["providers"]) {
    listed.push_back(p["provider"].get<std::string>());
  }
  // Every mapping of this model is live and conversational, so the lists are equal.
  EXPECT_EQ(listed, hub_provider_order("openai/gpt-oss-120b"));
  EXPECT_EQ(listed.front(), "cerebras");
}

} // namespace
