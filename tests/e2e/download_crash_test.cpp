// Crash safety of `hfrun download` without node: SIGKILL at 50 moments of a multi-file download
// of the emulator's SDXL repo, then `hfrun cache verify`, huggingface_hub's reader rules and the
// cache on disk are checked against the state the kill left, and a rerun must complete it; blobs
// cut short as a power loss leaves them; 8 concurrent downloaders of overlapping repos in one
// cache. tests/conformance/run_crash.mjs does the same with @huggingface/hub's scanner as well;
// docs/cache.md, "Compatibility, checked", lists the states and what each must answer.
#include "serverless_e2e.hpp"

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;
using serverless::describe;
using serverless::read_bytes;
using serverless::run;
using serverless::with_env;
using json = nlohmann::json;

const std::string k_sdxl = "stabilityai/stable-diffusion-xl-base-1.0";
const std::string k_sdxl_folder = "models--stabilityai--stable-diffusion-xl-base-1.0";
// Bytes per second per response: the 14 MiB file of the repo takes about 2.1 s.
constexpr std::uint64_t k_cap = 7'000'000;
constexpr int k_kills = 50;

struct TreeFile {
  std::string etag;
  std::uint64_t size = 0;
};

struct Repo {
  std::string commit;
  std::map<std::string, TreeFile> files; // path -> etag, size
};

// The commit of main and the tree at it, from the emulator's Hub.
Repo sdxl_at_main() {
  Repo repo;
  httplib::Client hub(EmulatorEnvironment::emulator().hub);
  auto info = hub.Get("/api/models/" + k_sdxl + "/revision/main");
  if (!info || info->status != 200) {
    return repo;
  }
  repo.commit = json::parse(info->body, nullptr, false).value("sha", "");
  auto tree = hub.Get("/api/models/" + k_sdxl + "/tree/" + repo.commit + "?recursive=true");
  if (!tree || tree->status != 200) {
    return repo;
  }
  const auto entries = json::parse(tree->body, nullptr, false);
  if (!entries.is_array()) {
    return repo;
  }
  for (const auto& e : entries) {
    if (e.is_object() && e.value("type", "") == "file") {
      const bool lfs = e.contains("lfs") && e["lfs"].is_object();
      repo.files[e.value("path", "")] = {lfs ? e["lfs"].value("oid", "") : e.value("oid", ""),
                                         e.value("size", std::uint64_t{0})};
    }
  }
  return repo;
}

// Every response body of every role at k_cap bytes/s, until uncap().
void cap() {
  httplib::Client hub(EmulatorEnvironment::emulator().hub);
  ASSERT_TRUE(hub.Delete("/_emulator/faults"));
  const json rule{
      {"path_prefix", "/"}, {"fault", "bandwidth=" + std::to_string(k_cap)}, {"role", "any"}};
  auto r = hub.Post("/_emulator/faults", rule.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 200);
}
void uncap() {
  httplib::Client hub(EmulatorEnvironment::emulator().hub);
  auto r = hub.Delete("/_emulator/faults");
  ASSERT_TRUE(r && r->status == 200);
}

struct Ended {
  bool killed = false; // SIGKILL came first
  int exit_code = -1;  // when it exited on its own
  std::chrono::milliseconds took{0};
};

// `hfrun download SDXL` into `home`, SIGKILLed `after` its start unless it ends before.
Ended download_killed_after(const fs::path& home, std::chrono::milliseconds after) {
  auto& e = EmulatorEnvironment::emulator();
  std::vector<std::string> args{HFRUN_BIN, "download", k_sdxl};
  std::vector<std::string> env{"HF_ENDPOINT=" + e.hub, "HF_TOKEN=" + e.token,
                               "HF_HOME=" + home.string(), "HF_HUB_DISABLE_PROGRESS_BARS=1",
                               "PATH=/usr/bin:/bin"};
  // Built before fork(): the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& v : env) {
    envp.push_back(v.data());
  }
  envp.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  Ended ended;
  if (pid < 0) {
    return ended;
  }
  int status = 0;
  const auto deadline = start + after;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ended.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ended.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  ended.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ended;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::set<std::string> snapshot_entries(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink() || !it->is_directory()) {
      out.insert(it->path().lexically_relative(dir).generic_string());
    }
  }
  return out;
}

