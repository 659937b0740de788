// Hub calls for downloading a repository's files (docs/download.md): a
// revision resolved to its commit, the paginated tree listing, and the /resolve/ URL of a file.
#pragma once

#include <cstdint>
#include <hfrun/client/client.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::hub {

enum class RepoType { model, dataset, space };

// "model" / "dataset" / "space" -> the type; anything else: nullopt.
[[nodiscard]] std::optional<RepoType> parse_repo_type(std::string_view name);
// "model", "dataset", "space".
[[nodiscard]] std::string_view repo_type_name(RepoType type);

struct RepoRef {
  RepoType type = RepoType::model;
  std::string id; // "org/name" or "name"
};

// The repo's page: {endpoint}/{id}, {endpoint}/datasets/{id}, {endpoint}/spaces/{id}.
[[nodiscard]] std::string repo_page_url(const std::string& endpoint, const RepoRef& repo);

// {endpoint}/[datasets/|spaces/]{id}/resolve/{rev fully encoded}/{path, '/' kept}.
[[nodiscard]] std::string resolve_url(const std::string& endpoint,
                                      const RepoRef& repo,
                                      std::string_view revision,
                                      std::string_view path);

// A 40-hex lower-case string: a commit id, used as is without asking the Hub.
[[nodiscard]] bool is_commit_hash(std::string_view revision);

// GET /api/{models|datasets|spaces}/{id}/revision/{rev} -> its `sha`. A missing repo or revision
// is ErrorKind::not_found naming which; a gated/private repo without access ErrorKind::auth.
[[nodiscard]] Result<std::string>
resolve_commit(client::Client& client, const RepoRef& repo, const std::string& revision);

// One file of the tree listing.
struct TreeFile {
  std::string path;
  std::uint64_t size = 0;             // the tree's `size` (for LFS files the pointer's in old APIs)
  std::string oid;                    // git blob sha1
  std::optional<std::string> lfs_oid; // sha256 of the content, for LFS files
  std::optional<std::uint64_t> lfs_size;

  // The blob name the cache uses: lfs.oid, else oid (huggingface_hub, @huggingface/hub, llama.cpp).
  [[nodiscard]] const std::string& etag() const { return lfs_oid ? *lfs_oid : oid; }
  // The content's size: lfs.size, else size.
  [[nodiscard]] std::uint64_t content_size() const { return lfs_size ? *lfs_size : size; }
};

// GET /api/{kind}/{id}/tree/{commit}?recursive=true&expand=false, following `Link: <...>;
// rel="next"` (huggingface_hub's paginate). Only `type == "file"` entries; an entry whose path is
// unsafe (absolute, "..", a backslash, empty segments) is ErrorKind::bad_response.
[[nodiscard]] Result<std::vector<TreeFile>>
list_tree(client::Client& client, const RepoRef& repo, const std::string& commit);

// The URL of rel="next" in a Link header value, or "" when there is none.
[[nodiscard]] std::string next_link(std::string_view link_header);

// A repo-relative path that cannot escape the snapshot folder: not empty, not absolute, no
// backslash, no "", "." or ".." segment.
[[nodiscard]] bool is_safe_repo_path(std::string_view path);

// The Error for a failed Hub response about `repo`, with the Hub's X-Error-Code turned into words:
// RepoNotFound -> "repository X not found", RevisionNotFound -> "revision R not found in X",
// EntryNotFound -> "file P not found in X at R", GatedRepo -> exit 3 with the page to accept the
// terms on. `revision` and `path` may be empty.
[[nodiscard]] Error repo_error(const http::Response& response,
                               const std::string& endpoint,
                               const RepoRef& repo,
                               std::string_view revision,
                               std::string_view path);

} // namespace hfrun::hub
