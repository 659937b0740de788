#include "space_apps.hpp"

#include "content.hpp"
#include "media.hpp"

#include <array>
#include <fstream>
#include <map>
#include <openssl/evp.h>
#include <sstream>

namespace emulator::gradio {

namespace {

using nlohmann::json;

const json k_file_schema = {
    {"properties",
     {{"path", {{"type", "string"}}},
      {"url", {{"anyOf", json::array({{{"type", "string"}}, {{"type", "null"}}})}}},
      {"meta", {{"properties", {{"_type", {{"const", "gradio.FileData"}, {"type", "string"}}}}}}}}},
    {"required", json::array({"path"})},
    {"title", "FileData"},
    {"type", "object"}};

Param text_param(std::string name, json example = "Hello!!") {
  return {std::move(name), "Textbox",         "str", {{"type", "string"}}, false,
          nullptr,         std::move(example)};
}
Param number_param(std::string name, std::optional<double> def, json example = 3) {
  Param p{std::move(name), "Number", "float",           {{"type", "number"}},
          def.has_value(), nullptr,  std::move(example)};
  if (def) {
    p.default_value = *def;
  }
  return p;
}
Param file_param(std::string name, std::string component) {
  return {
      std::move(name),
      std::move(component),
      "filepath",
      k_file_schema,
      false,
      nullptr,
      {{"path", "https://raw.githubusercontent.com/gradio-app/gradio/main/test/test_files/bus.png"},
       {"meta", {{"_type", "gradio.FileData"}}}}};
}
Return text_return(std::string label) {
  return {std::move(label), "Textbox", "str", {{"type", "string"}}};
}

std::map<std::string, AppDef> build_apps() {
  std::map<std::string, AppDef> apps;
  apps["text"] = {{{"predict", {text_param("name")}, {text_return("output")}, false, false}}};
  apps["classify"] = {{{"predict",
                        {file_param("image", "Image")},
                        {{"label",
                          "Label",
                          "Dict(label: str | int | float | None, confidences: list[Dict(label: str "
                          "| int | float | None, confidence: float | None)] | None)",
                          {{"type", "object"}}}},
                        false,
                        false}}};
  Param steps{"steps", "Slider", "float", {{"type", "number"}, {"minimum", 1}, {"maximum", 50}},
              true,    20,       20};
  apps["generate"] = {{{"generate",
                        {text_param("prompt", "a cat"), steps},
                        {{"image", "Image", "filepath", k_file_schema}},
                        false,
                        false}}};
  apps["stream"] = {
      {{"chat", {text_param("message", "hello")}, {text_return("reply")}, true, false}}};
  Param operation{"operation",
                  "Radio",
                  "Literal['add', 'subtract', 'multiply', 'divide']",
                  {{"type", "string"}, {"enum", {"add", "subtract", "multiply", "divide"}}},
                  true,
                  "add",
                  "add"};
  apps["calc"] = {{{"add",
                    {number_param("a", std::nullopt), number_param("b", 1)},
                    {{"output", "Number", "float", {{"type", "number"}}}},
                    false,
                    false},
                   {"operate",
                    {number_param("a", std::nullopt), operation, number_param("b", std::nullopt)},
                    {{"output", "Number", "float", {{"type", "number"}}}},
                    false,
                    false},
                   {"remember",
                    {number_param("value", std::nullopt)},
                    {{"total", "Number", "float", {{"type", "number"}}}},
                    false,
                    true}}};
  apps["broken"] = {{{"predict", {text_param("text")}, {text_return("output")}, false, false},
                     {"explain", {text_param("text")}, {text_return("output")}, false, false}}};
  apps["slow"] = {
      {{"predict", {number_param("seconds", 1, 1)}, {text_return("output")}, false, false}}};
  apps["zerogpu"] = {
      {{"predict", {text_param("prompt", "a cat")}, {text_return("output")}, false, false}}};
  Param task{"task",
             "Radio",
             "Literal['transcribe', 'translate']",
             {{"type", "string"}, {"enum", {"transcribe", "translate"}}},
             true,
             "transcribe",
             "transcribe"};
  apps["transcribe"] = {
      {{"predict", {file_param("inputs", "Audio"), task}, {text_return("output")}, false, false}}};
  apps["fileinfo"] = {{{"inspect",
                        {file_param("file", "File")},
                        {{"info", "JSON", "Dict[Any, Any]", {{"type", "object"}}}},
                        false,
                        false}}};
  // Saves a file under the name it is given and returns it: a server whose output names are
  // hostile ("../x", "/etc/y", ".bashrc"), for clients' path-traversal checks.
  apps["namer"] = {{{"save",
                     {text_param("name", "notes.txt")},
                     {{"file", "File", "filepath", k_file_schema}},
                     false,
                     false}}};
  return apps;
}

const std::map<std::string, AppDef>& apps() {
  static const auto k_apps = build_apps();
  return k_apps;
}

double number_in(const json& inputs, std::size_t i, double fallback) {
  return i < inputs.size() && inputs[i].is_number() ? inputs[i].get<double>() : fallback;
}
std::string text_in(const json& inputs, std::size_t i) {
  return i < inputs.size() && inputs[i].is_string() ? inputs[i].get<std::string>() : std::string();
}
// The server path of a FileData input ("" when it is none).
std::string file_in(const json& inputs, std::size_t i) {
  if (i < inputs.size() && inputs[i].is_object() && inputs[i].contains("path") &&
      inputs[i]["path"].is_string()) {
    return inputs[i]["path"].get<std::string>();
  }
  return "";
}

JobResult ok(json outputs) {
  return {true, std::move(outputs), nullptr};
}
JobResult app_error(json text) {
  return {
      false,
      nullptr,
      {{"error", std::move(text)}, {"duration", nullptr}, {"visible", true}, {"title", "Error"}}};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// SHA-256 of a file read in slices: file-info's inputs may be GiB-sized uploads.
std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::string buf(1U << 20U, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, md.data(), &n);
  EVP_MD_CTX_free(ctx);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(k_hex[md[i] >> 4U]);
    out.push_back(k_hex[md[i] & 15U]);
  }
  return out;
}

std::uint64_t seed_of(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return h;
}

// A file input the server never received is what Gradio refuses (spaces.md §5).
JobResult missing_file(const std::string& path) {
  return app_error("File " + path + " was not uploaded to this app");
}

} // namespace

