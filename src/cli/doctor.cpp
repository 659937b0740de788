// hfrun doctor: one screen for a bug report: the build, where the configuration and the token come
// from (never the token), the cache, the local runtimes, proxy and CA settings, and whether the Hub
// and the router answer. A failed check is shown, not fatal (docs/shell.md).
#include "command.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/http/library.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/renamed_field.hpp>
#include <hfrun/util/strings.hpp>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

// Set for this file by cmake/Packaging.cmake.
#ifndef HFRUN_BUILD_TYPE
#define HFRUN_BUILD_TYPE "unknown"
#endif
#ifndef HFRUN_CURL_BUILD_VERSION
#define HFRUN_CURL_BUILD_VERSION "unknown"
#endif

namespace hfrun::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string env_or(const config::EnvLookup& env, const char* name) {
  return env(name).value_or("");
}

// A proxy URL with its password masked: http://user:***@proxy:3128.
std::string mask_credentials(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = url.rfind('@');
  if (at == std::string::npos || at < start) {
    return url;
  }
  const auto colon = url.find(':', start);
  if (colon != std::string::npos && colon < at) {
    return url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  return url.substr(0, start) + "***" + url.substr(at);
}

std::optional<fs::path> find_on_path(const config::EnvLookup& env, const std::string& program) {
  const std::string path = env_or(env, "PATH");
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto colon = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, colon - start)) / program;
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = colon + 1;
  }
  return std::nullopt;
}

// The first line a program prints (stdout and stderr together), or nullopt when it did not run
// or did not exit 0 within `limit` (then it is killed).
std::optional<std::string> first_line_of(const std::vector<std::string>& argv,
                                         std::chrono::milliseconds limit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return std::nullopt;
  }
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    char buffer[4096];
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    if (output.size() < 65536) {
      output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fds[0]);
  if (timed_out) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  output = output.substr(0, output.find('\n'));
  while (!output.empty() && (output.back() == '\r' || output.back() == ' ')) {
    output.pop_back();
  }
  return output;
}

// The libcurl this process loaded (its file names the Debian flavour: libcurl.so.4 is the
// OpenSSL build, libcurl-gnutls.so.4 the GnuTLS one). The curl API itself belongs to src/http/.
std::string loaded_libcurl() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash != std::string::npos && line.find("libcurl", slash) != std::string::npos) {
      return line.substr(slash);
    }
  }
  return "";
}

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("g++ ") + __VERSION__;
#else
  return "unknown";
#endif
}

json build_section() {
  const http::LibraryInfo curl = http::library_info();
  return {{"version", HFRUN_VERSION},
          {"compiler", compiler()},
          {"build_type", HFRUN_BUILD_TYPE},
          {"libcurl_built_with", HFRUN_CURL_BUILD_VERSION},
          {"libcurl_loaded", loaded_libcurl()},
          {"libcurl_version", curl.curl_version},
          {"tls", curl.tls},
          {"http2", curl.http2},
          {"http3", curl.http3}};
}

json config_section(const CommandEnv& env, const config::EnvLookup& lookup) {
  json overrides = json::object();
  for (const char* name : {"HF_ENDPOINT", "HFRUN_ROUTER_URL", "HFRUN_ENDPOINTS_API_URL", "HF_HOME",
                           "HF_HUB_CACHE", "HF_TOKEN_PATH", "HF_HUB_OFFLINE",
                           "HF_HUB_DISABLE_PROGRESS_BARS", "HFRUN_LOCAL_RUNTIME_DIR",
                           "HFRUN_WORKERS_DIR", "XDG_CACHE_HOME", "XDG_DATA_HOME", "NO_COLOR"}) {
    if (auto value = lookup(name)) {
      overrides[name] = *value;
    }
  }
  return {{"token", config::source_name(env.client.token().source, env.config)},
          {"endpoint", env.config.endpoint},
          {"router_url", env.config.router_url},
          {"endpoints_api_url", env.config.endpoints_api_url},
          {"offline", env.config.offline},
          {"set", overrides}};
}

