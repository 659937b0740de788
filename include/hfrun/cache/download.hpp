// `hfrun download`'s engine (docs/download.md): a revision resolved to a commit, the tree listed
// and filtered, the missing files fetched in parallel into the cache (hub.md "Local: cache-write
// algorithm"), the ref written last. Offline, the same answer from the cache alone.
#pragma once

#include <filesystem>
#include <functional>
#include <hfrun/cache/cache.hpp>
#include <hfrun/client/client.hpp>
#include <hfrun/hub/repo_files.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cache {

// huggingface_hub's filter_repo_objects: fnmatch on the whole path (`*` crosses `/`), a pattern
// ending in "/" means "<pattern>*". A path is kept when it matches one include (or there are none)
// and no exclude.
[[nodiscard]] bool fnmatch_path(std::string_view pattern, std::string_view path);
[[nodiscard]] bool keep_path(std::string_view path,
                             const std::vector<std::string>& include,
                             const std::vector<std::string>& exclude);

// What a download has done so far, for a progress display (reported at most ~10 times a second,
// and once more at the end with `final`).
struct FileProgress {
  std::string path;
  std::uint64_t done = 0;
  std::uint64_t size = 0;
};
struct DownloadProgress {
  std::uint64_t bytes_total = 0; // of the blobs fetched this run
  std::uint64_t bytes_done = 0;  // resumed bytes included
  std::size_t files_total = 0;
  std::size_t files_done = 0;
  std::vector<FileProgress> in_flight; // started and not finished, in start order
  bool final = false;
};
using ProgressFn = std::function<void(const DownloadProgress&)>;

// Connections in flight at once, for files and byte ranges together (--connections).
inline constexpr std::size_t k_default_connections = 16;

struct DownloadRequest {
  hub::RepoRef repo;
  std::string revision = "main";
  std::vector<std::string> files; // explicit files; empty: the whole (filtered) tree
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool force = false; // also: an earlier run's partial files are not resumed
  std::optional<fs::path> local_dir;
  std::size_t connections = k_default_connections;
  ProgressFn progress;
};

struct DownloadResult {
  std::string commit;
  fs::path path;           // the snapshot folder, or the local dir
  std::size_t files = 0;   // files selected
  std::size_t fetched = 0; // files downloaded this run
  std::uint64_t bytes_fetched = 0;
  std::uint64_t bytes_resumed = 0; // taken from an earlier run's partial files (and verified)
};

// `note` receives progress lines for stderr (waiting for a lock, what is fetched).
[[nodiscard]] Result<DownloadResult>
download(client::Client& client,
         const fs::path& hub_cache,
         const DownloadRequest& request,
         const std::function<void(std::string_view)>& note = {});

// HF_HUB_OFFLINE: the same answer from the cache only. Missing files are ErrorKind::not_found
// listing them.
[[nodiscard]] Result<DownloadResult> resolve_offline(const fs::path& hub_cache,
                                                     const DownloadRequest& request);

} // namespace hfrun::cache
