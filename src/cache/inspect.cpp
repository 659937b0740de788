#include <algorithm>
#include <array>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/util/fd.hpp>
#include <set>
#include <sys/stat.h>

namespace hfrun::cache {

namespace {

bool is_incomplete(const fs::path& path) {
  return path.extension() == ".incomplete";
}

std::int64_t mtime_seconds(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return 0;
  }
  return static_cast<std::int64_t>(st.st_mtime);
}

std::map<std::string, std::vector<std::string>> refs_by_commit(const RepoCache& repo) {
  std::map<std::string, std::vector<std::string>> out;
  const fs::path refs = repo.root() / "refs";
  std::error_code ec;
  for (fs::recursive_directory_iterator it(refs, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) {
      continue;
    }
    const std::string name = it->path().lexically_relative(refs).generic_string();
    if (auto commit = repo.read_ref(name)) {
      out[*commit].push_back(name);
    }
  }
  return out;
}

Result<std::string> hash_blob(const fs::path& path, const std::string& etag) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(ErrorKind::not_found, "cannot stat " + path.string());
  }
  BlobHasher hasher(etag, static_cast<std::uint64_t>(st.st_size));
  HFRUN_TRY_ASSIGN(fd, util::open_for_reading(path));
  std::array<char, 1 << 16> buffer{};
  while (true) {
    HFRUN_TRY_ASSIGN(n, util::read_some(fd.get(), buffer.data(), buffer.size(), path));
    if (n == 0) {
      break;
    }
    hasher.update(std::string_view(buffer.data(), n));
  }
  return hasher.mismatch();
}

} // namespace

std::string_view problem_name(Problem::Kind kind) {
  switch (kind) {
  case Problem::Kind::corrupt:
    return "corrupt";
  case Problem::Kind::dangling:
    return "dangling";
  case Problem::Kind::bad_ref:
    return "bad_ref";
  case Problem::Kind::layout:
    break;
  }
  return "layout";
}

RepoInfo scan_repo(const RepoCache& repo) {
  RepoInfo info;
  info.repo = repo.repo();
  info.path = repo.root();
  std::error_code ec;
  for (fs::directory_iterator it(repo.root() / "blobs", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || is_incomplete(it->path())) {
      continue;
    }
    const auto size = it->file_size(ec);
    info.size_on_disk += size;
    ++info.blobs;
    info.last_modified = std::max(info.last_modified, mtime_seconds(it->path()));
  }
  const auto refs = refs_by_commit(repo);
  for (fs::directory_iterator it(repo.root() / "snapshots", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_directory(ec)) {
      continue;
    }
    RevisionInfo revision;
    revision.commit = it->path().filename().string();
    if (auto found = refs.find(revision.commit); found != refs.end()) {
      revision.refs = found->second;
    }
    for (const auto& entry : snapshot_entries(it->path())) {
      std::error_code size_ec;
      const auto size = fs::file_size(it->path() / entry, size_ec); // follows the link
      if (!size_ec) {
        ++revision.files;
        revision.size += size;
      }
    }
    info.revisions.push_back(std::move(revision));
  }
  std::sort(info.revisions.begin(), info.revisions.end(),
            [](const RevisionInfo& a, const RevisionInfo& b) { return a.commit < b.commit; });
  return info;
}

std::vector<RepoInfo> scan_cache(const fs::path& hub_cache) {
  std::vector<RepoInfo> out;
  std::error_code ec;
  for (fs::directory_iterator it(hub_cache, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) {
      continue;
    }
    auto repo = parse_repo_folder(it->path().filename().string());
    if (!repo) {
      continue; // .locks and anything that is not a repo folder
    }
    out.push_back(scan_repo(RepoCache(hub_cache, *repo)));
  }
  std::sort(out.begin(), out.end(), [](const RepoInfo& a, const RepoInfo& b) {
    if (a.repo.type != b.repo.type) {
      return a.repo.type < b.repo.type;
    }
    return a.repo.id < b.repo.id;
  });
  return out;
}

Result<std::vector<Problem>> verify_repo(const RepoCache& repo) {
  std::error_code ec;
  if (!fs::is_directory(repo.root(), ec)) {
    return fail(ErrorKind::not_found, std::string(hub::repo_type_name(repo.repo().type)) + " " +
                                          repo.repo().id + " is not in the cache (" +
                                          repo.root().string() + ")");
  }
  std::vector<Problem> problems;
  // Blobs against their names.
  for (fs::directory_iterator it(repo.root() / "blobs", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || is_incomplete(it->path())) {
      continue;
    }
    const std::string etag = it->path().filename().string();
    auto wrong = hash_blob(it->path(), etag);
    if (!wrong) {
      problems.push_back({Problem::Kind::corrupt, "blobs/" + etag, wrong.error().message});
    } else if (!wrong->empty()) {
      problems.push_back({Problem::Kind::corrupt, "blobs/" + etag, *wrong});
    }
  }
  // Snapshot entries: every link must resolve.
  const fs::path snapshots = repo.root() / "snapshots";
  if (!fs::is_directory(snapshots, ec)) {
    problems.push_back({Problem::Kind::layout, "snapshots", "no snapshots/ folder"});
    return problems;
  }
  std::set<std::string> commits;
  for (fs::directory_iterator it(snapshots, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_directory(ec)) {
      problems.push_back(
          {Problem::Kind::layout, "snapshots/" + name, "a file directly inside snapshots/"});
      continue;
    }
    commits.insert(name);
    const auto entries = snapshot_entries(it->path());
    for (const auto& entry : entries) {
      struct stat st {};
      if (::stat((it->path() / entry).c_str(), &st) != 0) {
        problems.push_back(
            {Problem::Kind::dangling, "snapshots/" + name + "/" + entry, "blob missing"});
      }
    }
  }
  for (const auto& [commit, names] : refs_by_commit(repo)) {
    if (!commits.contains(commit)) {
      for (const auto& name : names) {
        problems.push_back({Problem::Kind::bad_ref, "refs/" + name,
                            "points at " + commit + ", which has no snapshots/ folder"});
      }
    }
  }
  return problems;
}

} // namespace hfrun::cache
