#include "fetch_blobs.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fnmatch.h>
#include <fstream>
#include <hfrun/cache/blob_sink.hpp>
#include <hfrun/cache/download.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/util/json.hpp>
#include <map>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cache {

namespace {

std::string describe_repo(const hub::RepoRef& repo) {
  return std::string(hub::repo_type_name(repo.type)) + " " + repo.id;
}

// An etag becomes a file name: it must be one plain path segment.
bool is_safe_etag(std::string_view etag) {
  return !etag.empty() && etag != "." && etag != ".." &&
         etag.find_first_of("/\\") == std::string_view::npos &&
         etag.find('\0') == std::string_view::npos;
}

std::string joined(const std::vector<std::string>& items, std::size_t max_items = 20) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > max_items) {
    out += ", ... (" + std::to_string(items.size() - max_items) + " more)";
  }
  return out;
}

Error write_error(const std::string& what, const fs::path& path, int err) {
  return make_error(ErrorKind::output_failed,
                    what + " " + path.string() + ": " + std::strerror(err),
                    "check free space and permissions");
}

// trees/<commit>.json as huggingface_hub's _tree_cache writes it: the full tree, sorted keys.
Result<void> write_tree_cache(const RepoCache& repo,
                              const std::string& commit,
                              const std::vector<hub::TreeFile>& tree) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& file : tree) {
    nlohmann::json entry = {{"size", file.content_size()}, {"blob_id", file.oid}};
    if (file.lfs_oid) {
      entry["lfs_sha256"] = *file.lfs_oid;
      entry["lfs_size"] = file.content_size();
    }
    files[file.path] = std::move(entry);
  }
  const nlohmann::json doc = {{"format_version", 1}, {"files", std::move(files)}};
  const fs::path path = repo.tree_path(commit);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return unexpected<Error>(write_error("cannot create", path.parent_path(), ec.value()));
  }
  const fs::path temp = path.string() + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << doc.dump(1);
    if (!out) {
      return unexpected<Error>(write_error("cannot write", temp, errno));
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return unexpected<Error>(write_error("cannot write", path, err));
  }
  return {};
}

// Copies `from` to `to` through a temp file beside it and rename().
Result<void> copy_replace(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) {
    return unexpected<Error>(write_error("cannot create", to.parent_path(), ec.value()));
  }
  const fs::path temp = to.string() + "." + std::to_string(::getpid()) + ".incomplete";
  fs::copy_file(from, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    fs::remove(temp, ec);
    return unexpected<Error>(write_error("cannot write", temp, ec.value()));
  }
  if (::rename(temp.c_str(), to.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return unexpected<Error>(write_error("cannot write", to, err));
  }
  return {};
}

struct Selected {
  std::string path;
  std::string etag;
  std::uint64_t size = 0;
};

// huggingface_hub's local_dir mode: the files themselves under DIR, and for each
// DIR/.cache/huggingface/download/<path>.metadata = "<commit>\n<etag>\n<unix time>\n".
Result<void> fill_local_dir(const RepoCache& repo,
                            const fs::path& dir,
                            const std::string& commit,
                            const std::vector<Selected>& files,
                            bool force) {
  for (const auto& file : files) {
    const fs::path target = dir / file.path;
    const fs::path metadata =
        dir / ".cache" / "huggingface" / "download" / (file.path + ".metadata");
    if (!force) {
      std::ifstream in(metadata);
      std::string meta_commit;
      std::string meta_etag;
      std::error_code ec;
      if (in && std::getline(in, meta_commit) && std::getline(in, meta_etag) &&
          meta_etag == file.etag && fs::is_regular_file(target, ec) &&
          fs::file_size(target, ec) == file.size) {
        continue;
      }
    }
    HFRUN_TRY(copy_replace(repo.pointer_path(commit, file.path), target));
    std::error_code ec;
    fs::create_directories(metadata.parent_path(), ec);
    if (ec) {
      return unexpected<Error>(write_error("cannot create", metadata.parent_path(), ec.value()));
    }
    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::ofstream out(metadata, std::ios::binary | std::ios::trunc);
    out << commit << "\n" << file.etag << "\n" << std::to_string(now) << "\n";
    if (!out) {
      return unexpected<Error>(write_error("cannot write", metadata, errno));
    }
  }
  return {};
}

fs::path result_path(const fs::path& base, const DownloadRequest& request) {
  // As `hf download`: one named file prints that file's path, anything else the folder.
  return request.files.size() == 1 ? base / request.files.front() : base;
}

} // namespace

bool fnmatch_path(std::string_view pattern, std::string_view path) {
  std::string p(pattern);
  if (p.ends_with('/')) {
    p += '*';
  }
  // No FNM_PATHNAME: `*` crosses `/` as in Python's fnmatch; no escapes, as Python has none.
  return ::fnmatch(p.c_str(), std::string(path).c_str(), FNM_NOESCAPE) == 0;
}

