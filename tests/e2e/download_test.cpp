// `hfrun download` and `hfrun cache` against the emulator: the cache layout official readers
// expect (docs/cache.md), nothing fetched twice, offline mode, errors, verify.
#include "serverless_e2e.hpp"

#include <filesystem>
#include <set>
#include <thread>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;
using serverless::describe;
using serverless::LogWindow;
using serverless::read_bytes;
using serverless::run;
using serverless::with_env;

const std::string k_sdxl = "stabilityai/stable-diffusion-xl-base-1.0";
const std::string k_sdxl_folder = "models--stabilityai--stable-diffusion-xl-base-1.0";
const std::set<std::string> k_sdxl_files{".gitattributes",
                                         "README.md",
                                         "model_index.json",
                                         "unet/config.json",
                                         "unet/diffusion_pytorch_model.fp16.safetensors",
                                         "vae/config.json",
                                         "vae/diffusion_pytorch_model.fp16.safetensors",
                                         "sd_xl_base_1.0.safetensors"};

// The commit the emulator's Hub gives a revision.
std::string commit_of(const std::string& id, const std::string& revision = "main") {
  httplib::Client hub(EmulatorEnvironment::emulator().hub);
  auto res = hub.Get("/api/models/" + id + "/revision/" + revision);
  if (!res || res->status != 200) {
    return {};
  }
  return nlohmann::json::parse(res->body).value("sha", "");
}

// A fresh HF_HOME for one test; the hub cache is <home>/hub.
struct Home {
  fs::path home = serverless::scratch() / "hf-home";
  [[nodiscard]] fs::path hub() const { return home / "hub"; }
  [[nodiscard]] std::map<std::string, std::string>
  env(std::map<std::string, std::string> more = {}) const {
    more.emplace("HF_HOME", home.string());
    return more;
  }
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

std::set<std::string> snapshot_files(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_symlink() || !entry.is_directory()) {
      out.insert(entry.path().lexically_relative(dir).generic_string());
    }
  }
  return out;
}

// Requests for file bytes in a log window: GET /resolve/ on the Hub, anything on the CDN.
std::size_t file_fetches(const LogWindow& window) {
  std::size_t n = 0;
  for (const auto& entry : window.entries(0, "")) {
    const std::string path = entry.value("path", "");
    if (entry.value("role", "") == "cdn" ||
        (entry.value("method", "") == "GET" && path.find("/resolve/") != std::string::npos)) {
      ++n;
    }
  }
  return n;
}

