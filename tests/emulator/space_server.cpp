// The gradio role: every world Space with a "gradio" app served under /spaces/{owner}/{name} as
// Gradio serves it (spaces.md §2–§6): /config, {prefix}/info, the queue (join, the session's event
// stream, cancel, reset), the /call route (4.20+), uploads streamed to disk and files served back,
// the Hugging Face proxy's 401 page for private Spaces and 503 page while a Space sleeps.
#include "context.hpp"
#include "hub_common.hpp"
#include "hub_files.hpp"
#include "router_util.hpp"
#include "space_apps.hpp"
#include "space_state.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <random>
#include <set>
#include <thread>

namespace emulator {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string random_hex(std::size_t bytes) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes * 2; ++i) {
    out += k_hex[rng() % 16];
  }
  return out;
}

int compare_versions(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  for (int i = 0; i < 3; ++i) {
    long x = 0, y = 0;
    char dot = 0;
    sa >> x;
    sb >> y;
    sa >> dot;
    sb >> dot;
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

// Uploaded and generated files: the "server path" a client sees is the file's path on disk, in a
// folder of this process removed at exit.
class FileStore {
public:
  FileStore() : m_root(fs::temp_directory_path() / ("hfrun-emulator-gradio-" + random_hex(6))) {}
  ~FileStore() {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }
  fs::path new_path(const std::string& name) {
    const fs::path dir = m_root / random_hex(16);
    fs::create_directories(dir);
    return dir / (name.empty() ? std::string("file") : fs::path(name).filename().string());
  }
  // Moves a finished upload to <root>/<sha256>/<name>: content-addressed, as Gradio's cache
  // (routes.py upload_file), so the same bytes always get the same server path.
  fs::path settle(const fs::path& temp, const std::string& sha256) {
    const fs::path dir = m_root / sha256;
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path dest = dir / temp.filename();
    fs::rename(temp, dest, ec);
    fs::remove(temp.parent_path(), ec);
    return dest;
  }
  void add(const std::string& app, const fs::path& path) {
    std::lock_guard lock(m_mutex);
    m_files[app].insert(path.string());
  }
  [[nodiscard]] bool has(const std::string& app, const std::string& path) {
    std::lock_guard lock(m_mutex);
    return m_files[app].contains(path);
  }

private:
  fs::path m_root;
  std::mutex m_mutex;
  std::map<std::string, std::set<std::string>> m_files;
};

struct App {
  const json* space = nullptr;
  std::string id;
  std::string version;
  std::string protocol;
  std::string prefix; // "/gradio_api" for 5.x, "" before
  std::string kind;
  const gradio::AppDef* def = nullptr;
  std::optional<std::uint64_t> max_file_size;
  bool is_private = false;
  std::string owner;
  std::string root; // gradio_url + /spaces/{id}
  // Component ids, per endpoint: inputs (State last), outputs (State last).
  std::vector<std::vector<int>> inputs;
  std::vector<std::vector<int>> outputs;

  [[nodiscard]] bool sse_v3() const { return protocol == "sse_v3"; }
  [[nodiscard]] bool diffs() const {
    return protocol == "sse_v3" || protocol.rfind("sse_v2", 0) == 0;
  }
  [[nodiscard]] bool has_call_route() const { return compare_versions(version, "4.20.0") >= 0; }
  [[nodiscard]] bool queue_routes() const { return protocol.rfind("sse_v", 0) == 0; }
  [[nodiscard]] int fn_index(const std::string& api) const {
    for (std::size_t i = 0; i < def->endpoints.size(); ++i) {
      if (def->endpoints[i].api == api) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
};

// One client session of the queue: its messages wait here until its stream reads them.
struct Session {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<json> messages;
  int pending = 0;
  bool gone = false; // the stream disconnected: its jobs are killed
  std::set<std::string> cancelled;
  json state; // the session's State value (start_job)
};

// One /call job's events (event name, data), read by GET /call/{api}/{event_id}.
struct CallStream {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::pair<std::string, json>> events;
  bool done = false;
  bool gone = false;
};

struct Server {
  Context* ctx = nullptr;
  std::map<std::string, App> apps;
  FileStore files;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Session>> sessions; // app id + "|" + session hash
  std::map<std::string, std::shared_ptr<CallStream>> calls; // event id
};

json component_json(int id,
                    const std::string& component,
                    const std::string& label,
                    const json& schema,
                    const json& example) {
  const std::string type = router::to_lower(component);
  return {{"id", id},
          {"type", type},
          {"props", {{"label", label}, {"name", type}, {"show_label", true}}},
          {"skip_api", false},
          {"component_class_id", "c" + std::to_string(id)},
          {"key", nullptr},
          {"api_info", schema},
          {"example_inputs", example}};
}

void build_app(App& app) {
  int next = 1;
  for (const auto& e : app.def->endpoints) {
    std::vector<int> in;
    std::vector<int> out;
    for (std::size_t i = 0; i < e.params.size(); ++i) {
      in.push_back(next++);
    }
    for (std::size_t i = 0; i < e.returns.size(); ++i) {
      out.push_back(next++);
    }
    if (e.state) {
      in.push_back(next);
      out.push_back(next);
      ++next;
    }
    app.inputs.push_back(in);
    app.outputs.push_back(out);
  }
}

ordered_json config_json(const App& app) {
  json components = json::array();
  ordered_json dependencies = ordered_json::array();
  ordered_json children = ordered_json::array();
  bool any_state = false;
  for (std::size_t d = 0; d < app.def->endpoints.size(); ++d) {
    const auto& e = app.def->endpoints[d];
    for (std::size_t i = 0; i < e.params.size(); ++i) {
      components.push_back(component_json(app.inputs[d][i], e.params[i].component, e.params[i].name,
                                          e.params[i].schema, e.params[i].example));
      children.push_back({{"id", app.inputs[d][i]}});
    }
    for (std::size_t i = 0; i < e.returns.size(); ++i) {
      components.push_back(component_json(app.outputs[d][i], e.returns[i].component,
                                          e.returns[i].label, e.returns[i].schema, nullptr));
      children.push_back({{"id", app.outputs[d][i]}});
    }
    if (e.state) {
      any_state = true;
      components.push_back({{"id", app.inputs[d].back()},
                            {"type", "state"},
                            {"props", {{"name", "state"}}},
                            {"skip_api", true},
                            {"component_class_id", "st"},
                            {"key", nullptr}});
    }
    dependencies.push_back(
        {{"id", d},
         {"targets", ordered_json::array({ordered_json::array(
                         {app.inputs[d].empty() ? 0 : app.inputs[d][0], "submit"})})},
         {"inputs", app.inputs[d]},
         {"outputs", app.outputs[d]},
         {"backend_fn", true},
         {"js", nullptr},
         {"queue", nullptr},
         {"api_name", e.api},
         {"api_description", nullptr},
         {"scroll_to_output", false},
         {"show_progress", "full"},
         {"batch", false},
         {"max_batch_size", 4},
         {"cancels", ordered_json::array()},
         {"types", {{"generator", e.generator}, {"cancel", false}}},
         {"collects_event_data", false},
         {"trigger_after", nullptr},
         {"trigger_only_on_success", false},
         {"trigger_only_on_failure", false},
         {"trigger_mode", "once"},
         {"show_api", true},
         {"api_visibility", "public"},
         {"zerogpu", app.space->value("hardware", "").rfind("zero-", 0) == 0},
         {"rendered_in", nullptr},
         {"connection", "sse"},
         {"time_limit", nullptr},
         {"stream_every", 0.5},
         {"like_user_message", false},
         {"event_specific_args", nullptr}});
  }
  const ordered_json layout = {{"id", 0}, {"children", children}};
  ordered_json c;
  c["version"] = app.version;
  if (!app.prefix.empty()) {
    c["api_prefix"] = app.prefix;
  }
  c["mode"] = "blocks";
  c["app_id"] = 1234567890;
  c["dev_mode"] = false;
  c["analytics_enabled"] = false;
  c["auth_required"] = false;
  if (app.protocol != "ws") {
    c["protocol"] = app.protocol;
  }
  c["root"] = app.root;
  c["space_id"] = app.id;
  c["connect_heartbeat"] = any_state;
  c["is_space"] = true;
  c["enable_queue"] = true;
  c["show_error"] = app.kind != "broken";
  c["show_api"] = true;
  c["max_file_size"] = app.max_file_size ? ordered_json(*app.max_file_size) : ordered_json(nullptr);
  c["theme"] = "default";
  c["title"] = "Gradio";
  c["css"] = nullptr;
  c["js"] = nullptr;
  c["head"] = nullptr;
  c["stylesheets"] = ordered_json::array();
  c["username"] = nullptr;
  c["components"] = ordered_json::parse(components.dump());
  c["layout"] = layout;
  c["dependencies"] = dependencies;
  c["pages"] = ordered_json::array({ordered_json::array({"", "Home"})});
  ordered_json ids = ordered_json::array();
  for (const auto& comp : components) {
    ids.push_back(comp["id"].get<int>());
  }
  ordered_json dep_ids = ordered_json::array();
  for (std::size_t d = 0; d < app.def->endpoints.size(); ++d) {
    dep_ids.push_back(d);
  }
  c["page"] = {{"", {{"components", ids}, {"dependencies", dep_ids}, {"layout", layout}}}};
  return c;
}

ordered_json info_json(const App& app) {
  ordered_json named = ordered_json::object();
  for (const auto& e : app.def->endpoints) {
    ordered_json params = ordered_json::array();
    for (const auto& p : e.params) {
      params.push_back({{"label", p.name},
                        {"parameter_name", p.name},
                        {"parameter_has_default", p.has_default},
                        {"parameter_default", p.default_value},
                        {"type", p.schema},
                        {"python_type", {{"type", p.python_type}, {"description", ""}}},
                        {"component", p.component},
                        {"example_input", p.example}});
    }
    ordered_json returns = ordered_json::array();
    for (const auto& r : e.returns) {
      returns.push_back({{"label", r.label},
                         {"type", r.schema},
                         {"python_type", {{"type", r.python_type}, {"description", ""}}},
                         {"component", r.component}});
    }
    named["/" + e.api] = {{"parameters", params},
                          {"returns", returns},
                          {"show_api", true},
                          {"api_visibility", "public"},
                          {"description", ""}};
  }
  return {{"named_endpoints", named}, {"unnamed_endpoints", ordered_json::object()}};
}

void html_reply(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content("<!DOCTYPE html><html><body>" + text + "</body></html>",
                  "text/html; charset=utf-8");
}

// The bearer token of X-HF-Authorization (the proxy's header) or Authorization.
std::string app_token(const httplib::Request& req) {
  for (const char* name : {"X-HF-Authorization", "Authorization"}) {
    const auto value = req.get_header_value(name);
    if (value.rfind("Bearer ", 0) == 0) {
      return value.substr(7);
    }
  }
  return "";
}

bool may_use(const Server& server, const App& app, const httplib::Request& req) {
  if (!app.is_private) {
    return true;
  }
  const json* user = server.ctx->user_for_token(app_token(req));
  if (user == nullptr) {
    return false;
  }
  if (user->value("name", "") == app.owner) {
    return true;
  }
  for (const auto& org : user->value("orgs", json::array())) {
    if (org == app.owner) {
      return true;
    }
  }
  return false;
}

// What a job tells its client: the session's stream (queue) or its /call stream.
class Io final : public gradio::JobIo {
public:
  Io(Server& server,
     const App& app,
     std::string event_id,
     std::shared_ptr<Session> session,
     std::shared_ptr<CallStream> call,
     httplib::Headers headers)
      : m_server(server), m_app(app), m_event(std::move(event_id)), m_session(std::move(session)),
        m_call(std::move(call)), m_headers(std::move(headers)) {}

  void estimation(int rank, int queue_size, double eta) override {
    push({{"msg", "estimation"},
          {"event_id", m_event},
          {"rank", rank},
          {"queue_size", queue_size},
          {"rank_eta", eta}});
  }
  void starts() override { push({{"msg", "process_starts"}, {"event_id", m_event}, {"eta", 0.5}}); }
  void progress(int index, int length, const std::string& unit, const std::string& desc) override {
    push({{"msg", "progress"},
          {"event_id", m_event},
          {"progress_data", json::array({{{"index", index},
                                          {"length", length},
                                          {"unit", unit},
                                          {"progress", nullptr},
                                          {"desc", desc}}})}});
  }
  void log(const std::string& level, const std::string& text) override {
    push({{"msg", "log"},
          {"event_id", m_event},
          {"log", text},
          {"level", level},
          {"duration", nullptr},
          {"visible", true},
          {"title", nullptr}});
  }
  void heartbeat() override { push({{"msg", "heartbeat"}, {"event_id", nullptr}}); }
  void generating(const json& outputs) override {
    json data = outputs;
    if (m_call) {
      push_call("generating", outputs);
      return;
    }
    if (m_app.diffs() && m_last) {
      // sse_v2+: after the first message, each output as a list of edits (spaces.md §4.3).
      for (std::size_t i = 0; i < data.size(); ++i) {
        const json& before = i < m_last->size() ? (*m_last)[i] : json(nullptr);
        if (before.is_string() && outputs[i].is_string() &&
            outputs[i].get<std::string>().rfind(before.get<std::string>(), 0) == 0) {
          data[i] = json::array({json::array(
              {"append", json::array(),
               outputs[i].get<std::string>().substr(before.get<std::string>().size())})});
        } else {
          data[i] = json::array({json::array({"replace", json::array(), outputs[i]})});
        }
      }
    }
    m_last = outputs;
    push({{"msg", "process_generating"},
          {"event_id", m_event},
          {"output",
           {{"data", data},
            {"is_generating", true},
            {"duration", 0.03},
            {"average_duration", 0.03}}},
          {"success", true}});
  }
  bool wait(std::chrono::milliseconds duration) override {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
      if (cancelled()) {
        return false;
      }
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          20ms, until - std::chrono::steady_clock::now()));
    }
    return !cancelled();
  }
  std::string header(const std::string& name) const override {
    const auto it = m_headers.find(name);
    return it == m_headers.end() ? std::string() : it->second;
  }
  std::optional<std::string> local_file(const std::string& path) const override {
    if (m_server.files.has(m_app.id, path)) {
      return path;
    }
    return std::nullopt;
  }
  json
  output_file(const std::string& name, const std::string& bytes, const std::string& mime) override {
    const fs::path path = m_server.files.new_path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    m_server.files.add(m_app.id, path);
    json file = {
        {"path", path.string()}, {"url", m_app.root + m_app.prefix + "/file=" + path.string()},
        {"size", bytes.size()},  {"orig_name", name},
        {"mime_type", mime},     {"is_stream", false}};
    if (m_app.protocol == "sse_v3" || m_app.protocol == "sse_v2.1") {
      file["meta"] = {{"_type", "gradio.FileData"}};
    }
    return file;
  }

  [[nodiscard]] bool cancelled() const {
    if (m_session) {
      std::lock_guard lock(m_session->mutex);
      return m_session->gone || m_session->cancelled.contains(m_event);
    }
    std::lock_guard lock(m_call->mutex);
    return m_call->gone;
  }

  void finish(const gradio::JobResult& result) {
    if (m_call) {
      if (result.success) {
        push_call("complete", result.outputs);
      } else {
        // 5.x loses the message (data: null); 6.13 sends the error output (spaces.md §3).
        push_call("error",
                  compare_versions(m_app.version, "6.13.0") >= 0 ? result.error : json(nullptr));
      }
      std::lock_guard lock(m_call->mutex);
      m_call->done = true;
      m_call->cv.notify_all();
      return;
    }
    json message;
    if (cancelled()) {
      message = {{"msg", "process_completed"},
                 {"event_id", m_event},
                 {"output", json::object()},
                 {"success", true}};
    } else if (result.success) {
      message = {{"msg", "process_completed"},
                 {"event_id", m_event},
                 {"output",
                  {{"data", result.outputs},
                   {"is_generating", false},
                   {"duration", 0.05},
                   {"average_duration", 0.05},
                   {"render_config", nullptr},
                   {"changed_state_ids", json::array()}}},
                 {"success", true},
                 {"title", nullptr}};
    } else {
      message = {{"msg", "process_completed"},
                 {"event_id", m_event},
                 {"output", result.error},
                 {"success", false},
                 {"title", "Error"}};
    }
    push(std::move(message));
  }

private:
  void push(json message) {
    if (m_call) {
      return; // the /call route drops everything but results (spaces.md §3)
    }
    std::lock_guard lock(m_session->mutex);
    m_session->messages.push_back(std::move(message));
    m_session->cv.notify_all();
  }
  void push_call(const std::string& event, json data) {
    std::lock_guard lock(m_call->mutex);
    m_call->events.emplace_back(event, std::move(data));
    m_call->cv.notify_all();
  }

  Server& m_server;
  const App& m_app;
  std::string m_event;
  std::shared_ptr<Session> m_session;
  std::shared_ptr<CallStream> m_call;
  httplib::Headers m_headers;
  std::optional<json> m_last;
};

// Every input of the endpoint, State included: the values given, null where a State goes.
json full_inputs(const gradio::Endpoint& e, const json& data, bool data_has_state) {
  json inputs = json::array();
  for (std::size_t i = 0; i < e.params.size(); ++i) {
    inputs.push_back(i < data.size() ? data[i] : json(nullptr));
  }
  if (e.state) {
    inputs.push_back(data_has_state && data.size() > e.params.size() ? data[e.params.size()]
                                                                     : json(nullptr));
  }
  return inputs;
}

void start_job(Server& server,
               const App& app,
               int fn_index,
               json inputs,
               std::string event_id,
               std::shared_ptr<Session> session,
               std::shared_ptr<CallStream> call,
               httplib::Headers headers) {
  std::thread([&server, &app, fn_index, inputs = std::move(inputs), event_id = std::move(event_id),
               session, call, headers = std::move(headers)]() mutable {
    Io io(server, app, event_id, session, call, std::move(headers));
    const auto& endpoint = app.def->endpoints[static_cast<std::size_t>(fn_index)];
    // Gradio keeps a State on the server, per session: the function gets the session's value
    // (clients send null for it) and its State output replaces it; the wire carries null there
    // (blocks.py preprocess_data / postprocess_data).
    if (endpoint.state && session && inputs.is_array() && !inputs.empty()) {
      std::lock_guard lock(session->mutex);
      inputs.back() = session->state;
    }
    auto result = gradio::run_app(app.kind, endpoint, inputs, io);
    if (endpoint.state && session && result.success && result.outputs.is_array() &&
        !result.outputs.empty()) {
      std::lock_guard lock(session->mutex);
      session->state = result.outputs.back();
      result.outputs.back() = nullptr;
    }
    io.finish(result);
  }).detach();
}

std::string read_body(const httplib::Request& req, const httplib::ContentReader* reader) {
  if (reader == nullptr) {
    return req.body;
  }
  std::string body;
  (*reader)([&](const char* data, std::size_t n) {
    body.append(data, n);
    return body.size() < (16u << 20);
  });
  return body;
}

void queue_join(Server& server,
                const App& app,
                const httplib::Request& req,
                httplib::Response& res,
                const std::string& body_text) {
  const json body = json::parse(body_text, nullptr, false);
  if (!body.is_object()) {
    hub::json_reply(res, 422, {{"detail", "the body is not JSON"}});
    return;
  }
  const std::string hash = body.value("session_hash", "");
  if (hash.empty()) {
    hub::json_reply(res, 400, {{"detail", "Session hash not found."}});
    return;
  }
  const json* fn = body.contains("fn_index") ? &body["fn_index"] : nullptr;
  const int fn_index = fn != nullptr && fn->is_number_integer() ? fn->get<int>() : -1;
  if (fn_index < 0 || static_cast<std::size_t>(fn_index) >= app.def->endpoints.size()) {
    hub::json_reply(res, 400, {{"detail", "No function index provided."}});
    return;
  }
  const json data = body.contains("data") && body["data"].is_array() ? body["data"] : json::array();
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(server.mutex);
    auto& slot = server.sessions[app.id + "|" + hash];
    const bool dead = slot && [&] {
      std::lock_guard session_lock(slot->mutex);
      return slot->gone;
    }();
    // A stream that went away killed the jobs running then; a later join starts afresh, as
    // Gradio's clean_events drops only those events.
    if (!slot || dead) {
      slot = std::make_shared<Session>();
    }
    session = slot;
  }
  const std::string event_id = random_hex(16);
  {
    std::lock_guard lock(session->mutex);
    ++session->pending;
  }
  const auto& endpoint = app.def->endpoints[static_cast<std::size_t>(fn_index)];
  start_job(server, app, fn_index, full_inputs(endpoint, data, true), event_id, session, nullptr,
            req.headers);
  hub::json_reply(res, 200, {{"event_id", event_id}});
}

