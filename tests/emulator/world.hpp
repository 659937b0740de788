// The emulator's world: users, model repos (with their files) and Spaces, loaded from JSON (the
// embedded default or --world files; format in docs/emulator.md) and indexed for the Hub routes.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace emulator {

// What the Hub publishes about a file's bytes. For generated LFS files without a precomputed
// "sha256" these are computed once, in the background, at start-up.
struct FileDigests {
  std::string sha256;  // LFS files only
  std::string git_oid; // git blob SHA-1 (of the pointer file for LFS files)
  std::string pointer; // LFS pointer text, LFS files only
};

struct RepoFile {
  std::string path;
  std::uint64_t size = 0;
  bool lfs = false;
  std::optional<std::string> content; // inline bytes; nullopt: generated from `seed`
  std::uint64_t seed = 0;
  std::shared_future<FileDigests> digests;

  // Copies `n` bytes at `offset` (offset + n <= size) into `out`.
  void read(std::uint64_t offset, char* out, std::size_t n) const;
  [[nodiscard]] const FileDigests& digest() const { return digests.get(); }
};

struct Repo {
  std::string id;
  std::string type;    // "model" or "space"
  nlohmann::json info; // the world object, "_" fields included
  std::string sha;     // commit of "main"
  std::map<std::string, std::string, std::less<>> revisions; // name -> commit (main included)
  std::vector<RepoFile> files;                               // sorted by path
  std::string renamed_to;                                    // non-empty: redirects there
  bool is_private = false;
  std::string owner; // user or org that may see a private repo
  std::string gated; // "" (not gated), "auto" or "manual"
  bool disabled = false;

  // The commit a revision (branch, tag, refs/pr/N or a commit sha) names, or nullopt.
  [[nodiscard]] std::optional<std::string> commit_for(std::string_view revision) const;
  [[nodiscard]] const RepoFile* file(std::string_view path) const;
  [[nodiscard]] std::uint64_t used_storage() const;
};

class World {
public:
  // Indexes a merged world document; an error names the first malformed entry.
  [[nodiscard]] static std::expected<std::unique_ptr<World>, std::string> build(nlohmann::json doc);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  [[nodiscard]] const nlohmann::json& doc() const { return m_doc; }
  [[nodiscard]] const Repo* model(std::string_view id) const;
  [[nodiscard]] const Repo* space(std::string_view id) const;
  [[nodiscard]] const std::vector<std::unique_ptr<Repo>>& models() const { return m_models; }
  [[nodiscard]] const Repo* model_by_storage_key(std::string_view key) const;
  [[nodiscard]] const nlohmann::json* user_for_token(std::string_view token) const;
  // Every token of the world's users (to mask them in logs).
  [[nodiscard]] std::vector<std::string> tokens() const;

private:
  World() = default;
  void start_hashing(std::vector<std::pair<std::promise<FileDigests>, const RepoFile*>> jobs);

  nlohmann::json m_doc;
  std::vector<std::unique_ptr<Repo>> m_models;
  std::vector<std::unique_ptr<Repo>> m_spaces;
  std::map<std::string, const Repo*, std::less<>> m_model_index;
  std::map<std::string, const Repo*, std::less<>> m_space_index;
  std::map<std::string, const Repo*, std::less<>> m_storage_index;
  std::atomic<bool> m_stop{false};
  std::thread m_hasher;
};

// Merges world documents in order: "models"/"spaces"/"users" entries with the same id (name for
// users) are merged, objects recursively, string arrays as unions, and on conflicts the earlier
// document wins; other top-level keys: earlier wins.
[[nodiscard]] nlohmann::json merge_worlds(const std::vector<nlohmann::json>& docs);

// The default world compiled into the binary: (file name, JSON text), hub.json first.
[[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> embedded_world();

// The storage key of a repo in CDN URLs (like the hashed repo folder of the real LFS CDN).
[[nodiscard]] std::string storage_key(std::string_view repo_id);

} // namespace emulator
