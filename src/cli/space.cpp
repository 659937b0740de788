// hfrun space: call a Gradio Space or any Gradio app (docs/space.md). The protocol is the space
// layer's; this file reads the command line, shows the queue and the stream, and writes the
// outputs.
#include "batch.hpp"
#include "command.hpp"
#include "params.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <hfrun/space/arguments.hpp>
#include <hfrun/space/output_names.hpp>
#include <hfrun/space/session.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/renamed_field.hpp>
#include <hfrun/util/strings.hpp>
#include <memory>
#include <system_error>

namespace hfrun::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The queue position, progress and logs on stderr; generator updates to stdout as they come.
class Watcher final : public space::JobWatcher {
public:
  Watcher(Output& out, bool stream) : m_out(out), m_line(out), m_stream(stream) {}

  void on_status(const space::JobStatus& status) override {
    std::string text;
    if (!status.started) {
      text = "in the queue";
      if (status.rank) {
        text += fmt::format(": position {}", *status.rank + 1);
        if (status.queue_size) {
          text += fmt::format(" of {}", *status.queue_size);
        }
      }
      if (status.eta_s) {
        text += fmt::format(", ~{:.1f} s", *status.eta_s);
      }
    } else {
      text = "running";
      for (const auto& step : status.progress) {
        text += step.desc.empty() ? std::string(": ") : ": " + step.desc + " ";
        if (step.index && step.length) {
          text += fmt::format("{}/{}", *step.index + 1, *step.length);
        } else if (step.fraction) {
          text += fmt::format("{:.0f}%", *step.fraction * 100);
        }
        if (!step.unit.empty()) {
          text += " " + step.unit;
        }
      }
      if (status.progress.empty() && status.eta_s) {
        text += fmt::format(", ~{:.1f} s", *status.eta_s);
      }
    }
    m_line.show(text);
  }

  void on_log(const std::string& level, const std::string& text) override {
    m_line.clear();
    if (level == "warning") {
      m_out.warn("the app: " + text);
    } else {
      m_out.note("the app: " + text);
    }
  }

  Result<void> on_update(const json& data) override {
    m_line.clear();
    if (!m_stream) {
      return {};
    }
    // The first text output is the one that grows (a chat reply); its new part is printed.
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (const auto text = util::as_string(data[i])) {
        print_text(i, *text);
        break;
      }
    }
    if (m_out.stdout_failed()) {
      return fail(ErrorKind::output_failed, "writing to stdout failed; the job was stopped");
    }
    return {};
  }

  // The final value of the streamed output: the rest of it, and the line ended.
  void finish(const json& data) {
    m_line.clear();
    if (m_streamed_index && *m_streamed_index < data.size()) {
      if (const auto text = util::as_string(data[*m_streamed_index])) {
        print_text(*m_streamed_index, *text);
      }
      if (!m_printed.empty() && m_printed.back() != '\n') {
        m_out.stream_text("\n");
      }
    }
  }

  // Which output went to stdout as a stream (not printed again).
  [[nodiscard]] std::optional<std::size_t> streamed_index() const { return m_streamed_index; }
  void clear_line() { m_line.clear(); }

private:
  void print_text(std::size_t index, const std::string& text) {
    if (m_streamed_index && *m_streamed_index != index) {
      return;
    }
    m_streamed_index = index;
    if (text.rfind(m_printed, 0) == 0) {
      m_out.stream_text(text.substr(m_printed.size()));
    } else {
      // Not a continuation (the app rewrote its output): the new value on a line of its own.
      m_out.stream_text((m_printed.empty() || m_printed.back() == '\n' ? "" : "\n") + text);
    }
    m_printed = text;
  }

  Output& m_out;
  StatusLine m_line;
  bool m_stream;
  std::optional<std::size_t> m_streamed_index;
  std::string m_printed;
};

std::string type_label(const space::Parameter& p) {
  return p.python_type.empty() ? p.component : p.python_type;
}