enum class State { nothing, blobs_only, linked_no_ref, complete };

const char* name_of(State s) {
  switch (s) {
  case State::nothing:
    return "nothing";
  case State::blobs_only:
    return "blobs only";
  case State::linked_no_ref:
    return "linked, no ref";
  case State::complete:
    return "complete";
  }
  return "?";
}

State state_of(const fs::path& repo_dir) {
  if (!fs::exists(repo_dir)) {
    return State::nothing;
  }
  if (!fs::exists(repo_dir / "snapshots")) {
    return State::blobs_only;
  }
  return fs::exists(repo_dir / "refs") ? State::complete : State::linked_no_ref;
}

// What huggingface_hub's scan_cache_dir (the reader of `hf cache ls`) raises
// CorruptedCacheException for, and what its download path reads without checking
// (shared/protocols/hub.md §3.3; docs/cache.md): the problems it would find in `cache_root`.
std::vector<std::string> python_reader_problems(const fs::path& cache_root) {
  std::vector<std::string> problems;
  std::error_code ec;
  for (fs::directory_iterator repos(cache_root, ec), end; !ec && repos != end;
       repos.increment(ec)) {
    const std::string name = repos->path().filename().string();
    if (name == ".locks" || name == "CACHEDIR.TAG") {
      continue;
    }
    const fs::path repo = repos->path();
    const auto separator = name.find("--");
    const std::string type = separator == std::string::npos ? "" : name.substr(0, separator);
    if (type != "models" && type != "datasets" && type != "spaces") {
      problems.push_back(name + ": not a repo folder name");
      continue;
    }
    if (!fs::is_directory(repo / "snapshots")) {
      problems.push_back(name + ": snapshots/ missing");
      continue;
    }
    std::set<std::string> snapshots;
    for (const auto& snapshot : fs::directory_iterator(repo / "snapshots")) {
      if (!snapshot.is_directory()) {
        problems.push_back(name + ": a file directly in snapshots/");
        continue;
      }
      snapshots.insert(snapshot.path().filename().string());
      for (const auto& entry : fs::recursive_directory_iterator(snapshot.path())) {
        if (entry.is_symlink() && !fs::exists(entry.path())) {
          problems.push_back(name + ": blob missing (broken symlink) " + entry.path().string());
        }
      }
    }
    if (fs::is_directory(repo / "refs")) {
      for (const auto& ref : fs::recursive_directory_iterator(repo / "refs")) {
        if (!ref.is_regular_file()) {
          continue;
        }
        // Read without strip, as huggingface_hub does: a newline would make a missing commit.
        const std::string commit = read_bytes(ref.path());
        if (!snapshots.contains(commit)) {
          problems.push_back(name + ": ref " + ref.path().filename().string() +
                             " refers to a missing commit '" + commit + "'");
        }
      }
    }
    for (const auto& entry : fs::recursive_directory_iterator(repo)) {
      if (entry.path().extension() == ".incomplete" &&
          entry.path().parent_path() != repo / "blobs") {
        problems.push_back(name + ": a partial file outside blobs/: " + entry.path().string());
      }
    }
  }
  return problems;
}