void queue_data(Server& server,
                const App& app,
                const httplib::Request& req,
                httplib::Response& res) {
  const std::string hash = req.get_param_value("session_hash");
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(server.mutex);
    const auto it = server.sessions.find(app.id + "|" + hash);
    if (it != server.sessions.end()) {
      session = it->second;
    }
  }
  if (!session) {
    res.status = 200;
    res.set_content("data: " +
                        json{{"msg", "unexpected_error"},
                             {"message", "Session not found."},
                             {"session_not_found", true},
                             {"success", false}}
                            .dump() +
                        "\n\n",
                    "text/event-stream");
    return;
  }
  const bool v3 = app.sse_v3();
  auto last_write =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [session, v3, last_write](std::size_t, httplib::DataSink& sink) {
        std::deque<json> batch;
        bool finished = false;
        {
          std::unique_lock lock(session->mutex);
          session->cv.wait_for(lock, 250ms, [&] { return !session->messages.empty(); });
          batch.swap(session->messages);
          for (const auto& m : batch) {
            if (m.value("msg", "") == "process_completed") {
              --session->pending;
            }
          }
          finished = session->pending == 0 && !batch.empty() &&
                     batch.back().value("msg", "") == "process_completed";
        }
        for (const auto& m : batch) {
          const std::string frame = "data: " + m.dump() + "\n\n";
          if (!sink.write(frame.data(), frame.size())) {
            return false;
          }
          *last_write = std::chrono::steady_clock::now();
        }
        if (finished && v3) {
          const std::string close =
              "data: " + json{{"msg", "close_stream"}, {"event_id", nullptr}}.dump() + "\n\n";
          (void)sink.write(close.data(), close.size());
          sink.done();
          return true;
        }
        if (std::chrono::steady_clock::now() - *last_write > 15s) {
          const std::string beat =
              "data: " + json{{"msg", "heartbeat"}, {"event_id", nullptr}}.dump() + "\n\n";
          if (!sink.write(beat.data(), beat.size())) {
            return false;
          }
          *last_write = std::chrono::steady_clock::now();
        }
        return sink.is_writable();
      },
      [session](bool success) {
        if (!success) {
          // Gradio drops a session's events when its stream goes away (spaces.md §4.4).
          std::lock_guard lock(session->mutex);
          session->gone = true;
        }
      });
}

