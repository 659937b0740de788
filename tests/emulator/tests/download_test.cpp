// What download clients (hfrun download, @huggingface/hub) are tested and benchmarked against
// (docs/emulator.md, "Faults and shaping" and "The built-in world"): the corrupt_at and
// ignore_range faults, reset_after on a ranged CDN body, the nested-files and one-gib repos, and a
// --bandwidth cap that holds per connection, so parallel ranges add up.
#include "content.hpp"
#include "support/emulator_process.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <map>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using nlohmann::json;

constexpr const char* k_gguf =
    "/ggml-org/gemma-3-1b-it-GGUF/resolve/main/gemma-3-1b-it-Q4_K_M.gguf";
constexpr std::size_t k_gguf_size = 8U << 20U;
constexpr const char* k_nested = "hfrun-emulator/nested-files";
constexpr std::uint64_t k_one_gib = 1ULL << 30U;

std::unique_ptr<hfrun::test::EmulatorProcess> g_emu;

class EmulatorEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    hfrun::test::EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    options.request_log = true;
    auto started = hfrun::test::EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    g_emu = std::move(*started);
  }
  void TearDown() override {
    if (g_emu) {
      EXPECT_EQ(g_emu->stop(), 0) << "the emulator did not stop cleanly";
      g_emu.reset();
    }
  }
};

const auto* const g_env = ::testing::AddGlobalTestEnvironment(new EmulatorEnvironment);

httplib::Result
get(const std::string& base, const std::string& path, const httplib::Headers& headers = {}) {
  httplib::Client client(base);
  client.set_read_timeout(std::chrono::seconds(60));
  client.set_url_encode(false); // paths here are already encoded, as a real client sends them
  return client.Get(path, headers);
}

std::string unquote(std::string s) {
  std::erase(s, '"');
  return s;
}

// The CDN (origin, path?query) an LFS file's resolve redirects to. httplib's client
// percent-decodes header values, so the unsigned content-disposition parameter is dropped rather
// than re-encoded.
std::pair<std::string, std::string> cdn_location(const std::string& hub,
                                                 const std::string& resolve_path) {
  httplib::Client client(hub);
  client.set_url_encode(false);
  auto head = client.Head(resolve_path);
  if (!head || head->status != 302) {
    ADD_FAILURE() << resolve_path << ": no 302 to the CDN";
    return {};
  }
  auto url = head->get_header_value("Location");
  if (const auto d = url.find("response-content-disposition="); d != std::string::npos) {
    url.erase(d, url.find("&Expires=") - d + 1);
  }
  const auto slash = url.find('/', url.find("//") + 2);
  return {url.substr(0, slash), url.substr(slash)};
}

// The offsets at which `a` and `b` (of the same size) differ.
std::vector<std::size_t> differences(const std::string& a, const std::string& b) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      out.push_back(i);
    }
  }
  return out;
}

char flipped(char c) {
  return static_cast<char>(static_cast<unsigned char>(c) ^ 0xFFU);
}

std::vector<json> logged(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(g_emu->log_path());
  for (std::string line; std::getline(in, line);) {
    auto e = json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.value("path", "") == path) {
      out.push_back(std::move(e));
    }
  }
  return out;
}

TEST(DownloadFaults, CorruptAtFlipsExactlyOneByteOfAWholeCdnBody) {
  const auto [cdn, path] = cdn_location(g_emu->info().hub, k_gguf);
  auto clean = get(cdn, path);
  ASSERT_EQ(clean->status, 200);
  ASSERT_EQ(clean->body.size(), k_gguf_size);
  // Past the first of the 256 KiB slices the CDN streams, in the middle of one.
  constexpr std::size_t at = 5000000;
  auto bad = get(cdn, path, {{"X-Emulator-Fault", "corrupt_at=5000000"}});
  ASSERT_EQ(bad->status, 200);
  EXPECT_EQ(bad->get_header_value("X-Emulator-Fault-Applied"), "corrupt_at=5000000");
  ASSERT_EQ(bad->body.size(), k_gguf_size);
  EXPECT_EQ(differences(clean->body, bad->body), std::vector<std::size_t>{at});
  EXPECT_EQ(bad->body[at], flipped(clean->body[at]));
}