// What every state must hold: verify's answer for that state, no blob or link that is not a tree
// file at its full size, refs/main only when every file is linked.
void check_cache(const fs::path& home, const Repo& repo, State state) {
  SCOPED_TRACE(std::string("state: ") + name_of(state));
  const fs::path repo_dir = home / "hub" / k_sdxl_folder;
  auto verify = run({"cache", "verify", k_sdxl, "--json"}, with_env({{"HF_HOME", home.string()}}));
  if (state == State::nothing) {
    EXPECT_EQ(verify.exit_code, 4) << describe(verify);
  } else if (state == State::blobs_only) {
    ASSERT_EQ(verify.exit_code, 9) << describe(verify);
    EXPECT_EQ(
        json::parse(verify.out, nullptr, false).value("problems", json()),
        json::parse(R"([{"detail":"no snapshots/ folder","kind":"layout","path":"snapshots"}])"));
  } else {
    ASSERT_EQ(verify.exit_code, 0) << describe(verify);
    EXPECT_EQ(json::parse(verify.out, nullptr, false).value("problems", json()), json::array());
  }
  EXPECT_EQ(python_reader_problems(home / "hub"),
            state == State::blobs_only
                ? std::vector<std::string>{k_sdxl_folder + ": snapshots/ missing"}
                : std::vector<std::string>{});
  std::map<std::string, std::uint64_t> size_of_etag;
  for (const auto& [path, file] : repo.files) {
    size_of_etag[file.etag] = file.size;
  }
  for (const auto& blob : names_in(repo_dir / "blobs")) {
    const std::string etag = blob.substr(0, blob.find('.'));
    ASSERT_TRUE(size_of_etag.contains(etag)) << "a blob of no tree file: " << blob;
    if (blob == etag) {
      EXPECT_EQ(fs::file_size(repo_dir / "blobs" / blob), size_of_etag[etag]) << blob;
    }
  }
  EXPECT_EQ(names_in(repo_dir / "snapshots"), state == State::nothing || state == State::blobs_only
                                                  ? std::vector<std::string>{}
                                                  : std::vector<std::string>{repo.commit});
  const fs::path snapshot = repo_dir / "snapshots" / repo.commit;
  const auto linked = snapshot_entries(snapshot);
  for (const auto& entry : linked) {
    auto found = repo.files.find(entry);
    ASSERT_NE(found, repo.files.end()) << "a link of no tree file: " << entry;
    const fs::path target = fs::read_symlink(snapshot / entry);
    EXPECT_EQ(target.filename().string(), found->second.etag) << entry;
    std::error_code ec;
    EXPECT_EQ(fs::file_size(snapshot / entry, ec), found->second.size) << entry;
  }
  if (state == State::complete) {
    EXPECT_EQ(names_in(repo_dir / "refs"), std::vector<std::string>{"main"});
    EXPECT_EQ(read_bytes(repo_dir / "refs/main"), repo.commit);
    EXPECT_EQ(linked.size(), repo.files.size());
  } else {
    EXPECT_FALSE(fs::exists(repo_dir / "refs")) << "a ref before every file landed";
  }
}

// An uncapped rerun completes the repo; `cache prune` then removes exactly the killed run's
// partial files. Returns how many there were.
std::size_t rerun_completes(const fs::path& home, const Repo& repo) {
  const fs::path repo_dir = home / "hub" / k_sdxl_folder;
  uncap();
  auto r = run({"download", k_sdxl}, with_env({{"HF_HOME", home.string()}}));
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, (repo_dir / "snapshots" / repo.commit).string() + "\n");
  EXPECT_EQ(state_of(repo_dir), State::complete);
  check_cache(home, repo, State::complete);
  json leftovers = json::array();
  std::set<std::string> etags;
  for (const auto& [path, file] : repo.files) {
    etags.insert(file.etag);
  }
  for (const auto& blob : names_in(repo_dir / "blobs")) {
    if (!etags.contains(blob)) {
      leftovers.push_back((repo_dir / "blobs" / blob).string());
    }
  }
  auto prune = run({"cache", "prune", "--yes", "--json"}, with_env({{"HF_HOME", home.string()}}));
  EXPECT_EQ(prune.exit_code, 0) << describe(prune);
  EXPECT_EQ(json::parse(prune.out, nullptr, false).value("paths", json()), leftovers);
  EXPECT_EQ(names_in(repo_dir / "blobs"), std::vector<std::string>(etags.begin(), etags.end()));
  check_cache(home, repo, State::complete);
  return leftovers.size();
}

