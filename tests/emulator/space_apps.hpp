// The Gradio apps the emulator's world Spaces run (docs/emulator.md, "Gradio"): what each endpoint
// takes and returns (from which /config and /info are written), and what it does when called. The
// protocol around them (queue, /call, uploads) is space_server.cpp's.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace emulator::gradio {

struct Param {
  std::string name;
  std::string component;   // "Textbox", "Image" ...
  std::string python_type; // "str", "float", "filepath"
  nlohmann::json schema;   // the value's JSON schema
  bool has_default = false;
  nlohmann::json default_value;
  nlohmann::json example;
};

struct Return {
  std::string label;
  std::string component;
  std::string python_type;
  nlohmann::json schema;
};

struct Endpoint {
  std::string api; // without "/"
  std::vector<Param> params;
  std::vector<Return> returns;
  bool generator = false;
  bool state = false; // one State input after the params, and one State output after the returns
};

struct AppDef {
  std::vector<Endpoint> endpoints;
};

// The app of a world Space's "gradio.app", or nullptr.
[[nodiscard]] const AppDef* find_app(const std::string& kind);

// What a running job can do: tell the client, wait (cut short by a cancel), see the request.
class JobIo {
public:
  virtual ~JobIo() = default;
  virtual void estimation(int rank, int queue_size, double eta) = 0;
  virtual void starts() = 0;
  virtual void
  progress(int index, int length, const std::string& unit, const std::string& desc) = 0;
  virtual void log(const std::string& level, const std::string& text) = 0;
  virtual void heartbeat() = 0;
  // A generator's full current outputs (the server turns them into diffs where the protocol has
  // them).
  virtual void generating(const nlohmann::json& outputs) = 0;
  // Sleeps; false when the job was cancelled meanwhile.
  [[nodiscard]] virtual bool wait(std::chrono::milliseconds duration) = 0;
  [[nodiscard]] virtual std::string header(const std::string& name) const = 0;
  // An uploaded or generated file: its path on disk, or nullopt when the server never made it.
  [[nodiscard]] virtual std::optional<std::string>
  local_file(const std::string& server_path) const = 0;
  // Stores bytes as an output file; the FileData for it (url on this app).
  [[nodiscard]] virtual nlohmann::json
  output_file(const std::string& name, const std::string& bytes, const std::string& mime_type) = 0;
};

struct JobResult {
  bool success = true;
  nlohmann::json outputs; // success: every output, State included
  nlohmann::json error;   // failure: {"error": text|null, ...}
};

// Runs `endpoint` of app `kind` on `inputs` (every input, State included).
[[nodiscard]] JobResult
run_app(const std::string& kind, const Endpoint& endpoint, const nlohmann::json& inputs, JobIo& io);

} // namespace emulator::gradio
