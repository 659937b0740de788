// GET {root}/config read into AppConfig (spaces.md §2.1).
#include <algorithm>
#include <charconv>
#include <hfrun/http/url.hpp>
#include <hfrun/space/app.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::space {

namespace {

using nlohmann::json;

std::vector<int> ids_of(const json& dependency, std::string_view key) {
  std::vector<int> ids;
  if (const json* list = util::json_array(dependency, key)) {
    for (const auto& item : *list) {
      if (auto id = util::as_int(item)) {
        ids.push_back(static_cast<int>(*id));
      }
    }
  }
  return ids;
}

// Whether an endpoint is meant for API clients: 5.x "show_api", 6.x "api_visibility".
bool listed(const json& dependency) {
  if (auto visibility = util::json_string(dependency, "api_visibility")) {
    return *visibility != "private";
  }
  return true;
}

Dependency dependency_of(const json& entry, std::size_t position) {
  Dependency d;
  d.fn_index = static_cast<int>(util::int_or(entry, "id", static_cast<std::int64_t>(position)));
  if (auto name = util::json_string(entry, "api_name")) {
    d.api_name = *name;
    if (!d.api_name.empty() && d.api_name.front() == '/') {
      d.api_name.erase(0, 1);
    }
  }
  d.inputs = ids_of(entry, "inputs");
  d.outputs = ids_of(entry, "outputs");
  // "queue": null follows the app's enable_queue; false is the /run route.
  d.queued = util::bool_or(entry, "queue", true);
  if (const json* types = util::json_object(entry, "types")) {
    d.generator = util::bool_or(*types, "generator", false);
  }
  d.stream_connection = util::string_or(entry, "connection", "sse") == "stream";
  if (!listed(entry)) {
    d.api_name.clear(); // private: not callable by name
  }
  return d;
}

} // namespace

std::optional<Protocol> parse_protocol(std::string_view name) {
  if (name == "sse_v3") {
    return Protocol::sse_v3;
  }
  if (name == "sse_v2.1") {
    return Protocol::sse_v2_1;
  }
  if (name == "sse_v2") {
    return Protocol::sse_v2;
  }
  if (name == "sse_v1") {
    return Protocol::sse_v1;
  }
  if (name == "sse") {
    return Protocol::sse;
  }
  if (name == "ws") {
    return Protocol::ws;
  }
  return std::nullopt;
}

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
  case Protocol::sse_v3:
    return "sse_v3";
  case Protocol::sse_v2_1:
    return "sse_v2.1";
  case Protocol::sse_v2:
    return "sse_v2";
  case Protocol::sse_v1:
    return "sse_v1";
  case Protocol::sse:
    return "sse";
  case Protocol::ws:
    return "ws";
  }
  return "unknown";
}

bool uses_diffs(Protocol protocol) {
  switch (protocol) {
  case Protocol::sse_v3:
  case Protocol::sse_v2_1:
  case Protocol::sse_v2:
    return true;
  case Protocol::sse_v1:
  case Protocol::sse:
  case Protocol::ws:
    return false;
  }
  return false;
}

int compare_versions(std::string_view a, std::string_view b) {
  const auto parts = [](std::string_view v) {
    std::vector<long> out;
    for (const auto& piece : util::split(v, '.')) {
      long n = 0;
      const auto* end = piece.data() + piece.size();
      std::from_chars(piece.data(), end, n); // a non-numeric part stays 0
      out.push_back(n);
    }
    return out;
  };
  auto pa = parts(a);
  auto pb = parts(b);
  const std::size_t n = std::max(pa.size(), pb.size());
  pa.resize(n, 0);
  pb.resize(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (pa[i] != pb[i]) {
      return pa[i] < pb[i] ? -1 : 1;
    }
  }
  return 0;
}

std::string AppConfig::base() const {
  return root + api_prefix;
}

const Component* AppConfig::component(int id) const {
  const auto it = std::find_if(components.begin(), components.end(),
                               [&](const Component& c) { return c.id == id; });
  return it == components.end() ? nullptr : &*it;
}

const Dependency* AppConfig::dependency(std::string_view api_name) const {
  if (!api_name.empty() && api_name.front() == '/') {
    api_name.remove_prefix(1);
  }
  const auto it = std::find_if(dependencies.begin(), dependencies.end(),
                               [&](const Dependency& d) { return d.api_name == api_name; });
  return it == dependencies.end() || api_name.empty() ? nullptr : &*it;
}

bool AppConfig::has_call_route() const {
  return !version.empty() && compare_versions(version, "4.20.0") >= 0;
}

Result<AppConfig> parse_config(std::string_view body, std::string_view host) {
  const json doc = util::parse_untrusted(body);
  if (!doc.is_object()) {
    return fail(ErrorKind::bad_response, "the app's /config is not a JSON object",
                "is this a Gradio app? Its page should answer GET /config with JSON");
  }
  AppConfig config;
  config.version = util::string_or(doc, "version", "");
  config.protocol_text = util::string_or(doc, "protocol", "");
  // Configs before 4.0 have no "protocol": they all used the websocket queue.
  config.protocol = config.protocol_text.empty() ? std::optional(Protocol::ws)
                                                 : parse_protocol(config.protocol_text);
  config.api_prefix = util::without_trailing_slash(util::string_or(doc, "api_prefix", ""));
  if (!config.api_prefix.empty() && config.api_prefix.front() != '/') {
    config.api_prefix = std::string("/") + config.api_prefix;
  }
  const std::string own_host = util::without_trailing_slash(std::string(host));
  config.root = own_host;
  if (auto root = util::json_string(doc, "root"); root && !root->empty()) {
    // The server builds root from X-Forwarded-Host (replicas get a path of their own); it is used
    // only when it is the same origin as the host asked, so a config cannot redirect uploads and
    // the token to another server.
    const auto asked = http::parse_url(own_host);
    const auto named = http::parse_url(*root);
    if (asked && named && http::origin_of(*asked) == http::origin_of(*named)) {
      config.root = util::without_trailing_slash(*root);
    }
  }
  if (auto size = util::json_int(doc, "max_file_size"); size && *size > 0) {
    config.max_file_size = static_cast<std::uint64_t>(*size);
  }
  config.enable_queue = util::bool_or(doc, "enable_queue", true);
  if (const json* components = util::json_array(doc, "components")) {
    for (const auto& entry : *components) {
      auto id = util::json_int(entry, "id");
      if (!id) {
        continue;
      }
      Component c;
      c.id = static_cast<int>(*id);
      c.type = util::string_or(entry, "type", "");
      c.skip_api = util::bool_or(entry, "skip_api", c.type == "state");
      if (const json* props = util::json_object(entry, "props")) {
        c.label = util::string_or(*props, "label", "");
      }
      config.components.push_back(std::move(c));
    }
  }
  if (const json* dependencies = util::json_array(doc, "dependencies")) {
    for (std::size_t i = 0; i < dependencies->size(); ++i) {
      if ((*dependencies)[i].is_object()) {
        auto d = dependency_of((*dependencies)[i], i);
        if (const json* queue = util::json_member((*dependencies)[i], "queue");
            queue == nullptr || queue->is_null()) {
          d.queued = config.enable_queue;
        }
        config.dependencies.push_back(std::move(d));
      }
    }
  }
  return config;
}

} // namespace hfrun::space
