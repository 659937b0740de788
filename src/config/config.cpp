#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <hfrun/config/config.hpp>
#include <hfrun/util/fd.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::config {

namespace {

std::string strip_trailing_slashes(std::string url) {
  while (url.size() > 1 && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

std::optional<std::string> non_empty(const EnvLookup& env, const char* name) {
  auto value = env(name);
  if (value && value->empty()) {
    return std::nullopt;
  }
  return value;
}

// huggingface_hub applies os.path.expanduser(os.path.expandvars(...)) to its path variables.
std::filesystem::path expand_path(std::string raw, const EnvLookup& env) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '$') {
      out += raw[i];
      continue;
    }
    std::size_t start = i + 1;
    std::size_t end = start;
    const bool braced = start < raw.size() && raw[start] == '{';
    if (braced) {
      end = raw.find('}', start);
      if (end == std::string::npos) {
        out += raw.substr(i);
        break;
      }
      const std::string name = raw.substr(start + 1, end - start - 1);
      auto value = env(name);
      out += value ? *value : raw.substr(i, end - i + 1); // unknown vars stay as written
      i = end;
      continue;
    }
    while (end < raw.size() &&
           (std::isalnum(static_cast<unsigned char>(raw[end])) || raw[end] == '_')) {
      ++end;
    }
    if (end == start) {
      out += '$';
      continue;
    }
    const std::string name = raw.substr(start, end - start);
    auto value = env(name);
    out += value ? *value : raw.substr(i, end - i);
    i = end - 1;
  }
  if (out == "~" || out.starts_with("~/")) {
    auto home = env("HOME");
    out = (home ? *home : std::string()) + out.substr(1);
  }
  return std::filesystem::path(out);
}

// http(s)://host...: what the transport can send to. Checked here so the message names the
// variable.
bool is_service_url(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return false;
  }
  const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  return !host.empty() && host.find_first_of(" \t\r\n") == std::string_view::npos &&
         std::none_of(url.begin(), url.end(), [](char ch) {
           return static_cast<unsigned char>(ch) < 0x20 || ch == ' ' || ch == 0x7f;
         });
}

// The token file's content, or why it was passed over (a warning). Read with a bound: the file may
// be anything (a log, /dev/zero) and only a token's few bytes are wanted.
std::optional<std::string> read_token_file(const std::filesystem::path& path,
                                           std::vector<std::string>& warnings) {
  const util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) {
    if (errno != ENOENT && errno != ENOTDIR) { // no token file is the normal case of no token
      warnings.push_back("cannot read the token file " + path.string() + ": " +
                         std::strerror(errno) + "; going on without it");
    }
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || S_ISDIR(st.st_mode)) {
    warnings.push_back("the token file " + path.string() + " is a directory; going on without it");
    return std::nullopt;
  }
  const auto too_large = [&] {
    warnings.push_back("the token file " + path.string() + " is larger than " +
                       std::to_string(k_max_token_file_bytes) +
                       " bytes, too large for a token; it is ignored");
  };
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > k_max_token_file_bytes) {
    too_large();
    return std::nullopt;
  }
  std::string content(k_max_token_file_bytes + 1, '\0');
  std::size_t used = 0;
  while (used < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + used, content.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      warnings.push_back("cannot read the token file " + path.string() + ": " +
                         std::strerror(errno) + "; going on without it");
      return std::nullopt;
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  if (used > k_max_token_file_bytes) {
    too_large();
    return std::nullopt;
  }
  content.resize(used);
  return content;
}

} // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

EnvLookup map_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