void call_post(Server& server,
               const App& app,
               const std::string& api,
               const httplib::Request& req,
               httplib::Response& res,
               const std::string& body_text) {
  const int fn_index = app.fn_index(api);
  if (fn_index < 0) {
    res.status = 500; // FnIndexInferError, uncaught (spaces.md §3)
    res.set_content("Internal Server Error", "text/plain");
    return;
  }
  const json body = json::parse(body_text, nullptr, false);
  const json data = body.is_object() && body.contains("data") && body["data"].is_array()
                        ? body["data"]
                        : json::array();
  auto stream = std::make_shared<CallStream>();
  const std::string event_id = random_hex(16);
  {
    std::lock_guard lock(server.mutex);
    server.calls[event_id] = stream;
  }
  const auto& endpoint = app.def->endpoints[static_cast<std::size_t>(fn_index)];
  start_job(server, app, fn_index, full_inputs(endpoint, data, false), event_id, nullptr, stream,
            req.headers);
  hub::json_reply(res, 200, {{"event_id", event_id}});
}

void call_get(Server& server, const std::string& event_id, httplib::Response& res) {
  std::shared_ptr<CallStream> stream;
  {
    std::lock_guard lock(server.mutex);
    const auto it = server.calls.find(event_id);
    if (it != server.calls.end()) {
      stream = it->second;
    }
  }
  if (!stream) {
    res.status = 200;
    res.set_content("event: error\ndata: \"404: Session not found.\"\n\n", "text/event-stream");
    return;
  }
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream](std::size_t, httplib::DataSink& sink) {
        std::deque<std::pair<std::string, json>> batch;
        bool done = false;
        {
          std::unique_lock lock(stream->mutex);
          stream->cv.wait_for(lock, 250ms, [&] { return !stream->events.empty() || stream->done; });
          batch.swap(stream->events);
          done = stream->done;
        }
        for (const auto& [event, data] : batch) {
          const std::string frame = "event: " + event + "\ndata: " + data.dump() + "\n\n";
          if (!sink.write(frame.data(), frame.size())) {
            return false;
          }
        }
        if (done) {
          sink.done();
        }
        return true;
      },
      [stream](bool success) {
        if (!success) {
          std::lock_guard lock(stream->mutex);
          stream->gone = true;
        }
      });
}

