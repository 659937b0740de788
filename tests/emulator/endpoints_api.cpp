// The Inference Endpoints management API (role endpoints_api), under /v2 like
// https://api.endpoints.huggingface.cloud/v2 (docs/emulator.md, "Inference Endpoints"): list, get,
// create, update, delete, pause, resume and scale-to-zero of the endpoints in EndpointStates, with
// Bearer auth by the world's user tokens. Errors are {"error": "<message>"} (docs/emulator.md,
// "Inference Endpoints").
#include "context.hpp"
#include "endpoint_state.hpp"
#include "world.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace emulator {

namespace {

using json = nlohmann::json;

void reply(httplib::Response& res, const EndpointReply& r) {
  res.status = r.status;
  const json body = r.status < 400 ? r.body : json{{"error", r.error}};
  res.set_content(body.dump(), "application/json");
}

void error_reply(httplib::Response& res, int status, const std::string& message) {
  reply(res, {status, json::object(), message});
}

// The world user of the request's token when it may manage `ns`; otherwise replies 401 (no or an
// unknown token) or 403 (a namespace that is neither the user's nor one of its orgs).
const json* authorize(const Context& ctx,
                      const httplib::Request& req,
                      httplib::Response& res,
                      const std::string& ns) {
  const auto token = bearer_token(req);
  if (token.empty()) {
    error_reply(res, 401, "Authorization header with a Bearer token is required");
    return nullptr;
  }
  const auto* user = ctx.user_for_token(token);
  if (user == nullptr) {
    error_reply(res, 401, "Invalid credentials in Authorization header");
    return nullptr;
  }
  if (!user_owns_namespace(*user, ns)) {
    error_reply(res, 403, "You don't have access to namespace " + ns);
    return nullptr;
  }
  return user;
}

EndpointStates::Actor actor_of(const json& user) {
  EndpointStates::Actor a;
  if (user.contains("id") && user["id"].is_string()) {
    a.id = user["id"].get<std::string>();
  }
  if (user.contains("name") && user["name"].is_string()) {
    a.name = user["name"].get<std::string>();
  }
  return a;
}

json body_of(const httplib::Request& req) {
  return json::parse(req.body, nullptr, false);
}

} // namespace

void register_endpoints_api_routes(httplib::Server& server, Context& ctx) {
  const EndpointStates::CommitOf commit_of =
      [&ctx](const std::string& repository) -> std::optional<std::string> {
    const auto* repo = ctx.repos != nullptr ? ctx.repos->model(repository) : nullptr;
    if (repo == nullptr) {
      return std::nullopt;
    }
    return repo->sha;
  };
  ctx.endpoints->start(ctx.endpoints_url + "/endpoints", commit_of);

  server.Get(R"(/v2/endpoint/([^/]+))",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const std::string ns = req.matches[1];
               if (authorize(ctx, req, res, ns) != nullptr) {
                 res.set_content(ctx.endpoints->list(ns).dump(), "application/json");
               }
             });
  server.Post(R"(/v2/endpoint/([^/]+))",
              [&ctx, commit_of](const httplib::Request& req, httplib::Response& res) {
                const std::string ns = req.matches[1];
                if (const auto* user = authorize(ctx, req, res, ns)) {
                  const auto body = body_of(req);
                  if (body.is_discarded()) {
                    error_reply(res, 400, "The body must be JSON");
                    return;
                  }
                  reply(res, ctx.endpoints->create(ns, body, actor_of(*user), commit_of));
                }
              });
  server.Get(R"(/v2/endpoint/([^/]+)/([^/]+))",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const std::string ns = req.matches[1];
               if (authorize(ctx, req, res, ns) != nullptr) {
                 reply(res, ctx.endpoints->get(ns, req.matches[2]));
               }
             });
  server.Put(R"(/v2/endpoint/([^/]+)/([^/]+))", [&ctx, commit_of](const httplib::Request& req,
                                                                  httplib::Response& res) {
    const std::string ns = req.matches[1];
    if (const auto* user = authorize(ctx, req, res, ns)) {
      const auto body = body_of(req);
      if (body.is_discarded()) {
        error_reply(res, 400, "The body must be JSON");
        return;
      }
      reply(res, ctx.endpoints->update(ns, req.matches[2], body, actor_of(*user), commit_of));
    }
  });
  server.Delete(R"(/v2/endpoint/([^/]+)/([^/]+))",
                [&ctx](const httplib::Request& req, httplib::Response& res) {
                  const std::string ns = req.matches[1];
                  if (authorize(ctx, req, res, ns) != nullptr) {
                    reply(res, ctx.endpoints->remove(ns, req.matches[2]));
                  }
                });
  server.Post(R"(/v2/endpoint/([^/]+)/([^/]+)/(pause|resume|scale-to-zero))",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                const std::string ns = req.matches[1];
                const std::string name = req.matches[2];
                const std::string verb = req.matches[3];
                const auto* user = authorize(ctx, req, res, ns);
                if (user == nullptr) {
                  return;
                }
                const auto actor = actor_of(*user);
                if (verb == "pause") {
                  reply(res, ctx.endpoints->pause(ns, name, actor));
                } else if (verb == "resume") {
                  reply(res, ctx.endpoints->resume(ns, name, actor));
                } else {
                  reply(res, ctx.endpoints->scale_to_zero(ns, name, actor));
                }
              });
}

} // namespace emulator