// A ready-to-run command line for an endpoint: required parameters with their example values.
std::string
example_command(const std::string& target, const space::ApiEndpoint& endpoint, bool several) {
  std::string cmd = "hfrun space " + util::shell_quote(target);
  if (several) {
    cmd += " --api " + endpoint.name;
  }
  for (const auto& p : endpoint.parameters) {
    if (p.has_default) {
      continue;
    }
    if (p.is_file) {
      cmd += " " + p.name + "=@FILE";
    } else if (const auto text = util::as_string(p.example); text) {
      cmd += " " + util::shell_quote(p.name + "=" + *text);
    } else if (!p.example.is_null()) {
      cmd += " " + util::shell_quote(p.name + ":=" + p.example.dump());
    } else {
      cmd += " " + util::shell_quote(p.name + "=...");
    }
  }
  return cmd;
}

json list_json(const space::App& app, const std::string& target) {
  json endpoints = json::array();
  const auto& list = app.info->endpoints;
  for (const auto& e : list) {
    json params = json::array();
    for (const auto& p : e.parameters) {
      params.push_back({{"name", p.name},
                        {"label", p.label},
                        {"component", p.component},
                        {"type", type_label(p)},
                        {"required", !p.has_default},
                        {"default", p.has_default ? p.default_value : json(nullptr)},
                        {"file", p.is_file},
                        {"example", p.example}});
    }
    json returns = json::array();
    for (const auto& r : e.returns) {
      returns.push_back({{"label", r.label},
                         {"component", r.component},
                         {"type", r.python_type.empty() ? r.component : r.python_type},
                         {"file", r.is_file}});
    }
    endpoints.push_back({{"api", e.name},
                         {"description", e.description},
                         {"parameters", params},
                         {"returns", returns},
                         {"command", example_command(target, e, list.size() > 1)}});
  }
  return {{"space", app.name()},
          {"host", app.target.host},
          {"gradio_version", app.config.version},
          {"protocol", app.config.protocol_text},
          {"endpoints", endpoints}};
}

std::string list_text(const space::App& app, const std::string& target) {
  std::string text = app.name() + " (Gradio " +
                     (app.config.version.empty() ? "?" : app.config.version) + ", " +
                     std::to_string(app.info->endpoints.size()) + " endpoint" +
                     (app.info->endpoints.size() == 1 ? "" : "s") + ")\n";
  for (const auto& e : app.info->endpoints) {
    text += "\n" + e.name + (e.description.empty() ? "" : "  " + e.description) + "\n";
    if (e.parameters.empty()) {
      text += "  parameters: none\n";
    }
    for (const auto& p : e.parameters) {
      text += "  " + p.name + "  " + type_label(p) + " (" + p.component + ")";
      text += p.has_default ? "  default " + p.default_value.dump() : std::string("  required");
      text += "\n";
    }
    for (const auto& r : e.returns) {
      text += "  -> " + (r.label.empty() ? std::string("output") : r.label) + "  " +
              (r.python_type.empty() ? r.component : r.python_type) + " (" + r.component + ")\n";
    }
    text += "  $ " + example_command(target, e, app.info->endpoints.size() > 1) + "\n";
  }
  return text;
}

// One written output file under --json, in a single call and a --batch row alike.
json written_file_json(const fs::path& path,
                       const std::string& url,
                       const std::string& mime_type,
                       std::uint64_t size) {
  json file = {{"path", path.string()}, {"url", url}};
  util::put_renamed(file, "bytes", "size", size);
  util::put_renamed(file, "content_type", "mime_type",
                    mime_type.empty() ? json(nullptr) : json(mime_type));
  return file;
}

std::string render_value(const json& value) {
  if (const auto text = util::as_string(value)) {
    return *text;
  }
  // A Label: the label and its confidences as a table.
  if (const json* confidences = util::json_array(value, "confidences")) {
    std::string text;
    for (const auto& c : *confidences) {
      text += fmt::format("{:<24} {:.4f}\n", util::string_or(c, "label", ""),
                          util::number_or(c, "confidence", 0.0));
    }
    if (!text.empty()) {
      text.pop_back();
      return text;
    }
    return util::string_or(value, "label", value.dump());
  }
  if (value.is_object() || value.is_array()) {
    return value.dump(2);
  }
  return value.dump();
}

