// Shared pieces of the Hub routes: raw-path splitting (revisions arrive URL-encoded, e.g.
// refs%2Fpr%2F1, so routing must not decode the path first), who is calling, repo visibility and
// the Hub's error replies (X-Error-Code / X-Error-Message + {"error": ...}).
#pragma once

#include "context.hpp"
#include "world.hpp"

#include <functional>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator::hub {

// Percent-decodes one path segment or query value ('+' kept as is).
[[nodiscard]] std::string url_decode(std::string_view s);
// Percent-encodes everything but unreserved characters (and '/' when `keep_slash`).
[[nodiscard]] std::string url_encode(std::string_view s, bool keep_slash = false);
// The raw (still encoded) path of the request target split on '/', each segment decoded.
[[nodiscard]] std::vector<std::string> path_segments(const httplib::Request& req);
// The raw query string (without '?'), or empty.
[[nodiscard]] std::string raw_query(const httplib::Request& req);

struct Caller {
  const nlohmann::json* user = nullptr; // the world user of the bearer token
  bool sent_token = false;              // an Authorization header was present
  [[nodiscard]] bool invalid() const { return sent_token && user == nullptr; }
};
[[nodiscard]] Caller caller_of(const httplib::Request& req, const Context& ctx);

// Whether the caller may see a (possibly private) repo.
[[nodiscard]] bool can_see(const Repo& repo, const Caller& caller);
// Whether the caller may download the files of a gated repo.
[[nodiscard]] bool has_gated_access(const Repo& repo, const Caller& caller);

// {"error": message} with X-Error-Code (when non-empty) and X-Error-Message.
void error_reply(httplib::Response& res,
                 int status,
                 std::string_view message,
                 std::string_view code = {});
void json_reply(httplib::Response& res, int status, const nlohmann::json& body);
// 401 "Invalid username or password." (a token that belongs to nobody).
void invalid_token_reply(httplib::Response& res);
// The Hub's answer for a repo that is missing or hidden from the caller: 401 without a (valid)
// token, 404 with one; RepoNotFound either way.
void repo_not_found_reply(httplib::Response& res, const Caller& caller);

enum class Lookup { Found, Replied };
// Finds a visible model (or Space when `space`), replying with the Hub's error or the rename
// redirect (307 to `redirect_path(new_id)`) otherwise.
[[nodiscard]] const Repo*
find_repo(const Context& ctx,
          const httplib::Request& req,
          httplib::Response& res,
          const Caller& caller,
          std::string_view id,
          bool space,
          const std::function<std::string(std::string_view)>& redirect_path);

} // namespace emulator::hub