json cache_section(const CommandEnv& env) {
  const auto repos = cache::scan_cache(env.config.hub_cache);
  std::uint64_t bytes = 0;
  for (const auto& repo : repos) {
    bytes += repo.size_on_disk;
  }
  std::error_code ec;
  json out = {{"path", env.config.hub_cache.string()},
              {"exists", fs::is_directory(env.config.hub_cache, ec)},
              {"repos", repos.size()}};
  util::put_renamed(out, "bytes", "size", bytes);
  return out;
}

json runtimes_section(const config::EnvLookup& lookup) {
  json out = json::object();
  auto program = [&](const char* name, const std::vector<std::string>& args,
                     std::chrono::milliseconds limit) {
    json entry = {{"found", false}};
    if (auto path = find_on_path(lookup, name)) {
      entry["found"] = true;
      entry["path"] = path->string();
      std::vector<std::string> argv{path->string()};
      argv.insert(argv.end(), args.begin(), args.end());
      if (auto line = first_line_of(argv, limit)) {
        entry["version"] = *line;
      }
    }
    return entry;
  };
  out["node"] = program("node", {"--version"}, std::chrono::seconds(5));
  json python = program("python3", {"--version"}, std::chrono::seconds(5));
  if (const std::string path = util::string_or(python, "path", ""); !path.empty()) {
    // Importing transformers takes seconds; its version, or why not, is what `hfrun local` needs.
    auto version =
        first_line_of({path, "-c", "import transformers; print(transformers.__version__)"},
                      std::chrono::seconds(30));
    python["transformers"] = version ? json(*version) : json(nullptr);
  }
  out["python3"] = python;
  out["llama-server"] = program("llama-server", {"--version"}, std::chrono::seconds(5));
  // `hfrun local --setup` installs each runtime into its own folder (docs/local.md).
  fs::path folder;
  if (const std::string dir = env_or(lookup, "HFRUN_LOCAL_RUNTIME_DIR"); !dir.empty()) {
    folder = dir;
  } else if (const std::string data = env_or(lookup, "XDG_DATA_HOME"); !data.empty()) {
    folder = fs::path(data) / "hfrun" / "runtimes";
  } else {
    folder = fs::path(env_or(lookup, "HOME")) / ".local" / "share" / "hfrun" / "runtimes";
  }
  json installed = json::array();
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) {
      installed.push_back(it->path().filename().string());
    }
  }
  std::sort(installed.begin(), installed.end());
  out["runtimes_folder"] = {{"path", folder.string()}, {"installed", installed}};
  return out;
}

json network_section(const config::EnvLookup& lookup, const config::Config& config) {
  json out = json::object();
  for (const char* name :
       {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
        "NO_PROXY", "no_proxy", "CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    if (auto value = lookup(name)) {
      out[name] = mask_credentials(*value);
    }
  }
  out["ca_bundle"] = config.ca_bundle.empty() ? std::string("the system's") : config.ca_bundle;
  return out;
}

json check(CommandEnv& env, const std::string& url) {
  http::Request request;
  request.method = "GET";
  request.url = url;
  request.retryable = false; // one try, so an unreachable host shows at once
  request.timeouts =
      http::Timeouts{std::chrono::milliseconds(5000), std::chrono::milliseconds(15000),
                     std::chrono::milliseconds(10000)};
  const auto start = std::chrono::steady_clock::now();
  auto response = env.client.send(request, client::Auth::if_trusted);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  json out = {{"url", url}};
  util::put_renamed(out, "duration_ms", "ms", ms);
  if (!response) {
    out["reachable"] = false;
    out["error"] = response.error().message;
    return out;
  }
  out["reachable"] = true;
  out["status"] = response->status;
  out["http_version"] = response->http_version;
  return out;
}

std::string row(const std::string& name, const std::string& value) {
  std::string line = "  " + name;
  line += name.size() < 24 ? std::string(24 - name.size(), ' ') : std::string(" ");
  return line + value + "\n";
}

std::string str(const json& j, const char* key) {
  return util::string_or(j, key, "");
}

