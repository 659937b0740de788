// Finding a Gradio app and waiting until it runs (spaces.md §1, §2).
#include <hfrun/client/errors.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/space.hpp>
#include <hfrun/space/session.hpp>
#include <hfrun/util/strings.hpp>
#include <regex>

namespace hfrun::space {

namespace {

using namespace std::chrono_literals;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// An HTML page where JSON was expected: the Hugging Face proxy's "private Space" or "sleeping"
// page, or not a Gradio app at all.
bool is_html(const http::Response& response) {
  const auto type = response.headers.get("Content-Type").value_or("");
  const auto start = util::trim(std::string_view(response.body).substr(0, 64));
  return util::contains_icase(type, "text/html") || util::starts_with_icase(start, "<!doctype") ||
         util::starts_with_icase(start, "<html");
}

std::string stage_hint(const std::string& stage, const std::string& id) {
  if (stage == "PAUSED") {
    return "its owner paused it; it runs again once they restart it on "
           "https://huggingface.co/spaces/" +
           id + " (Settings)";
  }
  if (stage == "NO_APP_FILE") {
    return "the Space has no app file yet: nothing to call";
  }
  if (ends_with(stage, "_ERROR")) {
    return "the Space failed to build or start; its logs are on https://huggingface.co/spaces/" +
           id + " (its owner can restart it)";
  }
  return "the Space is not running; check https://huggingface.co/spaces/" + id;
}

// Waits while the Space is asleep or on its way up; fails at once when it will not come up.
Result<void>
wait_until_running(client::Client& client, const Target& target, const ConnectOptions& options) {
  util::PollSchedule schedule(*options.sleeper, options.wait_timeout);
  bool woken = false;
  while (true) {
    HFRUN_TRY_ASSIGN(runtime, hub::space_runtime(client, target.space_id));
    const auto action = hub::stage_action(runtime.stage);
    if (action == hub::StageAction::ready) {
      return {};
    }
    if (action == hub::StageAction::fail) {
      Error e = make_error(ErrorKind::unavailable,
                           "Space " + target.space_id + " is not running (" + runtime.stage + ")");
      e.server_message = runtime.error_message;
      e.hint = stage_hint(runtime.stage, target.space_id);
      return unexpected<Error>(std::move(e));
    }
    if (action == hub::StageAction::wake && !woken) {
      // No client calls a wake API: a visit to the app wakes it (spaces.md §1.4). The answer is
      // the proxy's "starting" page; only the visit matters.
      http::Request visit;
      visit.url = target.host + "/config";
      visit.timeouts = http::Timeouts{10s, 15s, 0ms};
      visit.retryable = false;
      (void)client.send(visit, client::Auth::never);
      woken = true;
    }
    const auto waited = schedule.waited();
    if (schedule.expired()) {
      return fail(ErrorKind::unavailable,
                  "Space " + target.space_id + " is still " + runtime.stage + " after " +
                      std::to_string(waited.count() / 1000) + " s",
                  "wait longer with --wait-timeout SECONDS, or try again later");
    }
    if (options.on_wait) {
      const std::string doing = action == hub::StageAction::wake ? "waking up" : "waiting for";
      options.on_wait(doing + " Space " + target.space_id + " (" + runtime.stage + ", " +
                      std::to_string(waited.count() / 1000) + " s)");
    }
    schedule.wait();
  }
}

Error config_error(const http::Response& response, const App& app) {
  Error e = client::error_from_response(response, "the app " + app.name());
  if (response.status == 401 || response.status == 403) {
    e.kind = ErrorKind::auth;
    e.server_message = is_html(response) ? "" : e.server_message;
    e.hint = app.target.hf_space
                 ? "the Space is private: pass a token with access to it (--token or HF_TOKEN)"
                 : "the app wants credentials: pass --token (sent to this host only then), or "
                   "-H 'Cookie: ...' after its /login";
  } else if (response.status == 404) {
    e.kind = ErrorKind::not_found;
    e.hint = "no Gradio app answers there (GET /config is 404); check the URL";
  } else if (response.status == 503 && is_html(response)) {
    e.server_message.clear();
    e.hint = "the Space is starting or unavailable; wait and try again";
  }
  return e;
}

} // namespace

Result<Target> parse_target(std::string_view text, std::string_view hub_endpoint) {
  Target target;
  target.text = std::string(text);
  static const std::regex k_id(R"(^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$)");
  const std::string s(text);
  if (std::regex_match(s, k_id)) {
    target.space_id = s;
    target.hf_space = true;
    return target;
  }
  const auto url = http::parse_url(s);
  if (!url) {
    return fail(ErrorKind::usage, "'" + s + "' is neither a Space (OWNER/NAME) nor a URL",
                "e.g. hfrun space hysts/SDXL --list, or hfrun space http://127.0.0.1:7860 --list");
  }
  // The Space's page on the Hub names the Space.
  const std::string page = util::without_trailing_slash(std::string(hub_endpoint)) + "/spaces/";
  if (s.rfind(page, 0) == 0) {
    auto rest = s.substr(page.size());
    rest = rest.substr(0, rest.find_first_of("?#"));
    rest = util::without_trailing_slash(rest);
    if (std::regex_match(rest, k_id)) {
      target.space_id = rest;
      target.hf_space = true;
      return target;
    }
  }
  target.host = util::without_trailing_slash(s.substr(0, s.find_first_of("?#")));
  target.hf_space = url->scheme == "https" && ends_with(util::to_lower(url->host), ".hf.space");
  return target;
}

void App::prepare(http::Request& request) const {
  switch (token_header) {
  case TokenHeader::x_hf_authorization:
    request.headers.set("X-HF-Authorization", "Bearer " + token);
    break;
  case TokenHeader::authorization:
    request.headers.set("Authorization", "Bearer " + token);
    break;
  case TokenHeader::none:
    break;
  }
  // What the 2.x clients send (spaces.md §4.1); servers do not read it, proxies may log it.
  request.headers.set("x-gradio-user", "api");
}

std::string App::name() const {
  return target.space_id.empty() ? target.host : target.space_id;
}

Result<App> connect(client::Client& client, const Target& wanted, const ConnectOptions& options) {
  App app;
  app.target = wanted;
  if (!wanted.space_id.empty()) {
    HFRUN_TRY_ASSIGN(host, hub::space_host(client, wanted.space_id));
    app.target.host = util::without_trailing_slash(host);
    HFRUN_TRY(wait_until_running(client, app.target, options));
  }
  const auto& token = client.token();
  if (token.present() && app.target.hf_space) {
    app.token_header = TokenHeader::x_hf_authorization;
  } else if (token.present() && options.explicit_token) {
    app.token_header = TokenHeader::authorization;
  }
  app.token = app.token_header == TokenHeader::none ? "" : token.value;
  if (options.note) {
    options.note("app host " + app.target.host +
                 (app.token_header == TokenHeader::x_hf_authorization
                      ? " (token sent as X-HF-Authorization)"
                  : app.token_header == TokenHeader::authorization ? " (token sent: --token)"
                                                                   : " (no token sent)"));
  }
  http::Request request;
  request.url = app.target.host + "/config";
  app.prepare(request);
  HFRUN_TRY_ASSIGN(response, client.send(request, client::Auth::never));
  if (!response.ok()) {
    return unexpected<Error>(config_error(response, app));
  }
  auto config = parse_config(response.body, app.target.host);
  if (!config) {
    Error e = config.error();
    e.message = app.name() + ": " + e.message;
    return unexpected<Error>(std::move(e));
  }
  app.config = std::move(*config);
  if (options.note) {
    options.note(
        "Gradio " +
        (app.config.version.empty() ? std::string("(version not given)") : app.config.version) +
        ", protocol " + app.config.protocol_text + ", API base " + app.config.base());
  }
  return app;
}

Result<void> load_info(client::Client& client, App& app) {
  http::Request request;
  request.url = app.config.base() + "/info";
  app.prepare(request);
  HFRUN_TRY_ASSIGN(response, client.send(request, client::Auth::never));
  if (!response.ok()) {
    Error e = client::error_from_response(response, "the API description of " + app.name());
    if (response.status == 404) {
      e.kind = ErrorKind::not_found;
      e.hint = "the app (Gradio " + app.config.version + ") describes no API at " + request.url;
    }
    return unexpected<Error>(std::move(e));
  }
  HFRUN_TRY_ASSIGN(info, parse_info(response.body));
  app.info = std::move(info);
  return {};
}

} // namespace hfrun::space