void upload(Server& server,
            const App& app,
            const httplib::Request& req,
            httplib::Response& res,
            const httplib::ContentReader& reader) {
  if (!req.is_multipart_form_data()) {
    res.status = 400;
    res.set_content("Invalid content type.", "text/plain");
    return;
  }
  json paths = json::array();
  std::ofstream out;
  fs::path current;
  std::uint64_t size = 0;
  bool too_large = false;
  bool is_file_part = false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const auto finish_part = [&] {
    if (!out.is_open()) {
      return;
    }
    out.close();
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int n = 0;
    EVP_DigestFinal_ex(digest.get(), md.data(), &n);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string sha;
    for (unsigned int i = 0; i < n; ++i) {
      sha.push_back(k_hex[md[i] >> 4U]);
      sha.push_back(k_hex[md[i] & 15U]);
    }
    const fs::path placed = server.files.settle(current, sha);
    server.files.add(app.id, placed);
    paths.push_back(placed.string());
  };
  reader(
      [&](const httplib::MultipartFormData& part) {
        finish_part();
        is_file_part = part.name == "files" && !part.filename.empty() && !too_large;
        if (is_file_part) {
          current = server.files.new_path(part.filename);
          out.open(current, std::ios::binary);
          EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
          size = 0;
        }
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (!is_file_part) {
          return true;
        }
        size += n;
        if (app.max_file_size && size > *app.max_file_size) {
          too_large = true;
          return false;
        }
        out.write(data, static_cast<std::streamsize>(n));
        EVP_DigestUpdate(digest.get(), data, n);
        return true;
      });
  if (too_large) {
    out.close();
  } else {
    finish_part();
  }
  if (too_large) {
    res.status = 413;
    res.set_content("File size exceeds the maximum allowed size of " +
                        std::to_string(*app.max_file_size / (1024 * 1024)) + " MB",
                    "text/plain");
    return;
  }
  hub::json_reply(res, 200, paths);
}