TEST(DownloadFaults, CorruptAtCountsFromTheStartOfARangedBody) {
  const auto [cdn, path] = cdn_location(g_emu->info().hub, k_gguf);
  auto clean = get(cdn, path, {{"Range", "bytes=1000000-1999999"}});
  ASSERT_EQ(clean->status, 206);
  auto bad =
      get(cdn, path, {{"Range", "bytes=1000000-1999999"}, {"X-Emulator-Fault", "corrupt_at=10"}});
  ASSERT_EQ(bad->status, 206);
  EXPECT_EQ(bad->get_header_value("Content-Range"), "bytes 1000000-1999999/8388608");
  EXPECT_EQ(bad->get_header_value("X-Emulator-Fault-Applied"), "corrupt_at=10");
  ASSERT_EQ(bad->body.size(), 1000000U);
  EXPECT_EQ(differences(clean->body, bad->body), std::vector<std::size_t>{10});
  EXPECT_EQ(bad->body[10], flipped(clean->body[10]));
}

TEST(DownloadFaults, CorruptAtAppliesToSmallFilesOnTheHubToo) {
  const std::string path = "/hfrun-emulator/nested-files/resolve/main/index/c/x/deep/part-002.idx";
  auto clean = get(g_emu->info().hub, path);
  ASSERT_EQ(clean->status, 200);
  ASSERT_GT(clean->body.size(), 16000U);
  auto bad = get(g_emu->info().hub, path, {{"X-Emulator-Fault", "corrupt_at=0"}});
  ASSERT_EQ(bad->status, 200);
  EXPECT_EQ(differences(clean->body, bad->body), std::vector<std::size_t>{0});
  // The ETag still names the clean bytes: the client's check is what must catch it.
  EXPECT_EQ(unquote(bad->get_header_value("ETag")), emulator::git_blob_sha1(clean->body));
  EXPECT_NE(emulator::git_blob_sha1(bad->body), emulator::git_blob_sha1(clean->body));
}

TEST(DownloadFaults, IgnoreRangeAnswersTheWholeFileWith200) {
  const auto [cdn, path] = cdn_location(g_emu->info().hub, k_gguf);
  auto whole = get(cdn, path);
  ASSERT_EQ(whole->status, 200);
  auto ranged = get(cdn, path, {{"Range", "bytes=100-199"}});
  EXPECT_EQ(ranged->status, 206);
  auto ignored =
      get(cdn, path, {{"Range", "bytes=100-199"}, {"X-Emulator-Fault", "ignore_range;times=1"}});
  ASSERT_EQ(ignored->status, 200);
  EXPECT_FALSE(ignored->has_header("Content-Range"));
  EXPECT_EQ(ignored->get_header_value("Content-Length"), std::to_string(k_gguf_size));
  EXPECT_EQ(ignored->get_header_value("X-Emulator-Fault-Applied"), "ignore_range;times=1");
  EXPECT_TRUE(ignored->body == whole->body);
  // The log shows the Range the client sent, answered 200.
  const auto path_only = path.substr(0, path.find('?'));
  bool seen = false;
  for (const auto& e : logged(path_only)) {
    if (e.value("fault", "") == "ignore_range;times=1") {
      seen = true;
      EXPECT_EQ(e["headers"].value("range", ""), "bytes=100-199");
      EXPECT_EQ(e["status"], 200);
    }
  }
  EXPECT_TRUE(seen);
  // times=1: the retry with the same header gets its range.
  auto again =
      get(cdn, path, {{"Range", "bytes=100-199"}, {"X-Emulator-Fault", "ignore_range;times=1"}});
  EXPECT_EQ(again->status, 206);
  EXPECT_EQ(again->body, whole->body.substr(100, 100));
}

int port_of(const std::string& base) {
  return std::stoi(base.substr(base.rfind(':') + 1));
}