bool is_truthy(const std::optional<std::string>& value) {
  if (!value) {
    return false;
  }
  std::string upper = *value;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

Config load_config(const EnvLookup& env) {
  Config c;
  c.endpoint = strip_trailing_slashes(non_empty(env, "HF_ENDPOINT").value_or(k_default_endpoint));
  c.router_url =
      strip_trailing_slashes(non_empty(env, "HFRUN_ROUTER_URL").value_or(k_default_router));
  c.endpoints_api_url = strip_trailing_slashes(
      non_empty(env, "HFRUN_ENDPOINTS_API_URL").value_or(k_default_endpoints_api));

  if (auto home = non_empty(env, "HF_HOME")) {
    c.hf_home = expand_path(*home, env);
  } else if (auto xdg = non_empty(env, "XDG_CACHE_HOME")) {
    c.hf_home = expand_path(*xdg, env) / "huggingface";
  } else {
    c.hf_home = expand_path("~/.cache/huggingface", env);
  }
  // HUGGINGFACE_HUB_CACHE is huggingface_hub's legacy name, still honoured there.
  if (auto cache = non_empty(env, "HF_HUB_CACHE")) {
    c.hub_cache = expand_path(*cache, env);
  } else if (auto legacy = non_empty(env, "HUGGINGFACE_HUB_CACHE")) {
    c.hub_cache = expand_path(*legacy, env);
  } else {
    c.hub_cache = c.hf_home / "hub";
  }
  c.token_path = non_empty(env, "HF_TOKEN_PATH")
                     ? expand_path(*non_empty(env, "HF_TOKEN_PATH"), env)
                     : c.hf_home / "token";
  c.offline = is_truthy(env("HF_HUB_OFFLINE")) || is_truthy(env("TRANSFORMERS_OFFLINE"));
  c.disable_progress = is_truthy(env("HF_HUB_DISABLE_PROGRESS_BARS"));
  // A dumb terminal shows escape sequences as garbage: no colour, as with NO_COLOR.
  c.no_color =
      non_empty(env, "NO_COLOR").has_value() || env("TERM") == std::optional<std::string>("dumb");
  c.ca_bundle =
      non_empty(env, "CURL_CA_BUNDLE").value_or(non_empty(env, "SSL_CERT_FILE").value_or(""));
  return c;
}

std::string clean_token(std::string raw) {
  std::erase(raw, '\r');
  std::erase(raw, '\n');
  const auto first = raw.find_first_not_of(" \t\f\v");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = raw.find_last_not_of(" \t\f\v");
  return raw.substr(first, last - first + 1);
}

Token find_token(const std::optional<std::string>& flag,
                 const EnvLookup& env,
                 const Config& config) {
  auto from = [](std::optional<std::string> raw, TokenSource source) -> Token {
    if (!raw) {
      return {};
    }
    std::string cleaned = clean_token(std::move(*raw));
    if (cleaned.empty()) {
      return {};
    }
    return Token{std::move(cleaned), source, {}};
  };
  if (auto t = from(flag, TokenSource::flag); t.present()) {
    return t;
  }
  if (auto t = from(env("HF_TOKEN"), TokenSource::env_hf_token); t.present()) {
    return t;
  }
  if (auto t = from(env("HUGGING_FACE_HUB_TOKEN"), TokenSource::env_hub_token); t.present()) {
    return t;
  }
  std::vector<std::string> warnings;
  Token t = from(read_token_file(config.token_path, warnings), TokenSource::file);
  t.warnings = std::move(warnings);
  return t;
}

Result<void> check_config(const Config& config) {
  const std::pair<const std::string*, const char*> urls[] = {
      {&config.endpoint, "HF_ENDPOINT"},
      {&config.router_url, "HFRUN_ROUTER_URL"},
      {&config.endpoints_api_url, "HFRUN_ENDPOINTS_API_URL"},
  };
  for (const auto& [url, variable] : urls) {
    if (!is_service_url(*url)) {
      std::string shown = *url;
      if (shown.size() > 200) {
        shown.resize(200);
        shown += "...";
      }
      return fail(
          ErrorKind::usage, std::string(variable) + " is not an http(s) URL: '" + shown + "'",
          std::string("set ") + variable + " to a URL such as https://huggingface.co, or unset it");
    }
  }
  return {};
}

std::string source_name(TokenSource source, const Config& config) {
  switch (source) {
  case TokenSource::none:
    return "no token";
  case TokenSource::flag:
    return "--token";
  case TokenSource::env_hf_token:
    return "HF_TOKEN";
  case TokenSource::env_hub_token:
    return "HUGGING_FACE_HUB_TOKEN";
  case TokenSource::file:
    return "the token file " + config.token_path.string();
  }
  return "no token";
}

} // namespace hfrun::config