// GET {prefix}/file={path}: a Range gets 206 (routes.py file() serves ranges; clients resume and
// probe with them), and the bytes stream from disk rather than through memory.
void serve_file(Server& server,
                const App& app,
                const std::string& path,
                const httplib::Request& req,
                httplib::Response& res) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!server.files.has(app.id, path) || ec) {
    res.status = 403;
    res.set_content(json{{"detail", "File not allowed: " + path + "."}}.dump(), "application/json");
    return;
  }
  const std::string ext = fs::path(path).extension().string();
  hub::serve_bytes(
      req, res, size,
      [path](std::uint64_t offset, char* out, std::size_t n) {
        std::ifstream in(path, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(out, static_cast<std::streamsize>(n));
        std::fill(out + std::max<std::streamsize>(in.gcount(), 0), out + n, '\0');
      },
      ext == ".png" ? "image/png" : "application/octet-stream");
}

void dispatch(Server& server,
              const httplib::Request& req,
              httplib::Response& res,
              const httplib::ContentReader* reader) {
  const std::string id = req.matches[1].str() + "/" + req.matches[2].str();
  const std::string rest = req.matches.size() > 3 ? req.matches[3].str() : std::string();
  const auto it = server.apps.find(id);
  if (it == server.apps.end()) {
    html_reply(res, 404, "404: Space not found");
    return;
  }
  const App& app = it->second;
  if (!may_use(server, app, req)) {
    // The Hugging Face proxy's page, not JSON (spaces.md §1.2).
    html_reply(res, 401, "401: this Space is private; sign in to see it");
    return;
  }
  server.ctx->spaces->visit(*app.space);
  const std::string stage = server.ctx->spaces->stage(*app.space);
  if (stage != "RUNNING" && stage != "RUNNING_BUILDING") {
    html_reply(res, 503, "Space " + app.id + " is " + router::to_lower(stage) + " (starting)");
    return;
  }
  const bool post = req.method == "POST";
  if (rest == "/config" && !post) {
    res.status = 200;
    res.set_content(config_json(app).dump(), "application/json");
    return;
  }
  if (!app.queue_routes() || rest.rfind(app.prefix, 0) != 0) {
    hub::json_reply(res, 404, {{"detail", "Not Found"}});
    return;
  }
  const std::string route = rest.substr(app.prefix.size());
  if (route == "/info" && !post) {
    res.status = 200;
    res.set_content(info_json(app).dump(), "application/json");
  } else if (route == "/queue/join" && post) {
    queue_join(server, app, req, res, read_body(req, reader));
  } else if (route == "/queue/data" && !post) {
    queue_data(server, app, req, res);
  } else if (route == "/upload" && post && reader != nullptr) {
    upload(server, app, req, res, *reader);
  } else if (route.rfind("/file=", 0) == 0 && !post) {
    serve_file(server, app, route.substr(6), req, res);
  } else if ((route == "/cancel" || route == "/reset") && post) {
    const json body = json::parse(read_body(req, reader), nullptr, false);
    if (route == "/cancel" && body.is_object()) {
      const std::string key = app.id + "|" + body.value("session_hash", "");
      std::lock_guard lock(server.mutex);
      if (const auto s = server.sessions.find(key); s != server.sessions.end()) {
        std::lock_guard session_lock(s->second->mutex);
        s->second->cancelled.insert(body.value("event_id", ""));
      }
    }
    hub::json_reply(res, 200, {{"success", true}});
  } else if (route.rfind("/heartbeat/", 0) == 0 && !post) {
    res.set_chunked_content_provider("text/event-stream", [](std::size_t, httplib::DataSink& sink) {
      std::this_thread::sleep_for(1s);
      const std::string alive = "data: ALIVE\n\n";
      return sink.write(alive.data(), alive.size());
    });
  } else if (route.rfind("/call/", 0) == 0 && app.has_call_route()) {
    const std::string tail = route.substr(6);
    const auto slash = tail.find('/');
    if (post && slash == std::string::npos) {
      call_post(server, app, tail, req, res, read_body(req, reader));
    } else if (!post && slash != std::string::npos) {
      call_get(server, tail.substr(slash + 1), res);
    } else {
      hub::json_reply(res, 404, {{"detail", "Not Found"}});
    }
  } else {
    hub::json_reply(res, 404, {{"detail", "Not Found"}});
  }
}

} // namespace

