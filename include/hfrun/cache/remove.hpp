// Removing from the cache: what `hfrun cache rm` and `hfrun cache prune` delete (docs/cache.md).
// Planning only reads the folder, so --dry-run and the confirmation prompt show exactly what
// applying removes.
#pragma once

#include <cstdint>
#include <hfrun/cache/cache.hpp>
#include <string>
#include <vector>

namespace hfrun::cache {

struct RemovalPlan {
  fs::path root;                    // the repo folder
  bool whole_repo = false;          // the repo folder goes entirely
  std::vector<std::string> commits; // snapshots/<commit> removed
  std::vector<std::string> refs;    // refs/<name> removed (they point at a removed commit)
  std::vector<std::string> blobs;   // blobs/<name> no remaining snapshot links to
  std::uint64_t bytes = 0;          // what the removed blobs (and partial files) occupy
};

// `revisions` are ref names or commits; empty means the whole repo. ErrorKind::not_found names
// the repo when it has no folder, or the first revision that is neither a ref nor a snapshot.
[[nodiscard]] Result<RemovalPlan> plan_removal(const RepoCache& repo,
                                               const std::vector<std::string>& revisions);

// Stale partial downloads (blobs/*.incomplete older than `max_age_s`, or any whose lock file no
// process holds) and blobs no snapshot links to, for every repo under `hub_cache`. `commits`
// and `refs` stay empty.
[[nodiscard]] std::vector<RemovalPlan> plan_prune(const fs::path& hub_cache,
                                                  std::int64_t max_age_s = 3600);

// Deletes what the plan names. A ref left empty of files is not an error.
[[nodiscard]] Result<void> apply_removal(const RemovalPlan& plan);

} // namespace hfrun::cache
