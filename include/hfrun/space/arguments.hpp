// The user's values for an endpoint's parameters, in the app's order (docs/space.md, "Inputs"):
// `name=text`, `name:=json`, `name=@path` (a file to upload), `--inputs JSON` for all of them by
// position; defaults from /info fill the rest. State inputs, which have no API parameter, are sent
// as null.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <hfrun/space/app.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::space {

struct Argument {
  enum class Kind { text, json, file };
  std::string name;
  Kind kind = Kind::text;
  std::string text;           // Kind::text
  nlohmann::json value;       // Kind::json
  std::filesystem::path path; // Kind::file
};

// `name=value`, `name:=json`, `name=@path`; a bad JSON value is a usage error naming it.
[[nodiscard]] Result<Argument> parse_argument(const std::string& item);

// One parameter's value: JSON, or a file still to be uploaded.
struct Slot {
  nlohmann::json value;
  std::optional<std::filesystem::path> upload;
};

// Every parameter of `endpoint`, in order. `positional` (--inputs) is a JSON list of values by
// position; named arguments override it. A string for a number/boolean parameter is converted
// when it reads as one ("steps=20"); a file parameter takes `@path` or an http(s) URL. An unknown
// name (with "did you mean"), a missing required parameter, or a file given as text is
// ErrorKind::usage naming the parameters there are. `example` is how hints show a call.
[[nodiscard]] Result<std::vector<Slot>>
map_arguments(const ApiEndpoint& endpoint,
              const std::vector<Argument>& named,
              const std::optional<nlohmann::json>& positional,
              const std::string& example);

// FileData for a URL input (spaces.md §5: handle_file of a URL).
[[nodiscard]] nlohmann::json url_file_data(const std::string& url);
// FileData for an uploaded file: the server path /upload answered, and the file's own name.
[[nodiscard]] nlohmann::json uploaded_file_data(const std::string& server_path,
                                                const std::string& original_name,
                                                const std::string& base);

// The queue/call "data" array of a dependency: the endpoint's values at the non-State inputs, null
// at State ones. Without a config dependency (a self-described API), the values as they are.
[[nodiscard]] nlohmann::json payload_data(const AppConfig& config,
                                          const Dependency* dependency,
                                          const std::vector<nlohmann::json>& values);

} // namespace hfrun::space