TEST(DownloadE2e, WholeRepoLandsInTheCacheLayout) {
  Home home;
  auto r = run({"download", k_sdxl}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string commit = commit_of(k_sdxl);
  ASSERT_EQ(commit.size(), 40u);
  const fs::path repo = home.hub() / k_sdxl_folder;
  const fs::path snapshot = repo / "snapshots" / commit;
  EXPECT_EQ(trimmed(r.out), snapshot.string());
  EXPECT_EQ(snapshot_files(snapshot), k_sdxl_files);
  // Relative links into blobs/, one more ../ per folder; blobs named by etag.
  EXPECT_EQ(fs::read_symlink(snapshot / "README.md").string().rfind("../../blobs/", 0), 0u);
  EXPECT_EQ(fs::read_symlink(snapshot / "unet/config.json").string().rfind("../../../blobs/", 0),
            0u);
  EXPECT_EQ(fs::file_size(snapshot / "unet/diffusion_pytorch_model.fp16.safetensors"), 10485760u);
  const std::string lfs_blob =
      fs::read_symlink(snapshot / "sd_xl_base_1.0.safetensors").filename().string();
  EXPECT_EQ(lfs_blob.size(), 64u);                                                     // sha256
  EXPECT_EQ(fs::read_symlink(snapshot / "README.md").filename().string().size(), 40u); // sha1
  // The ref is the commit, no newline; the tree cache and CACHEDIR.TAG are there.
  EXPECT_EQ(read_bytes(repo / "refs" / "main"), commit);
  EXPECT_TRUE(fs::is_regular_file(repo / "trees" / (commit + ".json")));
  EXPECT_TRUE(fs::is_regular_file(home.hub() / "CACHEDIR.TAG"));
  EXPECT_TRUE(fs::is_regular_file(home.hub() / ".locks" / k_sdxl_folder / (lfs_blob + ".lock")));
  // No temp file left anywhere.
  for (const auto& entry : fs::directory_iterator(repo / "blobs")) {
    EXPECT_NE(entry.path().extension(), ".incomplete") << entry.path();
  }
  auto verify = run({"cache", "verify", k_sdxl}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
}

TEST(DownloadE2e, IncludeAndExcludeUseFnmatchRules) {
  Home home;
  auto r = run(
      {"download", k_sdxl, "--include", "unet/", "--include", "*.md", "--exclude", "*.safetensors"},
      with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(snapshot_files(trimmed(r.out)),
            (std::set<std::string>{"README.md", "unet/config.json"}));
}

TEST(DownloadE2e, NamedFilePrintsItsPath) {
  Home home;
  auto r = run({"download", k_sdxl, "vae/config.json"}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const fs::path printed = trimmed(r.out);
  EXPECT_EQ(printed.filename(), "config.json");
  EXPECT_NE(read_bytes(printed).find("AutoencoderKL"), std::string::npos);
}

TEST(DownloadE2e, RevisionIsResolvedAndItsRefWritten) {
  Home home;
  const std::string id = "ggml-org/gemma-3-1b-it-GGUF";
  const std::string pr_commit = commit_of(id, "refs%2Fpr%2F1");
  ASSERT_EQ(pr_commit.size(), 40u);
  ASSERT_NE(pr_commit, commit_of(id));
  auto r =
      run({"download", id, "--revision", "refs/pr/1", "--include", "*.md"}, with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const fs::path repo = home.hub() / "models--ggml-org--gemma-3-1b-it-GGUF";
  EXPECT_EQ(trimmed(r.out), (repo / "snapshots" / pr_commit).string());
  EXPECT_EQ(read_bytes(repo / "refs" / "refs" / "pr" / "1"), pr_commit);
  EXPECT_FALSE(fs::exists(repo / "refs" / "main"));
}

TEST(DownloadE2e, RerunFetchesNothingAndForceFetchesAgain) {
  Home home;
  auto first = run({"download", k_sdxl}, with_env(home.env()));
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  LogWindow again;
  auto second = run({"download", k_sdxl}, with_env(home.env()));
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  EXPECT_EQ(second.out, first.out);
  // The listing calls only: the tree's etags say everything is there.
  // (The log has every exchange once hfrun has its answer; this also shows the window sees them.)
  ASSERT_GE(again.entries(2, "hub").size(), 2u);
  EXPECT_EQ(file_fetches(again), 0u);
  LogWindow forced;
  auto third = run({"download", k_sdxl, "--force"}, with_env(home.env()));
  ASSERT_EQ(third.exit_code, 0) << describe(third);
  EXPECT_GE(file_fetches(forced), k_sdxl_files.size());
}

TEST(DownloadE2e, MissingFileIsExitFourNamingItAndMarked) {
  Home home;
  auto r = run({"download", k_sdxl, "nope.txt"}, with_env(home.env()));
  EXPECT_EQ(r.exit_code, 4) << describe(r);
  EXPECT_NE(r.err.find("nope.txt"), std::string::npos) << r.err;
  const std::string commit = commit_of(k_sdxl);
  EXPECT_TRUE(fs::is_regular_file(home.hub() / k_sdxl_folder / ".no_exist" / commit / "nope.txt"));
}

TEST(DownloadE2e, MissingRepoAndRevisionAreExitFour) {
  Home home;
  auto repo = run({"download", "nobody/no-such-model"}, with_env(home.env()));
  EXPECT_EQ(repo.exit_code, 4) << describe(repo);
  EXPECT_NE(repo.err.find("nobody/no-such-model"), std::string::npos) << repo.err;
  auto revision = run({"download", k_sdxl, "--revision", "no-such-branch"}, with_env(home.env()));
  EXPECT_EQ(revision.exit_code, 4) << describe(revision);
  EXPECT_NE(revision.err.find("revision no-such-branch"), std::string::npos) << revision.err;
}

TEST(DownloadE2e, GatedRepoIsExitThreeWithThePageToAccept) {
  Home home;
  auto r =
      run({"download", "meta-llama/Llama-3.1-8B-Instruct", "config.json"}, with_env(home.env()));
  EXPECT_EQ(r.exit_code, 3) << describe(r);
  EXPECT_NE(r.err.find(EmulatorEnvironment::emulator().hub + "/meta-llama/Llama-3.1-8B-Instruct"),
            std::string::npos)
      << r.err;
}

TEST(DownloadE2e, TruncatedTransferIsExitNineAndNothingLands) {
  Home home;
  httplib::Client cdn(EmulatorEnvironment::emulator().cdn);
  auto rule =
      cdn.Post("/_emulator/faults",
               R"({"path_prefix": "/repos", "fault": "truncate_after=1000", "role": "cdn"})",
               "application/json");
  ASSERT_TRUE(rule && rule->status == 200) << (rule ? rule->body : "no answer");
  auto r = run({"download", k_sdxl, "vae/diffusion_pytorch_model.fp16.safetensors"},
               with_env(home.env()));
  (void)cdn.Delete("/_emulator/faults");
  EXPECT_EQ(r.exit_code, 9) << describe(r);
  const fs::path blobs = home.hub() / k_sdxl_folder / "blobs";
  std::size_t entries = 0;
  if (fs::exists(blobs)) {
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(blobs)) {
      ++entries;
    }
  }
  EXPECT_EQ(entries, 0u);
  EXPECT_FALSE(fs::exists(home.hub() / k_sdxl_folder / "refs" / "main"));
}

TEST(DownloadE2e, OfflineResolvesFromTheCacheOnly) {
  Home home;
  auto online = run({"download", k_sdxl, "--include", "*.json"}, with_env(home.env()));
  ASSERT_EQ(online.exit_code, 0) << describe(online);
  LogWindow window;
  auto offline = run({"download", k_sdxl, "--include", "*.json"},
                     with_env(home.env({{"HF_HUB_OFFLINE", "1"}})));
  EXPECT_EQ(offline.exit_code, 0) << describe(offline);
  EXPECT_EQ(offline.out, online.out);
  // Files the cache lacks are listed (the tree cache knows them).
  auto missing =
      run({"download", k_sdxl, "--include", "*.md"}, with_env(home.env({{"HF_HUB_OFFLINE", "1"}})));
  EXPECT_EQ(missing.exit_code, 4) << describe(missing);
  EXPECT_NE(missing.err.find("README.md"), std::string::npos) << missing.err;
  auto uncached =
      run({"download", "openai-community/gpt2"}, with_env(home.env({{"HF_HUB_OFFLINE", "1"}})));
  EXPECT_EQ(uncached.exit_code, 4) << describe(uncached);
  EXPECT_NE(uncached.err.find("HF_HUB_OFFLINE"), std::string::npos) << uncached.err;
  // Not one request went out.
  EXPECT_TRUE(window.entries(0, "").empty());
}

TEST(DownloadE2e, LocalDirGetsFilesAndMetadata) {
  Home home;
  const fs::path dir = serverless::scratch() / "local";
  auto r = run({"download", k_sdxl, "--include", "vae/*", "--local-dir", dir.string()},
               with_env(home.env()));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(trimmed(r.out), dir.string());
  EXPECT_TRUE(fs::is_regular_file(dir / "vae/config.json"));
  EXPECT_FALSE(fs::is_symlink(dir / "vae/config.json"));
  const std::string meta = read_bytes(dir / ".cache/huggingface/download/vae/config.json.metadata");
  EXPECT_EQ(meta.substr(0, 41), commit_of(k_sdxl) + "\n");
}

TEST(DownloadE2e, ConcurrentDownloadersShareOneCopyOfEachBlob) {
  Home home;
  std::vector<ProcessResult> results(3);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&result, &home] {
      result = hfrun({"download", k_sdxl}, true, home.env());
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& r : results) {
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out, results[0].out);
  }
  std::size_t blobs = 0;
  for (const auto& entry : fs::directory_iterator(home.hub() / k_sdxl_folder / "blobs")) {
    EXPECT_NE(entry.path().extension(), ".incomplete") << entry.path();
    ++blobs;
  }
  EXPECT_EQ(blobs, k_sdxl_files.size());
  auto verify = run({"cache", "verify", k_sdxl}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
}

TEST(CacheE2e, LsListsTheRepoAndVerifyCatchesACorruptBlob) {
  Home home;
  auto dl = run({"download", k_sdxl, "--include", "*.json"}, with_env(home.env()));
  ASSERT_EQ(dl.exit_code, 0) << describe(dl);
  auto ls = run({"cache", "ls", "--json"}, with_env(home.env()));
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  auto list = nlohmann::json::parse(ls.out, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1) << ls.out;
  EXPECT_EQ(list[0]["id"], "model/" + k_sdxl);
  EXPECT_EQ(list[0]["refs"], nlohmann::json::array({"main"}));
  EXPECT_EQ(list[0]["revisions"][0]["files"], 3);

  const fs::path snapshot = trimmed(dl.out);
  const fs::path blob = fs::canonical(snapshot / "model_index.json");
  std::string bytes = read_bytes(blob);
  bytes[0] = bytes[0] == 'x' ? 'y' : 'x';
  serverless::write_bytes(blob, bytes);
  auto verify = run({"cache", "verify", k_sdxl}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 9) << describe(verify);
  EXPECT_NE(verify.out.find("corrupt  blobs/" + blob.filename().string()), std::string::npos)
      << verify.out;
}

TEST(CacheE2e, RmRevisionKeepsTheRestAndRmRepoTakesTheFolder) {
  Home home;
  const std::string id = "ggml-org/gemma-3-1b-it-GGUF";
  const fs::path repo = home.hub() / "models--ggml-org--gemma-3-1b-it-GGUF";
  auto main = run({"download", id, "--include", "*.md"}, with_env(home.env()));
  ASSERT_EQ(main.exit_code, 0) << describe(main);
  auto pr =
      run({"download", id, "--revision", "refs/pr/1", "--include", "*.md"}, with_env(home.env()));
  ASSERT_EQ(pr.exit_code, 0) << describe(pr);
  const fs::path pr_snapshot = trimmed(pr.out);
  ASSERT_TRUE(fs::is_directory(pr_snapshot));

  auto refused = run({"cache", "rm", id + "@refs/pr/1"}, with_env(home.env()));
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.err.find("pass --yes"), std::string::npos) << refused.err;
  auto dry = run({"--dry-run", "cache", "rm", id + "@refs/pr/1"}, with_env(home.env()));
  EXPECT_EQ(dry.exit_code, 0) << describe(dry);
  EXPECT_NE(dry.out.find("would remove 1 revision"), std::string::npos) << dry.out;
  EXPECT_TRUE(fs::is_directory(pr_snapshot));

  auto rm = run({"cache", "rm", id + "@refs/pr/1", "--yes"}, with_env(home.env()));
  ASSERT_EQ(rm.exit_code, 0) << describe(rm);
  EXPECT_NE(rm.out.find("removed 1 revision"), std::string::npos) << rm.out;
  EXPECT_FALSE(fs::exists(pr_snapshot));
  EXPECT_FALSE(fs::exists(repo / "refs" / "refs" / "pr" / "1"));
  EXPECT_TRUE(fs::is_directory(trimmed(main.out)));
  EXPECT_EQ(read_bytes(repo / "refs" / "main"), commit_of(id));
  auto verify = run({"cache", "verify", id}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);

  auto missing = run({"cache", "rm", id + "@refs/pr/1", "--yes"}, with_env(home.env()));
  EXPECT_EQ(missing.exit_code, 4) << describe(missing);
  EXPECT_NE(missing.err.find(id + "@refs/pr/1"), std::string::npos) << missing.err;

  auto whole = run({"cache", "rm", id, "--yes", "--json"}, with_env(home.env()));
  ASSERT_EQ(whole.exit_code, 0) << describe(whole);
  EXPECT_FALSE(fs::exists(repo));
  const auto removed = nlohmann::json::parse(whole.out, nullptr, false);
  EXPECT_EQ(removed["removed"], true) << whole.out;
  EXPECT_EQ(removed["paths"], nlohmann::json::array({repo.string()}));
  auto gone = run({"cache", "rm", id, "--yes"}, with_env(home.env()));
  EXPECT_EQ(gone.exit_code, 4) << describe(gone);
}

TEST(CacheE2e, PruneRemovesStalePartialsAndOrphanBlobsOnly) {
  Home home;
  auto dl = run({"download", k_sdxl, "--include", "*.json"}, with_env(home.env()));
  ASSERT_EQ(dl.exit_code, 0) << describe(dl);
  const fs::path blobs = home.hub() / k_sdxl_folder / "blobs";
  serverless::write_bytes(blobs / "0000orphan", "nobody links me");
  serverless::write_bytes(blobs / "0000partial.123-4.incomplete", "part");
  auto planned = run({"--dry-run", "--json", "cache", "prune"}, with_env(home.env()));
  ASSERT_EQ(planned.exit_code, 0) << describe(planned);
  const auto plan = nlohmann::json::parse(planned.out, nullptr, false);
  EXPECT_EQ(plan["removed"], false) << planned.out;
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["blobs"], 2);
  EXPECT_EQ(plan["paths"].size(), 2u);
  EXPECT_TRUE(fs::exists(blobs / "0000orphan"));
  auto prune = run({"cache", "prune", "--yes"}, with_env(home.env()));
  ASSERT_EQ(prune.exit_code, 0) << describe(prune);
  EXPECT_NE(prune.out.find("removed 0 revisions, 2 blobs"), std::string::npos) << prune.out;
  EXPECT_FALSE(fs::exists(blobs / "0000orphan"));
  EXPECT_FALSE(fs::exists(blobs / "0000partial.123-4.incomplete"));
  auto verify = run({"cache", "verify", k_sdxl}, with_env(home.env()));
  EXPECT_EQ(verify.exit_code, 0) << describe(verify);
  auto again = run({"cache", "prune", "--yes"}, with_env(home.env()));
  EXPECT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(trimmed(again.out), "nothing to remove");
}

} // namespace
} // namespace hfrun::test
