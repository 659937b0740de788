// The shared Hugging Face cache (docs/cache.md): the exact layout
// huggingface_hub, transformers, @huggingface/hub and llama.cpp read and write. Blobs are named by
// etag, snapshots hold relative symbolic links to them, refs name commits without a newline.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <hfrun/error.hpp>
#include <hfrun/hub/repo_files.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::cache {

namespace fs = std::filesystem;

// "models--org--name", "datasets--org--name", "spaces--org--name" (huggingface_hub's
// repo_folder_name: `/` becomes `--`, case kept).
[[nodiscard]] std::string repo_folder_name(const hub::RepoRef& repo);
// The inverse; nullopt for a folder that is not a repo (no "--", unknown type).
[[nodiscard]] std::optional<hub::RepoRef> parse_repo_folder(std::string_view folder);

// The etag as the cache names blobs: a leading W/ and the quotes removed.
[[nodiscard]] std::string normalize_etag(std::string_view etag);

// The symbolic link target of snapshots/<commit>/<path> for blob `etag`: "../../blobs/<etag>" with
// one more "../" per folder in `path`.
[[nodiscard]] std::string blob_link_target(std::string_view path, std::string_view etag);

// How a blob's name says its content is checked: sha256 (64 hex: LFS), git blob sha1 (40 hex: a
// regular file), or unknown (only the size can be checked).
enum class BlobHash { sha256, git_sha1, unknown };
[[nodiscard]] BlobHash blob_hash_kind(std::string_view etag);

// Hashes a blob as it is written, by its name's rule.
class BlobHasher {
public:
  BlobHasher(std::string etag, std::uint64_t expected_size);
  ~BlobHasher();
  BlobHasher(BlobHasher&&) noexcept;
  BlobHasher& operator=(BlobHasher&&) noexcept;
  void update(std::string_view bytes);
  // Empty when the bytes fed are `expected_size` long and hash to the etag; else what is wrong.
  [[nodiscard]] std::string mismatch();

private:
  struct State;
  std::unique_ptr<State> m_state;
};

// One repo's folder in the cache.
class RepoCache {
public:
  RepoCache(fs::path hub_cache, hub::RepoRef repo);

  [[nodiscard]] const fs::path& hub_cache() const { return m_hub_cache; }
  [[nodiscard]] const hub::RepoRef& repo() const { return m_repo; }
  [[nodiscard]] fs::path root() const;
  [[nodiscard]] fs::path blob_path(std::string_view etag) const;
  [[nodiscard]] fs::path snapshot_dir(std::string_view commit) const;
  [[nodiscard]] fs::path pointer_path(std::string_view commit, std::string_view path) const;
  [[nodiscard]] fs::path ref_path(std::string_view revision) const;
  [[nodiscard]] fs::path no_exist_path(std::string_view commit, std::string_view path) const;
  [[nodiscard]] fs::path tree_path(std::string_view commit) const;
  // <cache>/.locks/<repo folder>/<etag>.lock
  [[nodiscard]] fs::path lock_path(std::string_view etag) const;

  // The commit refs/<revision> names, trimmed; nullopt when there is no such ref.
  [[nodiscard]] std::optional<std::string> read_ref(std::string_view revision) const;
  // Writes refs/<revision> = commit, no newline, via a temp file and rename, only if it changed.
  [[nodiscard]] Result<void> write_ref(std::string_view revision, std::string_view commit) const;
  // Whether blobs/<etag> exists as a regular file of `size` bytes.
  [[nodiscard]] bool has_blob(std::string_view etag, std::uint64_t size) const;
  // Whether snapshots/<commit>/<path> exists and resolves (follows the link).
  [[nodiscard]] bool has_file(std::string_view commit, std::string_view path) const;
  // snapshots/<commit>/<path> -> relative link to blobs/<etag> (any previous entry replaced).
  [[nodiscard]] Result<void>
  link(std::string_view commit, std::string_view path, std::string_view etag) const;
  // The empty marker .no_exist/<commit>/<path> (the file is known not to exist at that commit).
  [[nodiscard]] Result<void> mark_missing(std::string_view commit, std::string_view path) const;

private:
  fs::path m_hub_cache;
  hub::RepoRef m_repo;
};

// Eight random hex digits that keep a temporary file's name apart from concurrent writers'.
[[nodiscard]] std::string temp_suffix();

// Every entry under snapshots/<commit>/ that is not a folder (files and links), as paths relative
// to that folder, sorted.
[[nodiscard]] std::vector<std::string> snapshot_entries(const fs::path& dir);

// <cache>/CACHEDIR.TAG (the Cache Directory Tagging Standard), created when missing.
[[nodiscard]] Result<void> ensure_cachedir_tag(const fs::path& hub_cache);

// An exclusive flock(2) on a lock file (created with mode 0664, parents made): the same lock
// huggingface_hub's filelock takes, so hfrun and Python processes downloading one blob wait for
// each other. Advisory: correctness never depends on it. Released by the destructor.
class FileLock {
public:
  // Waits for the lock; `waiting` is called every 10 s while another process holds it.
  [[nodiscard]] static Result<FileLock>
  acquire(const fs::path& path, const std::function<void(std::string_view)>& waiting = {});
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

} // namespace hfrun::cache
