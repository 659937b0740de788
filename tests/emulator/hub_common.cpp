#include "hub_common.hpp"

#include <algorithm>
#include <cctype>

namespace emulator::hub {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool in_list(const nlohmann::json& user, const char* key, std::string_view value) {
  if (!user.contains(key) || !user[key].is_array()) {
    return false;
  }
  for (const auto& e : user[key]) {
    const auto name = e.is_string() ? e.get<std::string>() : e.value("name", "");
    if (name == value) {
      return true;
    }
  }
  return false;
}

} // namespace

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string url_encode(std::string_view s, bool keep_slash) {
  static constexpr char k_digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(k_digits[u >> 4U]);
      out.push_back(k_digits[u & 0xfU]);
    }
  }
  return out;
}

std::vector<std::string> path_segments(const httplib::Request& req) {
  std::string_view path = req.target;
  if (const auto q = path.find('?'); q != std::string_view::npos) {
    path = path.substr(0, q);
  }
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto seg =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out.push_back(url_decode(seg));
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  while (!out.empty() && out.back().empty()) {
    out.pop_back();
  }
  return out;
}

std::string raw_query(const httplib::Request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

Caller caller_of(const httplib::Request& req, const Context& ctx) {
  Caller c;
  c.sent_token = req.has_header("Authorization");
  if (c.sent_token) {
    c.user = ctx.user_for_token(bearer_token(req));
  }
  return c;
}

bool can_see(const Repo& repo, const Caller& caller) {
  if (!repo.is_private) {
    return true;
  }
  if (caller.user == nullptr) {
    return false;
  }
  return caller.user->value("name", "") == repo.owner || in_list(*caller.user, "orgs", repo.owner);
}

bool has_gated_access(const Repo& repo, const Caller& caller) {
  if (repo.gated.empty()) {
    return true;
  }
  if (caller.user == nullptr) {
    return false;
  }
  return caller.user->value("name", "") == repo.owner ||
         in_list(*caller.user, "orgs", repo.owner) ||
         in_list(*caller.user, "_gated_access", repo.id);
}

void json_reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void error_reply(httplib::Response& res,
                 int status,
                 std::string_view message,
                 std::string_view code) {
  if (!code.empty()) {
    res.set_header("X-Error-Code", std::string(code));
  }
  res.set_header("X-Error-Message", std::string(message));
  json_reply(res, status, {{"error", message}});
}

void invalid_token_reply(httplib::Response& res) {
  error_reply(res, 401, "Invalid username or password.");
}

void repo_not_found_reply(httplib::Response& res, const Caller& caller) {
  error_reply(res, caller.user == nullptr ? 401 : 404, "Repository not found", "RepoNotFound");
}

const Repo* find_repo(const Context& ctx,
                      const httplib::Request& req,
                      httplib::Response& res,
                      const Caller& caller,
                      std::string_view id,
                      bool space,
                      const std::function<std::string(std::string_view)>& redirect_path) {
  if (caller.invalid()) {
    invalid_token_reply(res);
    return nullptr;
  }
  const Repo* repo = space ? ctx.repos->space(id) : ctx.repos->model(id);
  if (repo != nullptr && !repo->renamed_to.empty() && redirect_path) {
    auto location = redirect_path(repo->renamed_to);
    if (const auto q = raw_query(req); !q.empty()) {
      location += "?" + q;
    }
    res.status = 307;
    res.set_header("Location", location);
    res.set_content("Temporary Redirect. Redirecting to " + location, "text/plain; charset=utf-8");
    return nullptr;
  }
  if (repo == nullptr || !repo->renamed_to.empty() || !can_see(*repo, caller)) {
    repo_not_found_reply(res, caller);
    return nullptr;
  }
  return repo;
}

} // namespace emulator::hub