void register_gradio_routes(httplib::Server& http, Context& ctx) {
  static Server server; // one per process: the routes hold it for the process's life
  server.ctx = &ctx;
  for (const auto& space : ctx.world.value("spaces", json::array())) {
    if (!space.is_object() || !space.contains("gradio") || !space["gradio"].is_object()) {
      continue;
    }
    const auto& g = space["gradio"];
    App app;
    app.space = nullptr;
    app.id = space.value("id", "");
    app.version = g.value("version", "5.49.1");
    app.protocol = g.value("protocol", "sse_v3");
    app.prefix = compare_versions(app.version, "5.0.0") >= 0 ? "/gradio_api" : "";
    app.kind = g.value("app", "text");
    app.def = gradio::find_app(app.kind);
    if (app.def == nullptr) {
      continue;
    }
    if (g.contains("max_file_size") && g["max_file_size"].is_number_unsigned()) {
      app.max_file_size = g["max_file_size"].get<std::uint64_t>();
    }
    app.is_private = space.value("private", false);
    const auto slash = app.id.find('/');
    app.owner = space.value("_owner", app.id.substr(0, slash));
    app.root = ctx.gradio_url + "/spaces/" + app.id;
    build_app(app);
    server.apps[app.id] = std::move(app);
  }
  // The world entries, found again in ctx.world (which outlives the routes).
  for (const auto& space : ctx.world["spaces"]) {
    if (space.is_object()) {
      const auto it = server.apps.find(space.value("id", ""));
      if (it != server.apps.end()) {
        it->second.space = &space;
      }
    }
  }
  // Uploads are the apps' to limit (max_file_size); --max-body is for the Hub and router roles.
  http.set_payload_max_length(std::numeric_limits<std::size_t>::max());
  const std::string pattern = R"(/spaces/([^/]+)/([^/]+)(/.*)?)";
  http.Get(pattern, [](const httplib::Request& req, httplib::Response& res) {
    dispatch(server, req, res, nullptr);
  });
  http.Post(pattern,
            [](const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) { dispatch(server, req, res, &reader); });
}

} // namespace emulator