std::string render(const json& report) {
  const json& b = report["build"];
  std::string s = "Build\n";
  s += row("version", str(b, "version"));
  s += row("compiler", str(b, "compiler"));
  s += row("build type", str(b, "build_type"));
  s += row("libcurl (built with)", str(b, "libcurl_built_with"));
  s += row("libcurl (loaded)",
           str(b, "libcurl_loaded").empty() ? std::string("-") : str(b, "libcurl_loaded"));
  const auto flag = [&](const char* key) {
    return util::json_bool(b, key).value_or(false) ? std::string("yes") : std::string("no");
  };
  s += row("libcurl (running)", str(b, "libcurl_version") + ", TLS " +
                                    (str(b, "tls").empty() ? std::string("none") : str(b, "tls")) +
                                    ", HTTP/2 " + flag("http2") + ", HTTP/3 " + flag("http3"));
  const json& c = report["config"];
  s += "\nConfiguration\n";
  const std::string token_source = str(c, "token");
  const bool from_env = token_source == "HF_TOKEN" || token_source == "HUGGING_FACE_HUB_TOKEN";
  s += row("token from", token_source + (from_env ? " env" : ""));
  s += row("Hub (HF_ENDPOINT)", str(c, "endpoint"));
  s += row("router", str(c, "router_url"));
  s += row("endpoints API", str(c, "endpoints_api_url"));
  s += row("offline", c.value("offline", false) ? "yes (HF_HUB_OFFLINE)" : "no");
  for (const auto& [name, value] : c["set"].items()) {
    s += row(name, util::as_string(value).value_or(""));
  }
  const json& k = report["cache"];
  s += "\nCache\n";
  s += row("location", str(k, "path") + (k.value("exists", false) ? "" : " (not created yet)"));
  s += row("repos", std::to_string(k.value("repos", 0)) + ", " +
                        util::human_bytes_decimal(k.value("size", std::uint64_t{0})));
  const json& r = report["runtimes"];
  s += "\nLocal runtimes\n";
  for (const char* name : {"node", "python3", "llama-server"}) {
    const json& p = r[name];
    std::string value = "not found on PATH";
    if (p.value("found", false)) {
      value = str(p, "path") + (str(p, "version").empty() ? "" : " (" + str(p, "version") + ")");
    }
    s += row(name, value);
    if (std::string_view(name) == "python3" && p.value("found", false)) {
      const json* t = util::json_object(r, "python3");
      const std::string version = t != nullptr ? str(*t, "transformers") : "";
      s += row("  transformers", version.empty() ? "not importable" : version);
    }
  }
  const json& folder = r["runtimes_folder"];
  std::string installed;
  for (const auto& name : folder["installed"]) {
    installed += (installed.empty() ? "" : ", ") + util::as_string(name).value_or("");
  }
  s += row("runtimes folder",
           str(folder, "path") + (installed.empty() ? " (none)" : ": " + installed));
  s += "\nProxy and certificates\n";
  for (const auto& [name, value] : report["network"].items()) {
    s += row(name == "ca_bundle" ? "CA bundle in use" : name, util::as_string(value).value_or(""));
  }
  s += "\nConnectivity\n";
  for (const char* name : {"hub", "router"}) {
    const json& t = report["connectivity"][name];
    std::string value = str(t, "url") + "  ";
    if (t.value("reachable", false)) {
      value += "reachable: HTTP " + std::to_string(t.value("status", 0));
      if (!str(t, "http_version").empty()) {
        value += " over HTTP/" + str(t, "http_version");
      }
    } else {
      value += "NOT reachable: " + str(t, "error");
    }
    value += ", " + std::to_string(t.value("ms", 0)) + " ms";
    s += row(name, value);
  }
  return s;
}

class DoctorCommand final : public Command {
public:
  void setup(CLI::App&) override {}

  Result<void> run(CommandEnv& env) override {
    const config::EnvLookup lookup = config::process_env();
    json report;
    report["build"] = build_section();
    report["config"] = config_section(env, lookup);
    report["cache"] = cache_section(env);
    report["runtimes"] = runtimes_section(lookup);
    report["network"] = network_section(lookup, env.config);
    report["connectivity"] = {
        {"hub", check(env, env.config.endpoint + "/api/whoami-v2")},
        {"router", check(env, env.config.router_url + "/v1/models")},
    };
    if (env.global.json) {
      return env.out.result_json(report);
    }
    return env.out.result_text(render(report));
  }
};

} // namespace

std::unique_ptr<Command> make_doctor_command() {
  return std::make_unique<DoctorCommand>();
}

} // namespace hfrun::cli
