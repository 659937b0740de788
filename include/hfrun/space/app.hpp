// A Gradio app as its two discovery documents describe it (docs/space.md, "API discovery"):
// GET {root}/config (version, queue protocol, route prefix, components, dependencies) and
// GET {root}{api_prefix}/info (named endpoints with their parameters and return values).
// Both are read without trusting the server: a field of the wrong type is as good as absent.
#pragma once

#include <cstdint>
#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::space {

// How the app's queue is spoken to (config "protocol"; spaces.md §4.8 has the history).
enum class Protocol {
  sse_v3,   // 4.22+: POST queue/join, one GET queue/data stream closed by the server
  sse_v2_1, // 4.21: as v2, FileData outputs carry meta
  sse_v2,   // 4.17: diffs in process_generating; the client closes the stream
  sse_v1,   // 4.9: POST join, GET data, full values, the client closes the stream
  sse,      // 4.0-4.8: GET queue/join with a send_data round trip (not spoken by hfrun)
  ws,       // 3.x websocket queue (not spoken by hfrun: libcurl 7.88 has no websockets)
};
[[nodiscard]] std::optional<Protocol> parse_protocol(std::string_view name);
[[nodiscard]] std::string_view protocol_name(Protocol protocol);
// Whether process_generating carries diffs after its first message (sse_v2 and later).
[[nodiscard]] bool uses_diffs(Protocol protocol);

// -1, 0, 1 comparing dotted versions numerically ("4.9.1" < "4.20.0"); a non-numeric part ("b1")
// counts as 0.
[[nodiscard]] int compare_versions(std::string_view a, std::string_view b);

struct Component {
  int id = 0;
  std::string type;      // "textbox", "image", "state" ...
  bool skip_api = false; // State and layout blocks: no API parameter, null in payloads
  std::string label;
};

struct Dependency {
  int fn_index = 0;         // its "id", or its position in old configs without ids
  std::string api_name;     // without the leading "/"; empty when it has none (api_name false)
  std::vector<int> inputs;  // component ids
  std::vector<int> outputs; // component ids
  bool queued = true;       // false: the /run route, no queue
  bool generator = false;
  bool stream_connection = false; // connection "stream": no diffs (the JS client's rule)
};

struct AppConfig {
  std::string version;       // "5.49.1"; "" when the app does not say
  std::string protocol_text; // as sent, for messages
  std::optional<Protocol> protocol;
  std::string api_prefix; // "/gradio_api" (5.x+), "" (4.x)
  std::string root;       // where every later URL starts: config "root", else the host
  std::optional<std::uint64_t> max_file_size;
  bool enable_queue = true;
  std::vector<Component> components;
  std::vector<Dependency> dependencies;

  // {root}{api_prefix}: the base of /info, /queue/join, /upload, /file=, /call.
  [[nodiscard]] std::string base() const;
  [[nodiscard]] const Component* component(int id) const;
  // By api_name with or without the leading "/".
  [[nodiscard]] const Dependency* dependency(std::string_view api_name) const;
  // The /call route exists (Gradio 4.20+).
  [[nodiscard]] bool has_call_route() const;
};

// `host` is where the config came from: the root when the config names none, and the origin a
// config root must share (a root on another host is ignored: it would send the token elsewhere).
[[nodiscard]] Result<AppConfig> parse_config(std::string_view body, std::string_view host);

struct Parameter {
  std::string name; // parameter_name, else the label: what the user types as `name=`
  std::string label;
  std::string component;   // "Textbox", "Image" ...
  std::string python_type; // "str", "float", "filepath", "Literal['add', 'subtract']" ...
  nlohmann::json schema;   // the JSON schema of the value ("type")
  bool has_default = false;
  nlohmann::json default_value;
  nlohmann::json example;
  bool is_file = false; // a gradio.FileData value: uploaded from `name=@path`
};

struct ReturnValue {
  std::string label;
  std::string component;
  std::string python_type;
  nlohmann::json schema;
  bool is_file = false;
};

struct ApiEndpoint {
  std::string name; // "/predict"
  std::string description;
  std::vector<Parameter> parameters;
  std::vector<ReturnValue> returns;
};

struct ApiInfo {
  std::vector<ApiEndpoint> endpoints; // named endpoints, in the app's order
  // By name with or without the leading "/".
  [[nodiscard]] const ApiEndpoint* find(std::string_view name) const;
};

[[nodiscard]] Result<ApiInfo> parse_info(std::string_view body);

// A gradio.FileData schema (spaces.md §2.2: properties path and meta, meta._type
// "gradio.FileData", with $ref/$defs resolved), or a list of them.
[[nodiscard]] bool is_file_schema(const nlohmann::json& schema);

} // namespace hfrun::space