// A batch job's watcher: nothing drawn; how long the job waited in the Space's queue.
class QueueClock final : public space::JobWatcher {
public:
  void on_status(const space::JobStatus& status) override {
    if (status.started && !m_started) {
      m_started = std::chrono::steady_clock::now();
    }
  }
  void on_log(const std::string&, const std::string&) override {}
  Result<void> on_update(const json&) override { return {}; }
  [[nodiscard]] std::int64_t queued_ms() const {
    if (!m_started) {
      return 0;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(*m_started - m_begun).count();
  }

private:
  std::chrono::steady_clock::time_point m_begun = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> m_started;
};

// What every line of a Space batch shares: the app connected once, its endpoint, the command
// line's parameters (defaults for every line).
struct SpaceBatch {
  client::Client* client = nullptr;
  std::shared_ptr<space::App> app;
  const space::ApiEndpoint* endpoint = nullptr;
  std::vector<space::Argument> defaults;
  std::optional<json> positional;
  space::Route route = space::Route::queue;
  const util::CancelToken* cancel = nullptr;
  std::optional<fs::path> output_dir;
  std::string example;
};

// A line's values: "inputs" (all of them in order, a JSON list), "params" and flat keys by name;
// a string is read as on the command line (name=@PATH uploads PATH), anything else is JSON.
Result<json> space_item(const SpaceBatch& b, const batch::Item& item) {
  std::vector<space::Argument> named = b.defaults;
  auto add = [&](const std::string& key, const json& value) -> Result<void> {
    space::Argument arg;
    if (value.is_string()) {
      HFRUN_TRY_ASSIGN(parsed,
                       space::parse_argument(key + "=" + value.get_ref<const std::string&>()));
      arg = std::move(parsed);
    } else {
      arg.name = key;
      arg.kind = space::Argument::Kind::json;
      arg.value = value;
    }
    std::erase_if(named, [&](const space::Argument& a) { return a.name == arg.name; });
    named.push_back(std::move(arg));
    return {};
  };
  std::optional<json> positional = b.positional;
  for (const auto& [key, value] : item.fields.items()) {
    if (key == "inputs") {
      positional = value;
    } else if (key == "params") {
      if (!value.is_object()) {
        return fail(ErrorKind::usage, "\"params\" must be a JSON object");
      }
      for (const auto& [name, v] : value.items()) {
        HFRUN_TRY(add(name, v));
      }
    } else {
      HFRUN_TRY(add(key, value));
    }
  }
  HFRUN_TRY_ASSIGN(slots, space::map_arguments(*b.endpoint, named, positional, b.example));
  std::vector<json> values;
  for (auto& slot : slots) {
    if (slot.upload) {
      std::error_code ec;
      if (!fs::is_regular_file(*slot.upload, ec)) {
        return fail(ErrorKind::usage, "cannot read " + slot.upload->string(),
                    "name=@PATH uploads that file; check the path");
      }
      HFRUN_TRY_ASSIGN(server_path, space::upload_file(*b.client, *b.app, *slot.upload, {}));
      values.push_back(space::uploaded_file_data(server_path, slot.upload->filename().string(),
                                                 b.app->config.base()));
    } else {
      values.push_back(std::move(slot.value));
    }
  }
  const space::Dependency* dependency = b.app->config.dependency(b.endpoint->name);
  const json data = space::payload_data(b.app->config, dependency, values);
  QueueClock clock;
  space::CallOptions call;
  call.route = b.route;
  call.cancel = b.cancel;
  const auto started = std::chrono::steady_clock::now();
  HFRUN_TRY_ASSIGN(result, space::run_job(*b.client, *b.app, b.endpoint->name, data, clock, call));
  const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count();
  json files = json::array();
  if (b.output_dir) {
    const std::string id =
        item.id.is_string() ? item.id.get_ref<const std::string&>() : item.id.dump();
    auto outputs = space::find_output_files(*b.app, result.data);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const fs::path path = space::free_output_path(
          *b.output_dir /
          space::safe_output_name(id + "-" + space::safe_output_name(outputs[i].name, i), i));
      HFRUN_TRY_ASSIGN(size, space::download_file(*b.client, *b.app, outputs[i].url, path));
      files.push_back(written_file_json(path, outputs[i].url, outputs[i].mime_type, size));
    }
  }
  return json{{"data", result.data},
              {"files", files},
              {"duration_ms", duration_ms},
              {"queue_ms", clock.queued_ms()}};
}

class SpaceCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("space", m_target,
                   "OWNER/NAME of a Space, its *.hf.space URL, or the URL of any Gradio app")
        ->required();
    sub.add_option("params", m_params,
                   "The endpoint's parameters: name=text, name:=json, name=@file (uploaded)");
    sub.add_option("--api", m_api, "The endpoint to call (/predict); optional when there is one");
    sub.add_flag("--list", m_list, "Show the app's endpoints, parameters and return values");
    sub.add_option("--inputs", m_inputs, "All the values in order, as a JSON list");
    sub.add_option("--wait-timeout", m_wait_timeout_s,
                   "Seconds to wait for a sleeping or starting Space (default 300)")
        ->check(CLI::NonNegativeNumber);
    sub.add_option("--output-dir", m_output_dir,
                   "Where output files go (default: the current directory)");
    sub.add_option("--route", m_route,
                   "queue (default: queue position, progress, cancel on Ctrl-C) or call (Gradio's "
                   "two-step /call API)")
        ->check(CLI::IsMember({"queue", "call"}));
    add_batch_options(sub, m_batch);
  }

  Result<void> run(CommandEnv& env) override {
    HFRUN_TRY_ASSIGN(target, space::parse_target(m_target, env.config.endpoint));
    std::vector<space::Argument> arguments;
    for (const auto& item : m_params) {
      HFRUN_TRY_ASSIGN(arg, space::parse_argument(item));
      if (arg.kind == space::Argument::Kind::file) {
        std::error_code ec;
        if (!fs::is_regular_file(arg.path, ec)) {
          return fail(ErrorKind::usage,
                      "parameter " + arg.name + ": cannot read " + arg.path.string(),
                      "name=@PATH uploads that file; check the path");
        }
      }
      arguments.push_back(std::move(arg));
    }
    std::optional<json> positional;
    if (!m_inputs.empty()) {
      positional = util::parse_untrusted(m_inputs);
      if (positional->is_discarded()) {
        return fail(ErrorKind::usage, "--inputs is not valid JSON",
                    "give the values in order as a JSON list: --inputs '[\"a cat\", 20]'");
      }
    }
    std::optional<fs::path> output_dir;
    if (!m_output_dir.empty()) {
      std::error_code ec;
      if (!fs::is_directory(m_output_dir, ec)) {
        return fail(ErrorKind::usage, "--output-dir " + m_output_dir + " is not a directory",
                    "create it first");
      }
      output_dir = m_output_dir;
    }
    if (!m_batch.file.empty()) {
      return run_space_batch(env, std::move(target), std::move(arguments), std::move(positional),
                             output_dir);
    }
    HFRUN_TRY(env.out.check_output_writable());

    util::CancellableSleeper sleeper(env.cancel);
    StatusLine wait_line(env.out);
    space::ConnectOptions options;
    options.wait_timeout =
        std::chrono::milliseconds(static_cast<long long>(m_wait_timeout_s * 1000));
    options.explicit_token = env.global.token.has_value();
    options.sleeper = &sleeper;
    bool waited = false;
    options.on_wait = [&](std::string_view line) {
      if (!waited && !wait_line.enabled()) {
        env.out.note(line); // once, where no line can be redrawn (CI logs)
      }
      waited = true;
      wait_line.show(line);
    };
    if (env.global.verbose >= 1) {
      options.note = [&](std::string_view line) { env.out.note(line); };
    }
    HFRUN_TRY_ASSIGN(app, space::connect(env.client, target, options));
    wait_line.clear();
    const auto route = m_route == "call" ? space::Route::call : space::Route::queue;
    if (!m_list) {
      HFRUN_TRY(space::check_callable(app, route)); // before uploads and the API lookup
    }
    HFRUN_TRY(space::load_info(env.client, app));

    if (m_list) {
      if (env.global.json) {
        return env.out.result_json(list_json(app, m_target));
      }
      return env.out.result_text(list_text(app, m_target));
    }

    HFRUN_TRY_ASSIGN(endpoint, pick_endpoint(app));
    const std::string example =
        "hfrun space " + util::shell_quote(m_target) +
        (app.info->endpoints.size() > 1 ? " --api " + endpoint->name : std::string());
    HFRUN_TRY_ASSIGN(slots, space::map_arguments(*endpoint, arguments, positional, example));

    std::vector<json> values;
    for (auto& slot : slots) {
      if (slot.upload) {
        HFRUN_TRY_ASSIGN(server_path, upload(env, app, *slot.upload));
        values.push_back(space::uploaded_file_data(server_path, slot.upload->filename().string(),
                                                   app.config.base()));
      } else {
        values.push_back(std::move(slot.value));
      }
    }
    const space::Dependency* dependency = app.config.dependency(endpoint->name);
    const json data = space::payload_data(app.config, dependency, values);

    const bool stream = !env.global.json && !env.global.raw;
    Watcher watcher(env.out, stream);
    space::CallOptions call;
    call.route = route;
    call.cancel = &env.cancel;
    const auto started = std::chrono::steady_clock::now();
    auto ran = space::run_job(env.client, app, endpoint->name, data, watcher, call);
    watcher.clear_line();
    HFRUN_TRY_ASSIGN(result, std::move(ran));
    const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();

    if (env.global.raw) {
      return env.out.result_text(result.final_message.dump());
    }
    if (stream) {
      watcher.finish(result.data);
    }
    HFRUN_TRY_ASSIGN(files, fetch_outputs(env, app, result.data, output_dir));
    if (env.global.json) {
      return env.out.result_json({{"space", app.name()},
                                  {"api", endpoint->name},
                                  {"data", result.data},
                                  {"files", files},
                                  {"duration_ms", duration_ms}});
    }
    return print_values(env, *endpoint, result.data, watcher.streamed_index());
  }

