#include <hfrun/client/client.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::client {

namespace {

// Hosts of Hugging Face itself: the token is meant for them (product.md: "sent only to Hugging Face
// hosts and to the URL the user named").
bool is_hf_host(const std::string& host) {
  static constexpr std::string_view k_domains[] = {"huggingface.co", "hf.co", "hf.space",
                                                   "huggingface.cloud"};
  for (std::string_view domain : k_domains) {
    if (host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                           host[host.size() - domain.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

// "Name: value", as curl's -H takes it.
std::string header_line(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 2 + value.size());
  line.append(name).append(": ").append(value);
  return line;
}

// `text` in double quotes with each occurrence of `token` written as $HF_TOKEN, for the shell to
// expand; everything else escaped so the shell takes it literally.
std::string double_quote_with_token(std::string_view text, std::string_view token) {
  std::string out = "\"";
  for (std::size_t at = 0; at < text.size();) {
    if (token.size() >= 4 && text.substr(at, token.size()) == token) {
      out += "$HF_TOKEN";
      at += token.size();
      continue;
    }
    const char c = text[at++];
    if (c == '"' || c == '\\' || c == '$' || c == '`') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

// Whether a header value carries the user's token: the Authorization hfrun set, or the token inside
// (only a token of 4 or more characters is searched for, as util::redact does).
bool carries_token(const std::string& value, const config::Token& token) {
  return token.present() &&
         (value == "Bearer " + token.value ||
          (token.value.size() >= 4 && value.find(token.value) != std::string::npos));
}

// The header names whose values a dry run shows masked (credentials other than hfrun's own token).
std::vector<std::string> masked_headers(const http::Request& request, const config::Token& token) {
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers.entries()) {
    if (util::is_credential_header(name) && !carries_token(value, token)) {
      names.push_back(name);
    }
  }
  return names;
}

} // namespace

void Client::print_dry_run(const http::Request& request) const {
  if (m_reporter.dry_run) {
    m_reporter.dry_run(curl_command(request));
  }
  const auto masked = masked_headers(request, m_options.token);
  if (!masked.empty() && m_reporter.note) {
    m_reporter.note("--dry-run shows the value of " + util::join(masked, ", ") +
                    " as ***: put the real value back before running the command");
  }
}

Error dry_run_stop() {
  return make_error(ErrorKind::stopped, "");
}

bool is_dry_run_stop(const Error& error) {
  return error.kind == ErrorKind::stopped;
}

Client::Client(ClientOptions options,
               std::unique_ptr<http::Transport> transport,
               util::Sleeper& sleeper,
               Reporter reporter)
    : m_options(std::move(options)), m_transport(std::move(transport)), m_sleeper(sleeper),
      m_reporter(std::move(reporter)) {
  for (const std::string* url : {&m_options.config.endpoint, &m_options.config.router_url,
                                 &m_options.config.endpoints_api_url}) {
    trust_origin(*url);
  }
}

void Client::trust_origin(std::string_view url) {
  if (auto parts = http::parse_url(url)) {
    std::lock_guard lock(m_origins_mutex);
    m_trusted_origins.insert(http::origin_of(*parts));
  }
}

bool Client::may_receive_token(std::string_view url) const {
  auto parts = http::parse_url(url);
  if (!parts) {
    return false;
  }
  // Over plain http only to origins named by configuration or the user (the emulator, a local
  // server); a Hugging Face host gets the token only over https.
  {
    std::lock_guard lock(m_origins_mutex);
    if (m_trusted_origins.contains(http::origin_of(*parts))) {
      return true;
    }
  }
  return parts->scheme == "https" && is_hf_host(parts->host);
}

Result<void> Client::decorate(http::Request& request, Auth auth) const {
  if (m_options.config.offline) {
    // As huggingface_hub: in offline mode no request goes out, whatever asks for one.
    return fail(ErrorKind::usage,
                "HF_HUB_OFFLINE is set: no request is sent (" + request.method + " " + request.url +
                    ")",
                "unset HF_HUB_OFFLINE (or set it to 0) to go online; files already in the cache "
                "need no network");
  }
  if (!http::parse_url(request.url)) {
    return fail(ErrorKind::usage, "not an http(s) URL: " + request.url);
  }
  // A line break would end the header and start another one the user never asked for.
  const auto has_line_break = [](const std::string& text) {
    return text.find_first_of("\r\n") != std::string::npos;
  };
  for (const auto& [name, value] : m_options.extra_headers) {
    if (has_line_break(name) || has_line_break(value)) {
      return fail(ErrorKind::usage, "-H '" + util::truncate_utf8(name, 100) +
                                        "': a header cannot contain a line break");
    }
    request.headers.set(name, value);
  }
  if (has_line_break(m_options.bill_to)) {
    return fail(ErrorKind::usage, "--bill-to: the organization name cannot contain a line break");
  }
  if (!m_options.bill_to.empty() && !request.headers.has("X-HF-Bill-To")) {
    request.headers.set("X-HF-Bill-To", m_options.bill_to);
  }
  if (auth == Auth::never || request.headers.has("Authorization")) {
    return {};
  }
  if (!m_options.token.present()) {
    if (auth == Auth::required) {
      return fail(ErrorKind::auth, "this needs a Hugging Face token and none was found",
                  "pass --token, set HF_TOKEN, or log in with `hf auth login` (token file " +
                      m_options.config.token_path.string() + ")");
    }
    return {};
  }
  if (may_receive_token(request.url)) {
    request.headers.set("Authorization", "Bearer " + m_options.token.value);
  }
  return {};
}

Result<http::Response> Client::send(http::Request& request, Auth auth) {
  HFRUN_TRY(decorate(request, auth));
  if (m_options.dry_run) {
    print_dry_run(request);
    return unexpected<Error>(dry_run_stop());
  }
  return http::send_with_retry(*m_transport, request, m_options.retry, m_sleeper, m_reporter.note);
}

std::vector<Result<http::Response>> Client::send_all(std::vector<http::Request>& requests,
                                                     Auth auth) {
  return send_all(requests, std::vector<Auth>(requests.size(), auth), 0);
}

std::vector<Result<http::Response>> Client::send_all(std::vector<http::Request>& requests,
                                                     const std::vector<Auth>& auth,
                                                     std::size_t max_in_flight) {
  std::vector<Result<http::Response>> out;
  std::vector<http::Request> ready;
  std::vector<std::size_t> positions;
  out.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto decorated = decorate(requests[i], i < auth.size() ? auth[i] : Auth::if_trusted);
    if (!decorated) {
      out.emplace_back(unexpected<Error>(decorated.error()));
      continue;
    }
    if (m_options.dry_run) {
      print_dry_run(requests[i]);
      out.emplace_back(unexpected<Error>(dry_run_stop()));
      continue;
    }
    out.emplace_back(unexpected<Error>(make_error(ErrorKind::internal, "pending")));
    positions.push_back(i);
    ready.push_back(std::move(requests[i]));
  }
  if (ready.empty()) {
    return out;
  }
  auto results = http::send_all_with_retry(*m_transport, ready, m_options.retry, m_sleeper,
                                           m_reporter.note, max_in_flight);
  for (std::size_t k = 0; k < positions.size(); ++k) {
    out[positions[k]] = std::move(results[k]);
    requests[positions[k]] = std::move(ready[k]);
  }
  return out;
}

std::string Client::curl_command(const http::Request& request) const {
  std::string body_prefix;
  std::string cmd = "curl";
  if (request.method == "HEAD") {
    cmd += " --head";
  } else if (request.method != "GET" && !(request.method == "POST" && request.body)) {
    cmd += " -X " + request.method;
  }
  if (request.follow_redirects) {
    cmd += " -L";
  }
  cmd += " " + util::shell_quote(request.url);
  const auto described = request.body ? request.body->describe() : std::nullopt;
  const bool form = described && described->kind == http::BodyDescription::Kind::form_file;
  for (const auto& [name, value] : request.headers.entries()) {
    if (form && http::iequals(name, "Content-Type")) {
      continue; // curl -F writes its own, with its own boundary
    }
    if (carries_token(value, m_options.token)) {
      // Double quotes so the shell expands $HF_TOKEN; the value itself is never printed.
      std::string quoted;
      if (value == "Bearer " + m_options.token.value) {
        quoted = double_quote_with_token(name + ": Bearer ", "");
        quoted.insert(quoted.size() - 1, "$HF_TOKEN");
      } else {
        quoted = double_quote_with_token(header_line(name, value), m_options.token.value);
      }
      cmd += " -H ";
      cmd += quoted;
      continue;
    }
    if (util::is_credential_header(name)) {
      // Another credential (a provider key, a cookie from -H): masked, print_dry_run says so.
      cmd += " -H ";
      cmd += util::shell_quote(header_line(name, util::redact_header(name, value)));
      continue;
    }
    cmd += " -H ";
    cmd += util::shell_quote(header_line(name, value));
  }
  if (request.body) {
    if (!described) {
      cmd += " --data-binary '<body not shown>'";
    } else if (described->kind == http::BodyDescription::Kind::bytes) {
      cmd += " --data-binary " + util::shell_quote(described->bytes);
    } else if (described->kind == http::BodyDescription::Kind::file) {
      cmd += " --data-binary @" + util::shell_quote(described->path);
    } else if (form) {
      cmd += " -F " + util::shell_quote(described->form_field + "=@" + described->path +
                                        ";filename=" + described->form_filename +
                                        ";type=" + described->form_type);
    } else {
      // base64 in JSON: assembled by the shell and streamed into curl, as hfrun streams it.
      body_prefix = "{ printf '%s' " + util::shell_quote(described->prefix) + "; base64 -w0 " +
                    util::shell_quote(described->path) + "; printf '%s' " +
                    util::shell_quote(described->suffix) + "; } | ";
      cmd += " --data-binary @-";
    }
  }
  return body_prefix + cmd;
}

} // namespace hfrun::client
