#include <hfrun/http/server_error.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/hub/repo_files.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::hub {

namespace {

std::string_view api_kind(RepoType type) {
  switch (type) {
  case RepoType::dataset:
    return "datasets";
  case RepoType::space:
    return "spaces";
  case RepoType::model:
    break;
  }
  return "models";
}

// The prefix of web and /resolve/ URLs: none for models.
std::string_view url_prefix(RepoType type) {
  switch (type) {
  case RepoType::dataset:
    return "datasets/";
  case RepoType::space:
    return "spaces/";
  case RepoType::model:
    break;
  }
  return "";
}

std::string api_url(const std::string& endpoint, const RepoRef& repo) {
  return endpoint + "/api/" + std::string(api_kind(repo.type)) + "/" +
         http::percent_encode(repo.id, /*keep_slash=*/true);
}

std::string describe_repo(const RepoRef& repo) {
  return std::string(repo_type_name(repo.type)) + " " + repo.id;
}

} // namespace

std::optional<RepoType> parse_repo_type(std::string_view name) {
  if (name == "model") {
    return RepoType::model;
  }
  if (name == "dataset") {
    return RepoType::dataset;
  }
  if (name == "space") {
    return RepoType::space;
  }
  return std::nullopt;
}

std::string_view repo_type_name(RepoType type) {
  switch (type) {
  case RepoType::dataset:
    return "dataset";
  case RepoType::space:
    return "space";
  case RepoType::model:
    break;
  }
  return "model";
}

std::string repo_page_url(const std::string& endpoint, const RepoRef& repo) {
  return endpoint + "/" + std::string(url_prefix(repo.type)) + repo.id;
}

std::string resolve_url(const std::string& endpoint,
                        const RepoRef& repo,
                        std::string_view revision,
                        std::string_view path) {
  return endpoint + "/" + std::string(url_prefix(repo.type)) +
         http::percent_encode(repo.id, /*keep_slash=*/true) + "/resolve/" +
         http::percent_encode(revision) + "/" + http::percent_encode(path, /*keep_slash=*/true);
}

bool is_commit_hash(std::string_view revision) {
  if (revision.size() != 40) {
    return false;
  }
  for (char c : revision) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_safe_repo_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

Error repo_error(const http::Response& response,
                 const std::string& endpoint,
                 const RepoRef& repo,
                 std::string_view revision,
                 std::string_view path) {
  const std::string code = response.headers.get("X-Error-Code").value_or("");
  std::string what;
  if (code == "RevisionNotFound") {
    what = "revision " + std::string(revision) + " not found in " + describe_repo(repo);
  } else if (code == "EntryNotFound") {
    what = "file " + std::string(path) + " not found in " + describe_repo(repo) +
           (revision.empty() ? "" : " at " + std::string(revision));
  } else if (code == "RepoNotFound") {
    what = "repository " + describe_repo(repo) + " not found (or private without access)";
  } else if (code == "GatedRepo") {
    what = describe_repo(repo) + " is gated";
  } else {
    what = describe_repo(repo) + (path.empty() ? "" : " file " + std::string(path));
  }
  Error error = http::error_from_response(response, what);
  if (code == "GatedRepo") {
    error.hint = "accept the terms on " + repo_page_url(endpoint, repo) +
                 " (logged in as the token's user), then retry with that token";
  }
  return error;
}

Result<std::string>
resolve_commit(client::Client& client, const RepoRef& repo, const std::string& revision) {
  HFRUN_TRY(validate_repo_id(repo.id));
  http::Request request;
  request.url = api_url(client.config().endpoint, repo) + "/revision/" +
                http::percent_encode(revision) + "?expand%5B%5D=sha";
  HFRUN_TRY_ASSIGN(response, client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(
        repo_error(response, client.config().endpoint, repo, revision, std::string_view()));
  }
  const auto body = util::parse_untrusted(response.body);
  const auto sha = util::json_string(body, "sha");
  if (!sha || !is_commit_hash(*sha)) {
    return fail(ErrorKind::bad_response,
                describe_repo(repo) + " revision " + revision + ": the Hub sent no commit sha");
  }
  return *sha;
}

std::string next_link(std::string_view link_header) {
  // Link: <url>; rel="next", <url2>; rel="prev"
  std::size_t at = 0;
  while (at < link_header.size()) {
    const auto open = link_header.find('<', at);
    if (open == std::string_view::npos) {
      return {};
    }
    const auto close = link_header.find('>', open);
    if (close == std::string_view::npos) {
      return {};
    }
    const auto next_entry = link_header.find('<', close);
    const auto params = link_header.substr(close + 1, next_entry == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : next_entry - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos ||
        params.find("rel=next") != std::string_view::npos) {
      return std::string(link_header.substr(open + 1, close - open - 1));
    }
    if (next_entry == std::string_view::npos) {
      return {};
    }
    at = next_entry;
  }
  return {};
}

Result<std::vector<TreeFile>>
list_tree(client::Client& client, const RepoRef& repo, const std::string& commit) {
  HFRUN_TRY(validate_repo_id(repo.id));
  std::vector<TreeFile> files;
  std::string url = api_url(client.config().endpoint, repo) + "/tree/" +
                    http::percent_encode(commit) + "?recursive=true&expand=false";
  // A server that links a page to itself must not keep us here forever.
  for (int page = 0; !url.empty(); ++page) {
    if (page > 100000) {
      return fail(ErrorKind::bad_response, describe_repo(repo) + ": the tree listing never ends");
    }
    http::Request request;
    request.url = url;
    HFRUN_TRY_ASSIGN(response, client.send(request));
    if (!response.ok()) {
      return unexpected<Error>(
          repo_error(response, client.config().endpoint, repo, commit, std::string_view()));
    }
    const auto body = util::parse_untrusted(response.body);
    if (!body.is_array()) {
      return fail(ErrorKind::bad_response,
                  describe_repo(repo) + ": the tree listing is not a JSON array");
    }
    for (const auto& entry : body) {
      if (util::json_string(entry, "type") != std::optional<std::string>("file")) {
        continue;
      }
      auto path = util::json_string(entry, "path");
      auto oid = util::json_string(entry, "oid");
      auto size = util::json_int(entry, "size");
      if (!path || !oid || !size || *size < 0) {
        return fail(ErrorKind::bad_response,
                    describe_repo(repo) + ": a tree entry lacks path, oid or size");
      }
      if (!is_safe_repo_path(*path)) {
        return fail(ErrorKind::bad_response,
                    describe_repo(repo) + ": the tree lists an unsafe path '" + *path + "'");
      }
      TreeFile file;
      file.path = std::move(*path);
      file.oid = std::move(*oid);
      file.size = static_cast<std::uint64_t>(*size);
      if (const nlohmann::json* lfs = util::json_object(entry, "lfs")) {
        auto lfs_oid = util::json_string(*lfs, "oid");
        if (!lfs_oid) {
          lfs_oid = util::json_string(*lfs, "sha256");
        }
        const auto lfs_size = util::json_int(*lfs, "size");
        if (lfs_oid) {
          file.lfs_oid = std::move(*lfs_oid);
        }
        if (lfs_size && *lfs_size >= 0) {
          file.lfs_size = static_cast<std::uint64_t>(*lfs_size);
        }
      }
      files.push_back(std::move(file));
    }
    url = next_link(response.headers.get("Link").value_or(""));
  }
  return files;
}

} // namespace hfrun::hub
