// hfrun whoami: GET {HF_ENDPOINT}/api/whoami-v2 with the token, as huggingface_hub's whoami().
#include "whoami.hpp"

#include "command.hpp"

#include <hfrun/client/errors.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::cli {

namespace {

using nlohmann::json;
using util::json_array;
using util::json_object;
using util::string_or;

} // namespace

Result<json> parse_whoami(std::string_view body, const std::string& token_source) {
  const json raw = util::parse_untrusted(body);
  const auto name = util::json_string(raw, "name");
  if (!name) {
    return fail(ErrorKind::bad_response, "whoami-v2 answered with an unexpected body",
                "the reply has no account name; use --raw to see it");
  }
  json out = json::object();
  out["name"] = *name;
  out["fullname"] = string_or(raw, "fullname", "");
  out["type"] = string_or(raw, "type", "user");
  json orgs = json::array();
  if (const json* listed = json_array(raw, "orgs")) {
    for (const auto& org : *listed) {
      if (auto org_name = util::json_string(org, "name")) {
        orgs.push_back(*org_name);
      }
    }
  }
  out["orgs"] = orgs;
  json token = {{"source", token_source}};
  if (const json* auth = json_object(raw, "auth")) {
    token["type"] = string_or(*auth, "type", "");
    if (const json* access = json_object(*auth, "accessToken")) {
      token["name"] = string_or(*access, "displayName", "");
      token["role"] = string_or(*access, "role", "");
    }
  }
  out["token"] = token;
  return out;
}

std::string render_whoami(const json& who) {
  std::string text = string_or(who, "name", "");
  const std::string fullname = string_or(who, "fullname", "");
  if (!fullname.empty() && fullname != text) {
    text += " (" + fullname + ")";
  }
  text += "\n";
  std::string orgs;
  if (const json* listed = json_array(who, "orgs")) {
    for (const auto& org : *listed) {
      if (auto org_name = util::as_string(org)) {
        orgs += (orgs.empty() ? "" : ", ") + *org_name;
      }
    }
  }
  if (!orgs.empty()) {
    text += "  orgs:  " + orgs + "\n";
  }
  const json* token = json_object(who, "token");
  const json& t = token != nullptr ? *token : json::object();
  text += "  token: ";
  if (const std::string name = string_or(t, "name", ""); !name.empty()) {
    text += name;
    if (const std::string role = string_or(t, "role", ""); !role.empty()) {
      text += " (" + role + ")";
    }
    text += ", ";
  }
  text += "from " + string_or(t, "source", "");
  return text;
}

namespace {

class WhoamiCommand final : public Command {
public:
  void setup(CLI::App&) override {}

  Result<void> run(CommandEnv& env) override {
    http::Request request;
    request.method = "GET";
    request.url = env.config.endpoint + "/api/whoami-v2";
    HFRUN_TRY_ASSIGN(response, env.client.send(request, client::Auth::required));
    if (!response.ok()) {
      Error error = client::error_from_response(response, "checking the token");
      if (response.status == 401) {
        error.hint =
            "the token (from " + config::source_name(env.client.token().source, env.config) +
            ") is invalid or expired; create one at https://huggingface.co/settings/tokens";
      }
      return unexpected<Error>(std::move(error));
    }
    if (env.global.raw) {
      return env.out.result_text(response.body);
    }
    HFRUN_TRY_ASSIGN(who, parse_whoami(response.body,
                                       config::source_name(env.client.token().source, env.config)));
    if (env.global.json) {
      return env.out.result_json(who);
    }
    return env.out.result_text(render_whoami(who));
  }
};

} // namespace

std::unique_ptr<Command> make_whoami_command() {
  return std::make_unique<WhoamiCommand>();
}

} // namespace hfrun::cli