// Sends `request` on a fresh connection and returns everything received until the server closes.
std::string raw_exchange(const std::string& base, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port_of(base)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[65536];
    for (ssize_t n = 0; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

TEST(DownloadFaults, ResetAfterCutsARangedCdnBodyMidTransfer) {
  const auto [cdn, path] = cdn_location(g_emu->info().hub, k_gguf);
  const auto reply = raw_exchange(cdn, "GET " + path +
                                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: "
                                           "bytes=0-999999\r\nX-Emulator-Fault: "
                                           "reset_after=300000\r\nConnection: close\r\n\r\n");
  const auto header_end = reply.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << reply.substr(0, 200);
  const auto head = reply.substr(0, header_end);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 206")) << head;
  // The headers promise the whole range; the connection closes after 300000 body bytes.
  EXPECT_NE(head.find("Content-Length: 1000000"), std::string::npos) << head;
  EXPECT_EQ(reply.size() - header_end - 4, 300000U);
}

// Every entry of a recursive tree listing (one page of up to 1000).
json tree(const std::string& repo, const std::string& revision) {
  auto r = get(g_emu->info().hub,
               "/api/models/" + repo + "/tree/" + revision + "?recursive=true&limit=1000");
  if (!r || r->status != 200) {
    ADD_FAILURE() << "tree of " << repo;
    return json::array();
  }
  EXPECT_FALSE(r->has_header("Link")) << "more than one page";
  return json::parse(r->body, nullptr, false);
}

TEST(NestedFiles, TwoHundredFilesInNestedFoldersLfsAndRegular) {
  int lfs = 0;
  int regular = 0;
  std::vector<std::string> top;
  for (const auto& e : tree(k_nested, "main")) {
    const auto path = e["path"].get<std::string>();
    if (e["type"] != "file") {
      continue;
    }
    if (path == "README.md" || path == "config.json") {
      top.push_back(path);
      continue;
    }
    // At least three folders above each file, e.g. shards/a/x/part-000.bin.
    EXPECT_GE(std::count(path.begin(), path.end(), '/'), 3) << path;
    const auto size = e["size"].get<std::uint64_t>();
    EXPECT_GE(size, 16U << 10U) << path;
    EXPECT_LE(size, 1U << 20U) << path;
    (e.contains("lfs") ? lfs : regular) += 1;
  }
  EXPECT_EQ(top, (std::vector<std::string>{"README.md", "config.json"}));
  EXPECT_EQ(lfs, 134);
  EXPECT_EQ(regular, 66);
}

TEST(NestedFiles, EveryFileServesBytesThatMatchItsTreeIds) {
  // Also checks the sha256 of each LFS file that world/hub.json precomputes.
  const auto& hub = g_emu->info().hub;
  const std::string prefix = std::string("/") + k_nested + "/resolve/main/";
  int files = 0;
  for (const auto& e : tree(k_nested, "main")) {
    if (e["type"] != "file") {
      continue;
    }
    ++files;
    const auto path = e["path"].get<std::string>();
    if (e.contains("lfs")) {
      const auto [cdn, cdn_path] = cdn_location(hub, prefix + path);
      auto r = get(cdn, cdn_path);
      ASSERT_EQ(r->status, 200) << path;
      EXPECT_EQ(r->body.size(), e["size"].get<std::size_t>()) << path;
      EXPECT_EQ(emulator::sha256_hex(r->body), e["lfs"]["oid"]) << path;
    } else {
      auto r = get(hub, prefix + path);
      ASSERT_EQ(r->status, 200) << path;
      EXPECT_EQ(emulator::git_blob_sha1(r->body), e["oid"]) << path;
    }
  }
  EXPECT_EQ(files, 202);
  // The bytes are the generator's, seeded by "<repo>/<path>": the same in every run.
  auto r = get(hub, prefix + "index/c/x/deep/part-002.idx");
  std::string expected(r->body.size(), '\0');
  emulator::generate_bytes(
      emulator::fnv1a64(std::string(k_nested) + "/index/c/x/deep/part-002.idx"), 0, expected.data(),
      expected.size());
  EXPECT_TRUE(r->body == expected);
}

TEST(NestedFiles, RevisionsResolveToTheirOwnCommitAndMissingFilesAre404) {
  const auto& hub = g_emu->info().hub;
  auto refs = get(hub, std::string("/api/models/") + k_nested + "/refs");
  ASSERT_EQ(refs->status, 200);
  const auto j = json::parse(refs->body, nullptr, false);
  std::map<std::string, std::string> commits;
  for (const auto& kind : {"branches", "tags"}) {
    for (const auto& e : j[kind]) {
      commits[e["name"].get<std::string>()] = e["targetCommit"].get<std::string>();
    }
  }
  ASSERT_EQ(commits.size(), 3U); // main, dev, v1.0
  EXPECT_EQ(j["tags"][0]["name"], "v1.0");
  for (const auto& [rev, commit] : commits) {
    auto r = get(hub, std::string("/") + k_nested + "/resolve/" + rev + "/config.json");
    ASSERT_EQ(r->status, 200) << rev;
    EXPECT_EQ(r->get_header_value("X-Repo-Commit"), commit) << rev;
    EXPECT_EQ(commit.size(), 40U);
  }
  EXPECT_NE(commits["v1.0"], commits["main"]);
  EXPECT_NE(commits["dev"], commits["main"]);
  EXPECT_EQ(tree(k_nested, "v1.0").size(), tree(k_nested, "main").size());
  // What a client records under .no_exist/<commit>/: a 404 that names the revision's commit.
  auto missing = get(hub, std::string("/") + k_nested + "/resolve/v1.0/shards/a/x/no-such.bin");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Error-Code"), "EntryNotFound");
  EXPECT_EQ(missing->get_header_value("X-Repo-Commit"), commits["v1.0"]);
}

TEST(OneGib, BlobIsExactlyOneGibAndMatchesItsGenerator) {
  httplib::Client hub(g_emu->info().hub);
  auto head = hub.Head("/hfrun-emulator/one-gib/resolve/main/blob.bin");
  ASSERT_EQ(head->status, 302);
  EXPECT_EQ(head->get_header_value("X-Linked-Size"), std::to_string(k_one_gib));
  // Precomputed in world/hub.json (so nothing hashes 1 GiB at start-up); the slow test
  // emulator_one_gib_download hashes the whole download against it.
  EXPECT_EQ(unquote(head->get_header_value("X-Linked-Etag")),
            "d496a1d7d7963689c731fecfa867f5fcbcf06bf5e8bbe099259856a7b9f6e89f");
  const auto [cdn, path] =
      cdn_location(g_emu->info().hub, "/hfrun-emulator/one-gib/resolve/main/blob.bin");
  auto tail = get(cdn, path, {{"Range", "bytes=-4096"}});
  ASSERT_EQ(tail->status, 206);
  EXPECT_EQ(tail->get_header_value("Content-Range"), "bytes " + std::to_string(k_one_gib - 4096) +
                                                         "-" + std::to_string(k_one_gib - 1) + "/" +
                                                         std::to_string(k_one_gib));
  std::string expected(4096, '\0');
  emulator::generate_bytes(emulator::fnv1a64("hfrun-emulator/one-gib/blob.bin"), k_one_gib - 4096,
                           expected.data(), expected.size());
  EXPECT_TRUE(tail->body == expected);
}

TEST(Bandwidth, TheCapHoldsPerConnectionSoParallelRangesAddUp) {
  // A cap of its own: 4 MB/s per connection, 4 MB per range, so each GET takes about a second.
  constexpr std::uint64_t cap = 4000000;
  constexpr std::uint64_t chunk = 4000000;
  hfrun::test::EmulatorOptions options;
  options.binary = HFRUN_EMULATOR_BIN;
  options.args = {"--bandwidth", std::to_string(cap)};
  auto started = hfrun::test::EmulatorProcess::start(options);
  ASSERT_TRUE(started) << started.error();
  auto& emu = **started;
  const auto [cdn, path] =
      cdn_location(emu.info().hub, "/hfrun-emulator/one-gib/resolve/main/blob.bin");
  const auto range = [&](std::uint64_t index) {
    return httplib::Headers{{"Range", "bytes=" + std::to_string(index * chunk) + "-" +
                                          std::to_string((index + 1) * chunk - 1)}};
  };
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  };

  auto t0 = Clock::now();
  auto one = get(cdn, path, range(0));
  const double single = static_cast<double>(chunk) / seconds(t0);
  ASSERT_EQ(one->status, 206);
  ASSERT_EQ(one->body.size(), chunk);

  constexpr int parallel = 4;
  std::vector<std::size_t> sizes(parallel);
  std::vector<std::thread> threads;
  t0 = Clock::now();
  for (int i = 0; i < parallel; ++i) {
    threads.emplace_back([&, i] {
      auto r = get(cdn, path, range(static_cast<std::uint64_t>(i + 1)));
      sizes[static_cast<std::size_t>(i)] = r && r->status == 206 ? r->body.size() : 0;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double aggregate = static_cast<double>(parallel * chunk) / seconds(t0);
  EXPECT_EQ(sizes, std::vector<std::size_t>(parallel, chunk));
  // One connection is held to the cap (the first 1/20 s slice goes out before any pause)...
  EXPECT_LE(single, 1.1 * static_cast<double>(cap)) << "single connection, bytes/s";
  // ...and four connections get about four times that (margins for a shared, noisy machine).
  EXPECT_GE(aggregate, 2.5 * single) << "4 connections " << aggregate << " B/s vs one " << single;
  EXPECT_EQ(emu.stop(), 0);
}

} // namespace
