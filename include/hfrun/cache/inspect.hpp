// Reading the cache: what `hfrun cache ls` lists and what `hfrun cache verify` checks, with the
// rules of huggingface_hub's scan_cache_dir (hub.md §3.3).
#pragma once

#include <cstdint>
#include <filesystem>
#include <hfrun/cache/cache.hpp>
#include <map>
#include <string>
#include <vector>

namespace hfrun::cache {

struct RevisionInfo {
  std::string commit;
  std::vector<std::string> refs; // refs/ names that point at this commit
  std::uint64_t files = 0;
  std::uint64_t size = 0; // bytes of the blobs its files link to
};

struct RepoInfo {
  hub::RepoRef repo;
  fs::path path;
  std::uint64_t size_on_disk = 0; // every blob once
  std::uint64_t blobs = 0;
  std::int64_t last_modified = 0; // unix seconds, newest blob
  std::vector<RevisionInfo> revisions;
};

// Every repo folder under `hub_cache` (skipping .locks, CACHEDIR.TAG and other non-repo names),
// sorted by type then id. A missing cache is an empty list.
[[nodiscard]] std::vector<RepoInfo> scan_cache(const fs::path& hub_cache);
[[nodiscard]] RepoInfo scan_repo(const RepoCache& repo);

struct Problem {
  enum class Kind {
    corrupt,  // a blob whose content does not hash to its name
    dangling, // a snapshot entry whose blob is missing ("Blob missing" for scan_cache_dir)
    bad_ref,  // a ref naming a commit without snapshots/<commit>
    layout,   // anything else scan_cache_dir rejects (no snapshots/, a file directly in it)
  };
  Kind kind;
  std::string path; // relative to the repo folder
  std::string detail;
};

[[nodiscard]] std::string_view problem_name(Problem::Kind kind);

// Re-hashes every blob against its name and checks every snapshot entry and ref. Empty: healthy.
// ErrorKind::not_found when the repo has no folder in the cache.
[[nodiscard]] Result<std::vector<Problem>> verify_repo(const RepoCache& repo);

} // namespace hfrun::cache
