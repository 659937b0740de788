// The proxy in front of managed endpoints (role endpoints, /endpoints/{namespace}/{name}/...): auth
// by the endpoint's type, then its state decides: running and updating are served by the flavour
// server its image names (serve_flavor), paused answers 502, a scaled-to-zero endpoint wakes and
// answers 503 during its cold start unless X-Scale-Up-Timeout holds the request
// (docs/emulator.md, "Inference Endpoints", "The proxy").
#include "context.hpp"
#include "endpoint_state.hpp"

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace emulator {

namespace {

using namespace std::chrono_literals;

void text_reply(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain");
}

// Replies 401/403 and returns false when the caller may not call an endpoint of this type.
bool authorized(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const std::string& ns,
                const std::string& type) {
  if (type == "public") {
    return true;
  }
  const auto* user = ctx.user_for_token(bearer_token(req));
  if (user == nullptr) {
    text_reply(res, 401, "Unauthorized");
    return false;
  }
  if (type == "private" && !user_owns_namespace(*user, ns)) {
    text_reply(res, 403, "Forbidden");
    return false;
  }
  return true;
}

// X-Scale-Up-Timeout in seconds (capped at 600), or 0 when absent or not a positive number.
double scale_up_timeout(const httplib::Request& req) {
  const auto value = req.get_header_value("X-Scale-Up-Timeout");
  if (value.empty()) {
    return 0;
  }
  char* end = nullptr;
  const double s = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !(s > 0)) {
    return 0;
  }
  return s > 600 ? 600 : s;
}

void handle(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string ns = req.matches[1];
  const std::string name = req.matches[2];
  const std::string rest = req.matches.size() > 3 ? std::string(req.matches[3]) : std::string();
  const std::string path = rest.empty() ? "/" : rest;

  // Auth first (without waking): a caller without access does not start a replica.
  auto view = ctx.endpoints->visit(ns, name, false);
  if (!view) {
    text_reply(res, 404, "Not Found");
    return;
  }
  if (!authorized(ctx, req, res, ns, view->type)) {
    return;
  }
  view = ctx.endpoints->visit(ns, name, true);
  if (!view) {
    text_reply(res, 404, "Not Found");
    return;
  }
  if ((view->state == "initializing" || view->state == "pending")) {
    const double hold = scale_up_timeout(req);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(hold));
    while (hold > 0 && (view->state == "initializing" || view->state == "pending") &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      view = ctx.endpoints->visit(ns, name, false);
      if (!view) {
        text_reply(res, 404, "Not Found");
        return;
      }
    }
  }
  const auto& state = view->state;
  if (state == "running" || state == "updating") {
    serve_flavor(ctx, flavor_spec(view->doc), path, req, res);
    return;
  }
  if (state == "initializing" || state == "pending") {
    text_reply(res, 503,
               "Service Unavailable: the endpoint is starting (send X-Scale-Up-Timeout: <seconds> "
               "to wait for it)");
    return;
  }
  // paused, failed, updateFailed, scaledToZero (not reached: a request wakes it): no replica.
  text_reply(res, 502, "Bad Gateway");
}

} // namespace

void register_endpoint_proxy_routes(httplib::Server& server, Context& ctx) {
  const auto* pattern = R"(/endpoints/([^/]+)/([^/]+)(/.*)?)";
  const auto handler = [&ctx](const httplib::Request& req, httplib::Response& res) {
    handle(ctx, req, res);
  };
  server.Get(pattern, handler);
  server.Post(pattern, handler);
  server.Put(pattern, handler);
  server.Patch(pattern, handler);
  server.Delete(pattern, handler);
  server.Options(pattern, handler);
}

} // namespace emulator
