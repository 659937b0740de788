// Large files through parallel byte ranges (docs/download.md, "Parallel byte ranges" and
// "Resume"): the split, where the token goes, a kill and the resume that follows, and the CDN's
// faults: a wrong byte, a server ignoring Range, a connection reset mid-part.
#include "serverless_e2e.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;
using serverless::describe;
using serverless::LogWindow;
using serverless::run;
using serverless::with_env;

// 40 MiB + 3 bytes: six parts of 8 MiB, the last one 3 bytes (part_size_for in
// src/cache/ranged_blob.cpp).
const std::string k_repo = "hfrun-emulator/forty-mib";
const std::string k_folder = "models--hfrun-emulator--forty-mib";
const std::string k_file = "weights.bin";
constexpr std::uint64_t k_size = (40u << 20) + 3;
constexpr std::uint64_t k_part = 8u << 20;

struct Home {
  fs::path home = serverless::scratch() / "hf-home";
  [[nodiscard]] fs::path blobs() const { return home / "hub" / k_folder / "blobs"; }
  [[nodiscard]] std::map<std::string, std::string> env() const {
    return {{"HF_HOME", home.string()}};
  }
};

// A fault rule on the CDN for every file request; removed when the test ends.
struct CdnFault {
  explicit CdnFault(const std::string& fault, int times = 0) {
    nlohmann::json rule = {{"path_prefix", "/repos"}, {"fault", fault}, {"role", "cdn"}};
    if (times > 0) {
      rule["times"] = times;
    }
    auto posted = cdn.Post("/_emulator/faults", rule.dump(), "application/json");
    ok = posted && posted->status == 200;
  }
  ~CdnFault() { (void)cdn.Delete("/_emulator/faults"); }
  CdnFault(const CdnFault&) = delete;
  CdnFault& operator=(const CdnFault&) = delete;
  httplib::Client cdn{EmulatorEnvironment::emulator().cdn};
  bool ok = false;
};

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::size_t partial_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& name : names_in(dir)) {
    n += name.ends_with(".incomplete") ? 1 : 0;
  }
  return n;
}

nlohmann::json json_of(const ProcessResult& r) {
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(DownloadRangesE2e, ALargeFileIsSplitAndTheCdnNeverSeesTheToken) {
  Home home;
  LogWindow window;
  auto r = run({"download", k_repo, k_file, "--connections", "4", "--json"}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(json_of(r).value("bytes_downloaded", std::uint64_t{0}), k_size);

  std::set<std::string> ranges;
  const auto cdn = window.entries(7, "cdn");
  for (const auto& entry : cdn) {
    const auto headers = entry.value("headers", nlohmann::json::object());
    EXPECT_FALSE(headers.contains("authorization")) << entry.dump();
    EXPECT_EQ(entry.value("status", 0), 206) << entry.dump();
    ranges.insert(headers.value("range", ""));
  }
  std::set<std::string> expected{"bytes=0-0"}; // the first request: where and how large
  for (std::uint64_t first = 0; first < k_size; first += k_part) {
    expected.insert("bytes=" + std::to_string(first) + "-" +
                    std::to_string(std::min(first + k_part, k_size) - 1));
  }
  EXPECT_EQ(ranges, expected);
  EXPECT_EQ(cdn.size(), expected.size()); // each range once
  // The Hub saw one resolve: the first byte's, which it redirected.
  std::size_t resolves = 0;
  for (const auto& entry : window.entries(1, "hub")) {
    if (entry.value("path", "").find("/resolve/") != std::string::npos) {
      ++resolves;
      EXPECT_EQ(entry.value("status", 0), 302);
      EXPECT_EQ(entry["headers"].value("range", ""), "bytes=0-0");
    }
  }
  EXPECT_EQ(resolves, 1u);
  auto verify = run({"cache", "verify", k_repo}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
}

TEST(DownloadRangesE2e, AKilledDownloadResumesItsFinishedPartsInTheNextRun) {
  Home home;
  auto& e = EmulatorEnvironment::emulator();
  std::optional<CdnFault> slow(std::in_place, "bandwidth=4000000");
  ASSERT_TRUE(slow->ok);
  std::map<std::string, std::string> env = home.env();
  env.emplace("HF_ENDPOINT", e.hub);
  env.emplace("HF_TOKEN", e.token);
  const fs::path log = serverless::scratch() / "killed.log";
  BackgroundProcess first({HFRUN_BIN, "download", k_repo, k_file, "--connections", "2"}, env,
                          log.string());
  // Killed once the journal lists a finished part (its header line and one part line).
  bool part_done = false;
  for (int i = 0; i < 600 && !part_done; ++i) {
    for (const auto& name : names_in(home.blobs())) {
      if (name.ends_with(".parts.incomplete")) {
        std::ifstream journal(home.blobs() / name);
        std::string line;
        int lines = 0;
        while (std::getline(journal, line)) {
          ++lines;
        }
        part_done = lines >= 2;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(part_done) << "no part finished in 30 s";
  EXPECT_EQ(first.signal_and_wait(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(partial_files(home.blobs()), 2u); // the partial file and its journal
  slow.reset();

  auto second = run({"download", k_repo, k_file, "--json"}, with_env(home.env()));
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  const auto j = json_of(second);
  const auto resumed = j.value("bytes_resumed", std::uint64_t{0});
  EXPECT_GE(resumed, k_part);
  EXPECT_EQ(resumed + j.value("bytes_downloaded", std::uint64_t{0}), k_size);
  EXPECT_NE(second.err.find("from an earlier run"), std::string::npos) << second.err;
  EXPECT_EQ(partial_files(home.blobs()), 0u);
  auto verify = run({"cache", "verify", k_repo}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
}

TEST(DownloadRangesE2e, AWrongByteFromTheCdnIsExitNineAndNothingLands) {
  Home home;
  CdnFault corrupt("corrupt_at=100");
  ASSERT_TRUE(corrupt.ok);
  auto r = run({"download", k_repo, k_file}, with_env(home.env()));
  EXPECT_EQ(r.exit_code, 9) << describe(r);
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
  EXPECT_TRUE(names_in(home.blobs()).empty());
  EXPECT_FALSE(fs::exists(home.home / "hub" / k_folder / "refs" / "main"));
}

TEST(DownloadRangesE2e, AServerIgnoringRangeGivesTheFileInOneStream) {
  Home home;
  CdnFault whole("ignore_range");
  ASSERT_TRUE(whole.ok);
  LogWindow window;
  auto r = run({"download", k_repo, k_file}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto cdn = window.entries(1, "cdn");
  ASSERT_EQ(cdn.size(), 1u);
  EXPECT_EQ(cdn[0].value("status", 0), 200);
  auto verify = run({"cache", "verify", k_repo}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
}

TEST(DownloadRangesE2e, AConnectionResetMidPartIsResentAndTheFileLands) {
  Home home;
  CdnFault reset("reset_after=100000", 2);
  ASSERT_TRUE(reset.ok);
  auto r = run({"download", k_repo, k_file, "--json"}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("retrying"), std::string::npos) << r.err;
  auto verify = run({"cache", "verify", k_repo}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
  EXPECT_EQ(partial_files(home.blobs()), 0u);
}

} // namespace
} // namespace hfrun::test
