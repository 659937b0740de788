// hfrun whoami: GET {HF_ENDPOINT}/api/whoami-v2 with the token, as huggingface_hub's whoami().
#include "command.hpp"

#include <hfrun/http/server_error.hpp>

namespace hfrun::cli {

namespace {

// The stable --json shape (docs/commands.md): no e-mail or other personal fields beyond the name.
nlohmann::json normalize(const nlohmann::json& raw, const std::string& token_source) {
  nlohmann::json out = nlohmann::json::object();
  out["name"] = raw.value("name", "");
  out["fullname"] = raw.value("fullname", "");
  out["type"] = raw.value("type", "user");
  nlohmann::json orgs = nlohmann::json::array();
  if (raw.contains("orgs") && raw["orgs"].is_array()) {
    for (const auto& org : raw["orgs"]) {
      if (org.is_object() && org.contains("name") && org["name"].is_string()) {
        orgs.push_back(org["name"]);
      }
    }
  }
  out["orgs"] = orgs;
  nlohmann::json token = {{"source", token_source}};
  if (raw.contains("auth") && raw["auth"].is_object()) {
    const auto& auth = raw["auth"];
    token["type"] = auth.value("type", "");
    if (auth.contains("accessToken") && auth["accessToken"].is_object()) {
      token["name"] = auth["accessToken"].value("displayName", "");
      token["role"] = auth["accessToken"].value("role", "");
    }
  }
  out["token"] = token;
  return out;
}

std::string render(const nlohmann::json& who) {
  std::string text = who["name"].get<std::string>();
  const std::string fullname = who["fullname"].get<std::string>();
  if (!fullname.empty() && fullname != text) {
    text += " (" + fullname + ")";
  }
  text += "\n";
  if (!who["orgs"].empty()) {
    text += "  orgs:  ";
    bool first = true;
    for (const auto& org : who["orgs"]) {
      text += (first ? "" : ", ") + org.get<std::string>();
      first = false;
    }
    text += "\n";
  }
  const auto& token = who["token"];
  text += "  token: ";
  if (token.contains("name") && !token["name"].get<std::string>().empty()) {
    text += token["name"].get<std::string>();
    if (token.contains("role") && !token["role"].get<std::string>().empty()) {
      text += " (" + token["role"].get<std::string>() + ")";
    }
    text += ", ";
  }
  text += "from " + token["source"].get<std::string>();
  return text;
}

class WhoamiCommand final : public Command {
public:
  void setup(CLI::App&) override {}

  Result<void> run(CommandEnv& env) override {
    http::Request request;
    request.method = "GET";
    request.url = env.config.endpoint + "/api/whoami-v2";
    HFRUN_TRY_ASSIGN(response, env.client.send(request, client::Auth::required));
    if (!response.ok()) {
      Error error = http::error_from_response(response, "checking the token");
      if (response.status == 401) {
        error.hint = "the token (from " + config::source_name(env.client.token().source, env.config) +
                     ") is invalid or expired; create one at https://huggingface.co/settings/tokens";
      }
      return unexpected<Error>(std::move(error));
    }
    if (env.global.raw) {
      return env.out.result_text(response.body);
    }
    auto raw = nlohmann::json::parse(response.body, nullptr, false);
    if (raw.is_discarded() || !raw.is_object() || !raw.contains("name") || !raw["name"].is_string()) {
      return fail(ErrorKind::bad_response, "whoami-v2 answered with an unexpected body");
    }
    const auto who = normalize(raw, config::source_name(env.client.token().source, env.config));
    if (env.global.json) {
      return env.out.result_json(who);
    }
    return env.out.result_text(render(who));
  }
};

} // namespace

std::unique_ptr<Command> make_whoami_command() { return std::make_unique<WhoamiCommand>(); }

} // namespace hfrun::cli