bool keep_path(std::string_view path,
               const std::vector<std::string>& include,
               const std::vector<std::string>& exclude) {
  if (!include.empty() && std::none_of(include.begin(), include.end(), [&](const std::string& p) {
        return fnmatch_path(p, path);
      })) {
    return false;
  }
  return std::none_of(exclude.begin(), exclude.end(),
                      [&](const std::string& p) { return fnmatch_path(p, path); });
}

Result<DownloadResult> download(client::Client& client,
                                const fs::path& hub_cache,
                                const DownloadRequest& request,
                                const std::function<void(std::string_view)>& note) {
  const auto say = [&](std::string_view line) {
    if (note) {
      note(line);
    }
  };
  HFRUN_TRY(hub::validate_repo_id(request.repo.id));
  for (const auto& file : request.files) {
    if (!hub::is_safe_repo_path(file)) {
      return fail(ErrorKind::usage, "'" + file + "' is not a file path inside a repo");
    }
  }
  const RepoCache repo(hub_cache, request.repo);
  std::string commit = request.revision;
  if (!hub::is_commit_hash(commit)) {
    HFRUN_TRY_ASSIGN(resolved, hub::resolve_commit(client, request.repo, request.revision));
    commit = std::move(resolved);
  }
  HFRUN_TRY_ASSIGN(tree, hub::list_tree(client, request.repo, commit));

  std::vector<Selected> selected;
  if (!request.files.empty()) {
    std::map<std::string, const hub::TreeFile*> by_path;
    for (const auto& file : tree) {
      by_path[file.path] = &file;
    }
    std::vector<std::string> missing;
    for (const auto& path : request.files) {
      auto found = by_path.find(path);
      if (found == by_path.end()) {
        missing.push_back(path);
        // The Hub said it is not there at this commit: readers skip the request next time.
        (void)repo.mark_missing(commit, path);
        continue;
      }
      selected.push_back({path, found->second->etag(), found->second->content_size()});
    }
    if (!missing.empty()) {
      return fail(ErrorKind::not_found,
                  std::string(missing.size() == 1 ? "file " : "files ") + joined(missing) +
                      " not found in " + describe_repo(request.repo) + " at " + request.revision,
                  "check the names against " +
                      hub::repo_page_url(client.config().endpoint, request.repo) + "/tree/" +
                      request.revision);
    }
  } else {
    for (const auto& file : tree) {
      if (keep_path(file.path, request.include, request.exclude)) {
        selected.push_back({file.path, file.etag(), file.content_size()});
      }
    }
  }
  for (auto& file : selected) {
    file.etag = normalize_etag(file.etag);
    if (!is_safe_etag(file.etag)) {
      return fail(ErrorKind::bad_response,
                  describe_repo(request.repo) + ": unusable etag for " + file.path);
    }
  }

  // What must be fetched: each blob once, even when several paths share it.
  std::map<std::string, std::uint64_t> to_fetch; // etag -> size
  for (const auto& file : selected) {
    if (request.force || !repo.has_blob(file.etag, file.size)) {
      to_fetch.emplace(file.etag, file.size);
    }
  }
  // The snapshot folder first, as huggingface_hub makes it before fetching: a run killed from
  // here on leaves a repo folder that cache scanners accept (a repo without snapshots/ is
  // "corrupted" to huggingface_hub's scan_cache_dir).
  std::error_code ec;
  fs::create_directories(repo.snapshot_dir(commit), ec);
  if (ec) {
    return unexpected<Error>(write_error("cannot create", repo.snapshot_dir(commit), ec.value()));
  }
  // Locks in name order, so two hfrun processes never wait on each other in a cycle.
  std::vector<FileLock> locks;
  for (const auto& [etag, size] : to_fetch) {
    HFRUN_TRY_ASSIGN(lock, FileLock::acquire(repo.lock_path(etag), say));
    locks.push_back(std::move(lock));
  }
  if (!request.force) {
    // Another process may have finished a blob while we waited for its lock.
    std::erase_if(to_fetch,
                  [&](const auto& item) { return repo.has_blob(item.first, item.second); });
  }

  DownloadResult result;
  result.commit = commit;
  result.files = selected.size();
  std::map<std::string, std::string> path_of_etag; // for messages and the URL
  for (const auto& file : selected) {
    path_of_etag.emplace(file.etag, file.path);
  }
  std::vector<BlobJob> jobs;
  for (const auto& [etag, size] : to_fetch) {
    const std::string& path = path_of_etag[etag];
    jobs.push_back(
        {etag, size, path, hub::resolve_url(client.config().endpoint, request.repo, commit, path)});
  }
  if (!jobs.empty()) {
    say("fetching " + std::to_string(jobs.size()) + " of " + std::to_string(selected.size()) +
        " files of " + describe_repo(request.repo) + " at " + commit);
  }
  FetchSettings settings;
  settings.connections = request.connections == 0 ? k_default_connections : request.connections;
  settings.resume = !request.force;
  settings.progress = request.progress;
  settings.note = say;
  settings.http_error = [&](const http::Response& response, const BlobJob& job) {
    return hub::repo_error(response, client.config().endpoint, request.repo, commit, job.path);
  };
  FetchReport fetched = fetch_blobs(client, repo, jobs, settings);
  result.fetched = fetched.fetched;
  result.bytes_fetched = fetched.bytes;
  result.bytes_resumed = fetched.resumed;
  std::optional<Error> first_error;
  std::set<std::string> failed;
  // Report failures in the order of the files, the first one as the command's error.
  for (const auto& job : jobs) {
    auto found = fetched.failed.find(job.etag);
    if (found == fetched.failed.end()) {
      continue;
    }
    failed.insert(job.etag);
    if (first_error) {
      say(describe(found->second));
    } else {
      first_error = found->second;
    }
  }
  locks.clear();

  // Links for everything that is there now; the ref only once every file landed.
  for (const auto& file : selected) {
    if (!failed.contains(file.etag)) {
      HFRUN_TRY(repo.link(commit, file.path, file.etag));
    }
  }
  if (first_error) {
    return unexpected<Error>(std::move(*first_error));
  }
  HFRUN_TRY(write_tree_cache(repo, commit, tree));
  if (request.revision != commit) {
    HFRUN_TRY(repo.write_ref(request.revision, commit));
  }
  HFRUN_TRY(ensure_cachedir_tag(hub_cache));
  if (request.local_dir) {
    HFRUN_TRY(fill_local_dir(repo, *request.local_dir, commit, selected, request.force));
    result.path = result_path(*request.local_dir, request);
  } else {
    result.path = result_path(repo.snapshot_dir(commit), request);
  }
  return result;
}

