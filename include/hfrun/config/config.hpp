// Configuration from the environment, with the same names and meanings as huggingface_hub so that
// existing set-ups just work (docs/configuration.md). Read once, then passed down as a value.
#pragma once

#include <filesystem>
#include <functional>
#include <hfrun/error.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::config {

// Where environment variables come from: the process, or a map in tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
[[nodiscard]] EnvLookup process_env();
[[nodiscard]] EnvLookup map_env(std::map<std::string, std::string> values);

inline constexpr const char* k_default_endpoint = "https://huggingface.co";
inline constexpr const char* k_default_router = "https://router.huggingface.co";
inline constexpr const char* k_default_endpoints_api = "https://api.endpoints.huggingface.cloud/v2";

struct Config {
  std::string endpoint;          // HF_ENDPOINT, no trailing slash
  std::string router_url;        // HFRUN_ROUTER_URL
  std::string endpoints_api_url; // HFRUN_ENDPOINTS_API_URL
  std::filesystem::path
      hf_home; // HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
  std::filesystem::path hub_cache;  // HF_HUB_CACHE, else $HF_HOME/hub
  std::filesystem::path token_path; // HF_TOKEN_PATH, else $HF_HOME/token
  bool offline = false;             // HF_HUB_OFFLINE
  bool disable_progress = false;    // HF_HUB_DISABLE_PROGRESS_BARS
  bool no_color = false;            // NO_COLOR (any non-empty value), or TERM=dumb
  std::string ca_bundle; // CURL_CA_BUNDLE, else SSL_CERT_FILE (libcurl itself reads neither)
};

// Read every variable hfrun honours. `~` and $VARS in paths are expanded as huggingface_hub does.
[[nodiscard]] Config load_config(const EnvLookup& env);

// The service URLs are http(s) URLs with a host: else ErrorKind::usage naming the variable that set
// the bad one (HF_ENDPOINT, HFRUN_ROUTER_URL, HFRUN_ENDPOINTS_API_URL).
[[nodiscard]] Result<void> check_config(const Config& config);

// A token file larger than this is no token file (a log, a key store): ignored with a warning.
inline constexpr std::size_t k_max_token_file_bytes = 4096;

// huggingface_hub's truthy values: "1", "ON", "YES", "TRUE" (any case).
[[nodiscard]] bool is_truthy(const std::optional<std::string>& value);

enum class TokenSource { none, flag, env_hf_token, env_hub_token, file };

struct Token {
  std::string value; // empty when none
  TokenSource source = TokenSource::none;
  // Why the token file was passed over (unreadable, too large), for the CLI to print on stderr.
  std::vector<std::string> warnings;
  [[nodiscard]] bool present() const { return !value.empty(); }
};

// Token discovery in huggingface_hub's order: --token, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the
// token file. Values are cleaned (CR/LF removed, whitespace stripped); an empty value counts as
// none and discovery goes on. A missing token file means no token; an unreadable one, or one larger
// than k_max_token_file_bytes, means no token plus a warning in Token::warnings.
[[nodiscard]] Token
find_token(const std::optional<std::string>& flag, const EnvLookup& env, const Config& config);

// "--token", "HF_TOKEN", ... for messages (never the value).
[[nodiscard]] std::string source_name(TokenSource source, const Config& config);

// Remove CR/LF and surrounding whitespace.
[[nodiscard]] std::string clean_token(std::string raw);

} // namespace hfrun::config