private:
  // --batch: the app connected (woken, waited for) once, then one job per line; the default -j 2
  // keeps a shared Space's queue for its other users.
  Result<void> run_space_batch(CommandEnv& env,
                               space::Target target,
                               std::vector<space::Argument> arguments,
                               std::optional<json> positional,
                               std::optional<fs::path> output_dir) {
    if (m_list) {
      return fail(ErrorKind::usage, "--list does not go with --batch");
    }
    return run_batch(env, m_batch, 2, [&](client::Client& client) -> Result<batch::ItemRunner> {
      util::CancellableSleeper sleeper(env.cancel);
      space::ConnectOptions options;
      options.wait_timeout =
          std::chrono::milliseconds(static_cast<long long>(m_wait_timeout_s * 1000));
      options.explicit_token = env.global.token.has_value();
      options.sleeper = &sleeper;
      options.on_wait = [&](std::string_view line) { env.out.note(line); };
      HFRUN_TRY_ASSIGN(app, space::connect(client, target, options));
      const auto route = m_route == "call" ? space::Route::call : space::Route::queue;
      HFRUN_TRY(space::check_callable(app, route));
      HFRUN_TRY(space::load_info(client, app));
      auto shared = std::make_shared<SpaceBatch>();
      shared->client = &client;
      shared->app = std::make_shared<space::App>(std::move(app));
      HFRUN_TRY_ASSIGN(endpoint, pick_endpoint(*shared->app));
      shared->endpoint = endpoint;
      shared->defaults = std::move(arguments);
      shared->positional = std::move(positional);
      shared->route = route;
      shared->cancel = &env.cancel;
      shared->output_dir = output_dir;
      shared->example = "{\"name\": value} lines for hfrun space " + m_target;
      return batch::ItemRunner([shared](const batch::Item& item) {
        batch::ItemResult result;
        auto ran = space_item(*shared, item);
        if (ran) {
          result.ok = true;
          result.result = std::move(*ran);
        } else {
          result.error = std::move(ran.error());
        }
        return result;
      });
    });
  }

  Result<const space::ApiEndpoint*> pick_endpoint(const space::App& app) const {
    const auto& endpoints = app.info->endpoints;
    std::vector<std::string> names;
    names.reserve(endpoints.size());
    for (const auto& e : endpoints) {
      names.push_back(e.name);
    }
    if (m_api.empty()) {
      if (endpoints.size() == 1) {
        return &endpoints.front();
      }
      return fail(ErrorKind::usage,
                  app.name() + " has " + std::to_string(endpoints.size()) +
                      " endpoints; say which with --api",
                  endpoints.empty() ? "it lists none for API clients"
                                    : "its endpoints: " + util::join(names, ", ") +
                                          " (`hfrun space " + m_target + " --list` shows them)");
    }
    if (const auto* e = app.info->find(m_api)) {
      return e;
    }
    std::string message = app.name() + " has no endpoint " + m_api;
    const std::string wanted = m_api.front() == '/' ? m_api : "/" + m_api;
    if (auto match = util::closest_match(wanted, names)) {
      message += "; did you mean '" + *match + "'?";
    }
    return unexpected<Error>(
        make_error(ErrorKind::not_found, message, "its endpoints: " + util::join(names, ", ")));
  }

  Result<std::string> upload(CommandEnv& env, const space::App& app, const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    std::optional<ProgressBar> bar;
    constexpr std::uintmax_t k_progress_from = 8u << 20;
    if (!ec && size >= k_progress_from) {
      bar.emplace(env.out, "uploading " + path.filename().string(), size);
    }
    auto uploaded =
        space::upload_file(env.client, app, path, [&](std::uint64_t sent, std::uint64_t) {
          if (bar) {
            bar->update(sent);
          }
        });
    if (bar) {
      bar->finish();
    }
    return uploaded;
  }

  // Downloads every output file: -o for the first (then PATH-2 ...), else --output-dir or the
  // current directory under the app's file name, never over an existing file.
  Result<json> fetch_outputs(CommandEnv& env,
                             const space::App& app,
                             json& data,
                             const std::optional<fs::path>& output_dir) {
    json listed = json::array();
    auto files = space::find_output_files(app, data);
    const auto& output_file = env.out.options().output_file;
    for (std::size_t i = 0; i < files.size(); ++i) {
      fs::path path;
      if (output_file) {
        path = i == 0 ? *output_file
                      : output_file->parent_path() /
                            (output_file->stem().string() + "-" + std::to_string(i + 1) +
                             output_file->extension().string());
      } else {
        path = space::free_output_path((output_dir ? *output_dir : fs::path(".")) /
                                       space::safe_output_name(files[i].name, i));
      }
      HFRUN_TRY_ASSIGN(size, space::download_file(env.client, app, files[i].url, path));
      const std::string type = files[i].mime_type.empty() ? "file" : files[i].mime_type;
      env.out.note("wrote " + path.string() + " (" + type + ", " + human_bytes(size) + ")");
      listed.push_back(written_file_json(path, files[i].url, files[i].mime_type, size));
      if (files[i].value != nullptr) {
        m_local_paths[files[i].value] = path.string();
      }
    }
    return listed;
  }

  Result<void> print_values(CommandEnv& env,
                            const space::ApiEndpoint& endpoint,
                            const json& data,
                            std::optional<std::size_t> streamed) {
    std::string text;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (streamed && *streamed == i) {
        continue;
      }
      const auto local = m_local_paths.find(&data[i]);
      if (local != m_local_paths.end()) {
        continue; // "wrote PATH" said it on stderr
      }
      if (data[i].is_null()) {
        continue; // a State output, or nothing
      }
      const std::string label =
          i < endpoint.returns.size() ? endpoint.returns[i].label : std::string();
      std::string value = render_value(data[i]);
      if (data.size() > 1 && !label.empty()) {
        value = label + ": " + (value.find('\n') != std::string::npos ? "\n" : "") + value;
      }
      text += (shown++ ? "\n" : "") + value;
    }
    if (text.empty()) {
      return {};
    }
    if (env.out.options().output_file && m_local_paths.empty()) {
      return env.out.result_text(text);
    }
    env.out.stream_text(text + "\n");
    return {};
  }

  std::string m_target;
  std::vector<std::string> m_params;
  std::string m_api;
  bool m_list = false;
  std::string m_inputs;
  double m_wait_timeout_s = 300;
  std::string m_output_dir;
  std::string m_route = "queue";
  std::map<const json*, std::string> m_local_paths;
  BatchOptions m_batch;
};

} // namespace

std::unique_ptr<Command> make_space_command() {
  return std::make_unique<SpaceCommand>();
}

} // namespace hfrun::cli
