// Routing of the Hub and CDN roles. The Hub routes dispatch on the raw request target, because
// revisions arrive percent-encoded as one segment (refs%2Fpr%2F1) and model ids have one or two
// segments (gpt2, openai-community/gpt2).
#include "context.hpp"
#include "hub_api.hpp"
#include "hub_common.hpp"
#include "hub_files.hpp"

#include <set>

namespace emulator {
namespace {

using hub::Caller;

const std::set<std::string, std::less<>> k_model_subroutes = {"revision", "tree", "refs",
                                                              "paths-info"};

std::string join(const std::vector<std::string>& segs, std::size_t from, char sep = '/') {
  std::string out;
  for (auto i = from; i < segs.size(); ++i) {
    if (i > from) {
      out.push_back(sep);
    }
    out += segs[i];
  }
  return out;
}

void not_found(httplib::Response& res) {
  hub::json_reply(res, 404, {{"error", "Sorry, we can't find the page you are looking for."}});
}

// Splits "/api/{models|spaces}/..." after the kind into (id, rest).
std::pair<std::string, std::vector<std::string>>
split_id(const Context& ctx, const std::vector<std::string>& rest, bool space) {
  if (rest.size() >= 2 && k_model_subroutes.contains(rest[1]) &&
      (space ? ctx.repos->space(rest[0]) : ctx.repos->model(rest[0])) != nullptr) {
    return {rest[0], {rest.begin() + 1, rest.end()}};
  }
  if (rest.size() >= 2) {
    return {rest[0] + "/" + rest[1], {rest.begin() + 2, rest.end()}};
  }
  return {rest.empty() ? std::string() : rest[0], {}};
}

std::function<std::string(std::string_view)> api_redirect(const char* kind,
                                                          const std::vector<std::string>& tail) {
  return [kind, tail](std::string_view new_id) {
    std::string path = "/api/" + std::string(kind) + "/" + std::string(new_id);
    for (const auto& s : tail) {
      path += "/" + hub::url_encode(s);
    }
    return path;
  };
}

void models_api(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const Caller& caller,
                const std::vector<std::string>& rest,
                bool post) {
  auto [id, tail] = split_id(ctx, rest, false);
  const auto* repo = hub::find_repo(ctx, req, res, caller, id, false, api_redirect("models", tail));
  if (repo == nullptr) {
    return;
  }
  if (post) {
    if (tail.size() >= 2 && tail[0] == "paths-info") {
      hub::paths_info(req, res, *repo, join(tail, 1));
    } else {
      not_found(res);
    }
    return;
  }
  if (tail.empty()) {
    hub::model_info(ctx, req, res, caller, *repo, "main");
  } else if (tail[0] == "revision" && tail.size() >= 2) {
    hub::model_info(ctx, req, res, caller, *repo, join(tail, 1));
  } else if (tail[0] == "tree" && tail.size() >= 2) {
    hub::tree(ctx, req, res, *repo, tail[1], join(tail, 2));
  } else if (tail[0] == "refs" && tail.size() == 1) {
    hub::refs(req, res, *repo);
  } else {
    not_found(res);
  }
}

void spaces_api(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const Caller& caller,
                const std::vector<std::string>& rest) {
  std::vector<std::string> tail;
  std::string id;
  if (rest.size() >= 2) {
    id = rest[0] + "/" + rest[1];
    tail.assign(rest.begin() + 2, rest.end());
  } else {
    not_found(res);
    return;
  }
  const auto* space = hub::find_repo(ctx, req, res, caller, id, true, api_redirect("spaces", tail));
  if (space == nullptr) {
    return;
  }
  if (tail.empty()) {
    hub::space_info(ctx, req, res, *space, "main");
  } else if (tail[0] == "revision" && tail.size() >= 2) {
    hub::space_info(ctx, req, res, *space, join(tail, 1));
  } else if (tail.size() == 1 && tail[0] == "runtime") {
    hub::space_runtime(ctx, res, *space);
  } else if (tail.size() == 1 && tail[0] == "host") {
    hub::space_host(ctx, res, *space);
  } else {
    not_found(res);
  }
}

void dispatch(const Context& ctx, const httplib::Request& req, httplib::Response& res, bool post) {
  // Range is only meaningful on file content, where serve_bytes handles it.
  const_cast<httplib::Request&>(req).ranges.clear();
  const auto segs = hub::path_segments(req);
  const auto caller = hub::caller_of(req, ctx);
  if (segs.empty()) {
    res.status = 200;
    res.set_content("hfrun-emulator: Hugging Face Hub\n", "text/plain; charset=utf-8");
    return;
  }
  if (segs[0] == "api" && segs.size() >= 2) {
    const std::vector<std::string> rest(segs.begin() + 2, segs.end());
    if (segs[1] == "whoami-v2" && segs.size() == 2 && !post) {
      hub::whoami(req, res, caller);
    } else if (segs[1] == "models" && rest.empty() && !post) {
      hub::list_models(ctx, req, res, caller);
    } else if (segs[1] == "models" && !rest.empty()) {
      models_api(ctx, req, res, caller, rest, post);
    } else if (segs[1] == "spaces" && rest.empty() && !post) {
      hub::list_spaces(ctx, req, res, caller);
    } else if (segs[1] == "spaces" && !post) {
      spaces_api(ctx, req, res, caller, rest);
    } else {
      not_found(res);
    }
    return;
  }
  // /{id}/resolve|raw/{rev}/{path...}, id of one or two segments.
  for (std::size_t at : {std::size_t{1}, std::size_t{2}}) {
    if (!post && segs.size() >= at + 3 && (segs[at] == "resolve" || segs[at] == "raw")) {
      const auto id = at == 1 ? segs[0] : segs[0] + "/" + segs[1];
      hub::resolve(ctx, req, res, caller, id, segs[at + 1], join(segs, at + 2), segs[at] == "raw");
      return;
    }
  }
  not_found(res);
}

} // namespace

void register_hub_routes(httplib::Server& server, Context& ctx) {
  server.Get("/.*", [&ctx](const httplib::Request& req, httplib::Response& res) {
    dispatch(ctx, req, res, false);
  });
  server.Post("/.*", [&ctx](const httplib::Request& req, httplib::Response& res) {
    dispatch(ctx, req, res, true);
  });
}

void register_cdn_routes(httplib::Server& server, Context& ctx) {
  server.Get("/.*", [&ctx](const httplib::Request& req, httplib::Response& res) {
    hub::cdn_get(ctx, req, res);
  });
}

} // namespace emulator