TEST(DownloadCrashE2e, KilledAt50MomentsTheCacheStaysConsistentAndARerunCompletesIt) {
  const Repo repo = sdxl_at_main();
  ASSERT_FALSE(repo.commit.empty());
  ASSERT_EQ(repo.files.size(), 8U);
  const fs::path root = serverless::scratch();

  // The shortest of three uninterrupted capped runs sets the time scale (a loaded machine makes
  // some runs slower; kills past the end of the download would check nothing new).
  std::chrono::milliseconds took = std::chrono::minutes(2);
  for (int i = 0; i < 3; ++i) {
    const fs::path home = root / ("measured-" + std::to_string(i));
    cap();
    const auto measured = download_killed_after(home, std::chrono::minutes(2));
    ASSERT_FALSE(measured.killed);
    ASSERT_EQ(measured.exit_code, 0);
    check_cache(home, repo, State::complete);
    took = std::min(took, measured.took);
  }
  // The emulator shapes only whole bodies, not Range requests (tests/emulator/faults.cpp,
  // apply_fault): a download by byte ranges would be too quick to kill inside.
  ASSERT_GE(took.count(), 1000) << "the capped download took " << took.count() << " ms";

  int killed = 0;
  std::map<std::string, int> states;
  std::size_t leftovers = 0;
  for (int k = 1; k <= k_kills; ++k) {
    const auto at = took * k / k_kills;
    SCOPED_TRACE("SIGKILL at " + std::to_string(100 * k / k_kills) + "% (" +
                 std::to_string(at.count()) + " ms)");
    const fs::path home = root / ("kill-" + std::to_string(k));
    cap();
    const auto ended = download_killed_after(home, at);
    if (ended.killed) {
      ++killed;
    } else {
      EXPECT_EQ(ended.exit_code, 0) << "a run that ended before its kill";
    }
    const State state = state_of(home / "hub" / k_sdxl_folder);
    if (!ended.killed) {
      EXPECT_EQ(state, State::complete);
    }
    ++states[name_of(state)];
    check_cache(home, repo, state);
    leftovers += rerun_completes(home, repo);
  }
  std::cout << killed << " of " << k_kills
            << " runs killed; states after the kills: " << json(states).dump() << "; " << leftovers
            << " .incomplete files pruned\n";
  EXPECT_GE(killed, 38) << "most kills must land inside the download";
}

// The problems `hfrun cache verify REPO --json` reports in `home`, as "kind path" lines.
std::set<std::string>
verify_problems(const fs::path& home, const std::string& repo, int exit_code) {
  auto verify = run({"cache", "verify", repo, "--json"}, with_env({{"HF_HOME", home.string()}}));
  EXPECT_EQ(verify.exit_code, exit_code) << describe(verify);
  std::set<std::string> out;
  const json doc = json::parse(verify.out, nullptr, false);
  if (doc.is_object() && doc.contains("problems") && doc["problems"].is_array()) {
    for (const auto& p : doc["problems"]) {
      out.insert(p.value("kind", "") + " " + p.value("path", ""));
    }
  }
  return out;
}