Result<DownloadResult> resolve_offline(const fs::path& hub_cache, const DownloadRequest& request) {
  const RepoCache repo(hub_cache, request.repo);
  const std::string offline_hint = "HF_HUB_OFFLINE is set, so only the cache (" +
                                   hub_cache.string() + ") was read; unset it to download";
  std::string commit = request.revision;
  if (!hub::is_commit_hash(commit)) {
    auto ref = repo.read_ref(request.revision);
    if (!ref) {
      return fail(ErrorKind::not_found,
                  "revision " + request.revision + " of " + describe_repo(request.repo) +
                      " is not in the cache",
                  offline_hint);
    }
    commit = *ref;
  }
  std::error_code ec;
  if (!fs::is_directory(repo.snapshot_dir(commit), ec)) {
    return fail(ErrorKind::not_found,
                "commit " + commit + " of " + describe_repo(request.repo) + " is not in the cache",
                offline_hint);
  }
  DownloadResult result;
  result.commit = commit;
  std::vector<std::string> missing;
  std::vector<Selected> selected;
  const auto add = [&](const std::string& path) {
    if (repo.has_file(commit, path)) {
      const fs::path pointer = repo.pointer_path(commit, path);
      std::error_code size_ec;
      selected.push_back({path, fs::read_symlink(pointer, size_ec).filename().string(),
                          fs::file_size(pointer, size_ec)});
    } else {
      missing.push_back(path);
    }
  };
  if (!request.files.empty()) {
    for (const auto& path : request.files) {
      add(path);
    }
  } else {
    // The tree cache, when there, says which files the filters select; else the snapshot does.
    std::vector<std::string> expected;
    std::ifstream in(repo.tree_path(commit), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto doc = util::parse_untrusted(text);
    const nlohmann::json* files = util::json_object(doc, "files");
    if (files != nullptr &&
        util::json_int(doc, "format_version") == std::optional<std::int64_t>(1)) {
      for (const auto& [path, entry] : files->items()) {
        expected.push_back(path);
      }
    } else {
      expected = snapshot_entries(repo.snapshot_dir(commit));
    }
    for (const auto& path : expected) {
      if (keep_path(path, request.include, request.exclude)) {
        add(path);
      }
    }
  }
  if (!missing.empty()) {
    return fail(ErrorKind::not_found,
                describe_repo(request.repo) + " at " + request.revision + ": " +
                    std::to_string(missing.size()) + " file" + (missing.size() == 1 ? "" : "s") +
                    " not in the cache: " + joined(missing),
                offline_hint);
  }
  result.files = selected.size();
  if (request.local_dir) {
    HFRUN_TRY(fill_local_dir(repo, *request.local_dir, commit, selected, request.force));
    result.path = result_path(*request.local_dir, request);
  } else {
    result.path = result_path(repo.snapshot_dir(commit), request);
  }
  return result;
}

} // namespace hfrun::cache
