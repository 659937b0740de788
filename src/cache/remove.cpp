#include <algorithm>
#include <ctime>
#include <fcntl.h>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/cache/remove.hpp>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cache {

namespace {

std::uint64_t bytes_of(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// Blob names the snapshots link to, skipping `except`.
std::set<std::string> linked_blobs(const fs::path& root, const std::set<std::string>& except) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator snap(root / "snapshots", ec), end; !ec && snap != end;
       snap.increment(ec)) {
    if (except.contains(snap->path().filename().string())) {
      continue;
    }
    std::error_code ec2;
    for (fs::recursive_directory_iterator it(snap->path(), ec2), e; !ec2 && it != e;
         it.increment(ec2)) {
      if (it->is_symlink(ec2)) {
        out.insert(fs::read_symlink(it->path(), ec2).filename().string());
      }
    }
  }
  return out;
}

bool is_partial(const std::string& name) {
  return name.ends_with(".incomplete");
}

// Whether some process holds the lock of a partial blob "<etag>.<suffix>.incomplete" (the lock
// BlobSink and huggingface_hub take, RepoCache::lock_path). A missing lock file is not held.
bool lock_held(const RepoCache& repo, const std::string& partial_name) {
  const std::string etag = partial_name.substr(0, partial_name.find('.'));
  const int fd = ::open(repo.lock_path(etag).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

// Unlinked blobs (and with `partials`, stale partial files) of one repo.
void add_unlinked_blobs(RemovalPlan& plan,
                        const std::set<std::string>& linked,
                        const RepoCache* partials,
                        std::int64_t max_age_s) {
  std::error_code ec;
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  for (fs::directory_iterator it(plan.root / "blobs", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (linked.contains(name)) {
      continue;
    }
    if (is_partial(name)) {
      if (partials == nullptr) {
        continue;
      }
      struct stat st {};
      const bool old = ::lstat(it->path().c_str(), &st) == 0 && now - st.st_mtime > max_age_s;
      if (!old && lock_held(*partials, name)) {
        continue;
      }
    }
    plan.blobs.push_back(name);
    plan.bytes += bytes_of(it->path());
  }
  std::sort(plan.blobs.begin(), plan.blobs.end());
}

} // namespace

Result<RemovalPlan> plan_removal(const RepoCache& repo, const std::vector<std::string>& revisions) {
  RemovalPlan plan;
  plan.root = repo.root();
  std::error_code ec;
  const std::string name =
      std::string(hub::repo_type_name(repo.repo().type)) + "/" + repo.repo().id;
  if (!fs::is_directory(plan.root, ec)) {
    return fail(ErrorKind::not_found,
                name + " is not in the cache (" + repo.hub_cache().string() + ")");
  }
  const RepoInfo info = scan_repo(repo);
  if (revisions.empty()) {
    plan.whole_repo = true;
    for (const auto& revision : info.revisions) {
      plan.commits.push_back(revision.commit);
      plan.refs.insert(plan.refs.end(), revision.refs.begin(), revision.refs.end());
    }
    for (fs::recursive_directory_iterator it(plan.root / "blobs", ec), end; !ec && it != end;
         it.increment(ec)) {
      if (!it->is_directory(ec)) {
        plan.blobs.push_back(it->path().filename().string());
        plan.bytes += bytes_of(it->path());
      }
    }
    std::sort(plan.blobs.begin(), plan.blobs.end());
    return plan;
  }
  std::set<std::string> commits;
  for (const auto& wanted : revisions) {
    const RevisionInfo* found = nullptr;
    for (const auto& revision : info.revisions) {
      if (revision.commit == wanted ||
          std::find(revision.refs.begin(), revision.refs.end(), wanted) != revision.refs.end()) {
        found = &revision;
      }
    }
    if (found == nullptr) {
      return fail(ErrorKind::not_found,
                  name + "@" + wanted + " is not in the cache (" + plan.root.string() + ")");
    }
    if (commits.insert(found->commit).second) {
      plan.commits.push_back(found->commit);
      plan.refs.insert(plan.refs.end(), found->refs.begin(), found->refs.end());
    }
  }
  add_unlinked_blobs(plan, linked_blobs(plan.root, commits), nullptr, 0);
  return plan;
}

std::vector<RemovalPlan> plan_prune(const fs::path& hub_cache, std::int64_t max_age_s) {
  std::vector<RemovalPlan> out;
  for (const auto& info : scan_cache(hub_cache)) {
    const RepoCache repo(hub_cache, info.repo);
    RemovalPlan plan;
    plan.root = repo.root();
    add_unlinked_blobs(plan, linked_blobs(plan.root, {}), &repo, max_age_s);
    if (!plan.blobs.empty()) {
      out.push_back(std::move(plan));
    }
  }
  return out;
}

Result<void> apply_removal(const RemovalPlan& plan) {
  std::error_code ec;
  const auto remove_all = [&](const fs::path& path) -> Result<void> {
    fs::remove_all(path, ec);
    if (ec) {
      return fail(ErrorKind::output_failed, "cannot remove " + path.string() + ": " + ec.message());
    }
    return {};
  };
  if (plan.whole_repo) {
    return remove_all(plan.root);
  }
  for (const auto& ref : plan.refs) {
    HFRUN_TRY(remove_all(plan.root / "refs" / ref));
  }
  for (const auto& commit : plan.commits) {
    HFRUN_TRY(remove_all(plan.root / "snapshots" / commit));
    // .no_exist markers of a removed commit go with it.
    HFRUN_TRY(remove_all(plan.root / ".no_exist" / commit));
  }
  for (const auto& blob : plan.blobs) {
    HFRUN_TRY(remove_all(plan.root / "blobs" / blob));
  }
  return {};
}

} // namespace hfrun::cache