// A power loss after the rename but before the data reached the disk leaves a blob under its final
// name that is short, empty, or the right size with a tail of zeros. Every reader still accepts the
// cache (none checks sizes); `cache verify` names each damaged file; a rerun fetches again what is
// short, and `--force` what only hashing finds (docs/cache.md, "Crash safety").
TEST(DownloadCrashE2e, BlobsCutShortByAPowerLossAreFoundAndARerunRepairsThem) {
  const Repo repo = sdxl_at_main();
  ASSERT_EQ(repo.files.size(), 8U);
  const fs::path home = serverless::scratch() / "power-loss";
  const fs::path repo_dir = home / "hub" / k_sdxl_folder;
  uncap();
  auto first = run({"download", k_sdxl}, with_env({{"HF_HOME", home.string()}}));
  ASSERT_EQ(first.exit_code, 0) << describe(first);

  // The three largest files: one cut to half, one to nothing, one with its last 4 KiB zeroed.
  std::vector<std::pair<std::string, TreeFile>> by_size(repo.files.begin(), repo.files.end());
  std::sort(by_size.begin(), by_size.end(),
            [](const auto& a, const auto& b) { return a.second.size > b.second.size; });
  const TreeFile& halved_file = by_size[0].second;
  const TreeFile& emptied_file = by_size[1].second;
  const auto& [zeroed, zeroed_file] = by_size[2];
  ASSERT_GT(zeroed_file.size, 4096U);
  fs::resize_file(repo_dir / "blobs" / halved_file.etag, halved_file.size / 2);
  fs::resize_file(repo_dir / "blobs" / emptied_file.etag, 0);
  {
    const int fd = ::open((repo_dir / "blobs" / zeroed_file.etag).c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::string zeros(4096, '\0');
    ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(),
                       static_cast<off_t>(zeroed_file.size - zeros.size())),
              static_cast<ssize_t>(zeros.size()));
    ::close(fd);
  }
  EXPECT_EQ(python_reader_problems(home / "hub"), std::vector<std::string>{})
      << "a reader that does not hash accepts the cache";
  EXPECT_EQ(verify_problems(home, k_sdxl, 9),
            (std::set<std::string>{"corrupt blobs/" + halved_file.etag,
                                   "corrupt blobs/" + emptied_file.etag,
                                   "corrupt blobs/" + zeroed_file.etag}));

  auto rerun = run({"download", k_sdxl}, with_env({{"HF_HOME", home.string()}}));
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  EXPECT_EQ(fs::file_size(repo_dir / "blobs" / halved_file.etag), halved_file.size);
  EXPECT_EQ(fs::file_size(repo_dir / "blobs" / emptied_file.etag), emptied_file.size);
  EXPECT_EQ(verify_problems(home, k_sdxl, 9),
            (std::set<std::string>{"corrupt blobs/" + zeroed_file.etag}))
      << "the right size with wrong bytes is found only by hashing";

  auto forced =
      run({"download", k_sdxl, zeroed, "--force"}, with_env({{"HF_HOME", home.string()}}));
  ASSERT_EQ(forced.exit_code, 0) << describe(forced);
  EXPECT_EQ(verify_problems(home, k_sdxl, 0), std::set<std::string>{});
  check_cache(home, repo, State::complete);
}

// 8 downloaders at once into one cache, of overlapping selections of two repos, all slowed so that
// they overlap: every one exits 0 and prints its path, and the cache holds one blob per file, no
// partial file, and verifies clean (docs/cache.md, "Crash safety").
TEST(DownloadCrashE2e, EightConcurrentDownloadersOfOverlappingReposShareOneCache) {
  const Repo repo = sdxl_at_main();
  ASSERT_EQ(repo.files.size(), 8U);
  const fs::path home = serverless::scratch() / "eight";
  const std::string forty = "hfrun-emulator/forty-mib";
  const std::vector<std::vector<std::string>> downloads = {
      {"download", k_sdxl},
      {"download", k_sdxl},
      {"download", k_sdxl},
      {"download", k_sdxl, "--include", "*.json"},
      {"download", k_sdxl, "--include", "unet/*"},
      {"download", forty},
      {"download", forty},
      {"download", forty, "README.md"},
  };
  cap();
  std::vector<ProcessResult> results(downloads.size());
  {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < downloads.size(); ++i) {
      threads.emplace_back([&, i] {
        results[i] = run(downloads[i], with_env({{"HF_HOME", home.string()}}));
      });
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  uncap();
  for (std::size_t i = 0; i < downloads.size(); ++i) {
    EXPECT_EQ(results[i].exit_code, 0) << i << ": " << describe(results[i]);
  }
  check_cache(home, repo, State::complete);
  EXPECT_EQ(verify_problems(home, k_sdxl, 0), std::set<std::string>{});
  EXPECT_EQ(verify_problems(home, forty, 0), std::set<std::string>{});
  EXPECT_EQ(python_reader_problems(home / "hub"), std::vector<std::string>{});
  std::size_t partial = 0;
  for (const auto& entry : fs::recursive_directory_iterator(home / "hub")) {
    partial += entry.path().extension() == ".incomplete" ? 1 : 0;
  }
  EXPECT_EQ(partial, 0U);
  EXPECT_EQ(names_in(home / "hub" / "models--hfrun-emulator--forty-mib" / "blobs").size(), 2U);
}

} // namespace
} // namespace hfrun::test