const AppDef* find_app(const std::string& kind) {
  const auto it = apps().find(kind);
  return it == apps().end() ? nullptr : &it->second;
}

JobResult
run_app(const std::string& kind, const Endpoint& endpoint, const json& inputs, JobIo& io) {
  // The slow app is queued behind others first (its own estimations, then process_starts).
  if (kind != "slow") {
    io.estimation(0, 1, 0.1);
    io.starts();
  }
  if (kind == "text") {
    return ok({"Hello, " + text_in(inputs, 0) + "!"});
  }
  if (kind == "transcribe") {
    const std::string path = file_in(inputs, 0);
    const auto local = io.local_file(path);
    if (!local && path.rfind("http", 0) != 0) {
      return missing_file(path);
    }
    const std::string bytes = local ? read_file(*local) : path;
    const bool translate = text_in(inputs, 1) == "translate";
    return ok({std::string(translate ? " The audio says, in English: " : " The audio says: ") +
               "a recording of " + std::to_string(bytes.size()) + " bytes."});
  }
  if (kind == "classify" || kind == "fileinfo") {
    const std::string path = file_in(inputs, 0);
    const bool remote = path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0;
    const auto local = io.local_file(path);
    if ((!remote || kind == "fileinfo") && !local) {
      return missing_file(path);
    }
    if (kind == "fileinfo") {
      std::ifstream in(*local, std::ios::binary | std::ios::ate);
      const auto size = static_cast<std::uint64_t>(in.tellg());
      const auto slash = path.find_last_of('/');
      return ok(
          {{{"name", path.substr(slash + 1)}, {"size", size}, {"sha256", file_sha256(*local)}}});
    }
    const std::string bytes = remote ? path : read_file(*local);
    const std::string digest = sha256_hex(bytes);
    static const char* k_labels[] = {"tabby cat", "golden retriever", "goldfinch"};
    const int pick = std::stoi(digest.substr(0, 2), nullptr, 16) % 3;
    json confidences = json::array();
    confidences.push_back({{"label", k_labels[pick]}, {"confidence", 0.82}});
    confidences.push_back({{"label", k_labels[(pick + 1) % 3]}, {"confidence", 0.11}});
    confidences.push_back({{"label", k_labels[(pick + 2) % 3]}, {"confidence", 0.04}});
    return ok({{{"label", k_labels[pick]}, {"confidences", confidences}}});
  }
  if (kind == "generate") {
    const std::string prompt = text_in(inputs, 0);
    const int steps = static_cast<int>(number_in(inputs, 1, 20));
    for (int i = 0; i < 3; ++i) {
      io.progress(i, 3, "steps", "denoising");
    }
    const auto png = media::make_png_mask(64, 64, seed_of(prompt + "/" + std::to_string(steps)));
    return ok(json::array({io.output_file("image.png", png, "image/png")}));
  }
  if (kind == "namer") {
    json file = io.output_file("saved.txt", "saved by the namer\n", "text/plain");
    file["orig_name"] = text_in(inputs, 0);
    return ok(json::array({file}));
  }
  if (kind == "stream") {
    const std::string reply = "You said: " + text_in(inputs, 0);
    std::string shown;
    std::size_t at = 0;
    while (at < reply.size()) {
      const auto next = reply.find(' ', at + 1);
      const auto end = next == std::string::npos ? reply.size() : next;
      shown = reply.substr(0, end);
      at = end;
      io.generating({shown});
      if (!io.wait(std::chrono::milliseconds(30))) {
        return ok(json::array());
      }
    }
    return ok({reply});
  }
  if (kind == "calc") {
    if (endpoint.api == "remember") {
      const double total = number_in(inputs, 0, 0) + number_in(inputs, 1, 0);
      // The total, and the new State (the server keeps it for the session and sends null).
      return ok({total, total});
    }
    const double a = number_in(inputs, 0, 0);
    if (endpoint.api == "add") {
      return ok({a + number_in(inputs, 1, 1)});
    }
    const std::string op =
        inputs.size() > 1 && inputs[1].is_string() ? inputs[1].get<std::string>() : "add";
    const double b = number_in(inputs, 2, 0);
    if (op == "divide" && b == 0) {
      return app_error("Cannot divide by zero");
    }
    const double r = op == "subtract"   ? a - b
                     : op == "multiply" ? a * b
                     : op == "divide"   ? a / b
                                        : a + b;
    return ok({r});
  }
  if (kind == "broken") {
    if (endpoint.api == "explain") {
      return app_error("The input was rejected: " + text_in(inputs, 0));
    }
    // Not a gr.Error and show_error=False: utils.error_payload is {"error": None} alone (the
    // duration/visible/title keys come only with gr.Error).
    return {false, nullptr, {{"error", nullptr}}};
  }
  if (kind == "slow") {
    const double seconds = number_in(inputs, 0, 1);
    // Two events ahead, then one, then its turn (queueing.py sends estimations only while queued).
    io.estimation(2, 3, 2.5);
    if (!io.wait(std::chrono::milliseconds(150))) {
      return ok(json::array());
    }
    io.estimation(1, 3, 1.5);
    if (!io.wait(std::chrono::milliseconds(150))) {
      return ok(json::array());
    }
    io.starts();
    io.log("info", "warming up");
    const auto step = std::chrono::milliseconds(static_cast<long long>(seconds * 1000 / 3));
    for (int i = 0; i < 3; ++i) {
      io.progress(i, 3, "steps", "denoising");
      io.heartbeat();
      if (!io.wait(step)) {
        return ok(json::array());
      }
    }
    std::ostringstream text;
    text << "done after " << seconds << "s";
    return ok({text.str()});
  }
  if (kind == "zerogpu") {
    if (io.header("x-ip-token").empty()) {
      return app_error(
          "You have exceeded your free GPU quota (60s requested vs. 0s left). "
          "[Create a free account](https://huggingface.co/join) to get more usage quota.");
    }
    return ok({"ok: " + text_in(inputs, 0)});
  }
  return app_error("the emulator has no app " + kind);
}

} // namespace emulator::gradio
