#include "runner.hpp"

#include <hfrun/http/bodies.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/http/sinks.hpp>
#include <hfrun/http/sse.hpp>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/render.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace hfrun::cli {

namespace {

bool is_generation(const tasks::TaskSpec& task) {
  return task.id == tasks::TaskId::conversational || task.id == tasks::TaskId::text_generation;
}

std::string extension_type(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  static const std::pair<const char*, const char*> k_types[] = {
      {".png", "image/png"},   {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".webp", "image/webp"},
      {".gif", "image/gif"},   {".flac", "audio/flac"}, {".wav", "audio/wav"},  {".mp3", "audio/mpeg"},
      {".ogg", "audio/ogg"},   {".mp4", "video/mp4"},
  };
  for (const auto& [e, type] : k_types) {
    if (ext == e) {
      return type;
    }
  }
  return {};
}

// The user named a file; its extension is not trusted to match what the server sent.
void warn_on_type_mismatch(CommandEnv& env, const std::string& content_type) {
  if (!env.out.options().output_file || content_type.empty()) {
    return;
  }
  const std::string expected = extension_type(*env.out.options().output_file);
  std::string actual = content_type.substr(0, content_type.find(';'));
  if (actual == "audio/x-wav" || actual == "audio/wave") {
    actual = "audio/wav";
  }
  if (!expected.empty() && expected != actual) {
    env.out.warn("the server sent " + actual + " but " + env.out.options().output_file->string() +
                 " says " + expected + " by its extension; the bytes are written as received");
  }
}

Result<void> print_binary(CommandEnv& env, const tasks::TaskSpec& task, const http::Response& response) {
  const std::string content_type = response.headers.get("Content-Type").value_or("");
  HFRUN_TRY_ASSIGN(results, tasks::binary_result(task, content_type, response.body));
  if (results.empty()) {
    return fail(ErrorKind::bad_response, "the reply carried no " + std::string(task.name) + " result");
  }
  tasks::BinaryResult result = std::move(results.front());
  if (result.kind == tasks::BinaryResult::Kind::url) {
    // Providers (fal-ai, Replicate) answer with a URL to their CDN: fetched without the token.
    http::Request fetch;
    fetch.url = result.url;
    HFRUN_TRY_ASSIGN(fetched, env.client.send(fetch, client::Auth::never));
    if (!fetched.ok()) {
      return unexpected<Error>(http::error_from_response(fetched, "downloading the result"));
    }
    result.bytes = std::move(fetched.body);
    if (auto type = fetched.headers.get("Content-Type")) {
      result.content_type = *type;
    }
  }
  if (result.content_type.empty()) {
    result.content_type = tasks::type_from_magic(result.bytes); // e.g. a CDN that sent none
  }
  warn_on_type_mismatch(env, result.content_type);
  if (!env.global.json) {
    return env.out.result_binary(result.bytes, result.content_type);
  }
  // --json: the file goes to -o, stdout gets what was written, in the task's schema.
  const auto& path = env.out.options().output_file;
  if (!path) {
    return fail(ErrorKind::usage, "--json with a binary result (" + std::string(task.name) + ") needs -o PATH",
                "the JSON then describes the file written");
  }
  HFRUN_TRY(write_file_atomically(*path, result.bytes));
  nlohmann::json meta = {{"task", task.name},
                         {"content_type", result.content_type},
                         {"bytes", result.bytes.size()},
                         {"path", path->string()}};
  if (!result.label.empty()) {
    meta["label"] = result.label;
  }
  env.out.stream_text(meta.dump(2) + "\n");
  return {};
}

Result<void> print_decoded(CommandEnv& env, const tasks::TaskSpec& task, const nlohmann::json& normalized,
                           const PreparedInputs& prepared) {
  if (env.global.json) {
    return env.out.result_json(normalized);
  }
  tasks::RenderOptions options;
  options.color = env.out.color_out();
  options.width = env.out.terminal_width() > 0 ? env.out.terminal_width() : 80;
  if (prepared.inputs.text) {
    options.input_text = *prepared.inputs.text;
  }
  return env.out.result_text(tasks::render(task, normalized, options));
}

Result<void> run_streaming(CommandEnv& env, const tasks::TaskSpec& task, http::Request& request,
                           const PreparedInputs& prepared) {
  tasks::ChatStreamAssembler assembler(std::string(task.name));
  const bool show_tokens = !env.global.json && !env.global.raw && !env.out.options().output_file;
  bool printed_any = false;
  http::SseSink* sink_ptr = nullptr;
  http::SseSink sink([&](const http::SseEvent& event) -> Result<void> {
    if (http::is_done(event)) {
      return {};
    }
    if (auto error = http::stream_error(event)) {
      return unexpected<Error>(*error);
    }
    if (env.global.raw) {
      env.out.stream_text(event.data + "\n");
      sink_ptr->mark_emitted();
      return {};
    }
    HFRUN_TRY_ASSIGN(delta, assembler.feed_data(event.data));
    if (show_tokens && !delta.empty()) {
      env.out.stream_text(delta);
      printed_any = true;
      sink_ptr->mark_emitted();
    }
    return {};
  });
  sink_ptr = &sink;
  request.sink = &sink;
  HFRUN_TRY_ASSIGN(response, env.client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(http::error_from_response(response, std::string(task.name) + " request"));
  }
  if (printed_any) {
    env.out.stream_text("\n");
  }
  if (auto plain = sink.non_stream_body(); plain && !plain->empty()) {
    // The server ignored "stream": a plain JSON reply, decoded as a non-streamed one.
    HFRUN_TRY_ASSIGN(normalized, tasks::decode(task, response.headers.get("Content-Type").value_or(""), *plain));
    return print_decoded(env, task, normalized, prepared);
  }
  if (env.global.raw) {
    return {};
  }
  if (env.global.json) {
    return env.out.result_json(assembler.result());
  }
  if (env.out.options().output_file) {
    return env.out.result_text(assembler.content());
  }
  return {};
}

Result<std::string> read_data_option(const std::string& data) {
  if (!data.starts_with('@')) {
    return data;
  }
  std::ifstream in(data.substr(1), std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "--data: cannot read " + data.substr(1));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

void add_input_options(CLI::App& sub, InputOptions& o) {
  sub.add_option("--text", o.text, "Text input (chat: the user message)");
  sub.add_option("--file", o.file, "Binary input: image, audio or document; - reads stdin");
  sub.add_option("--inputs", o.inputs_json, "The raw JSON `inputs` value (structured tasks)");
  sub.add_option("--system", o.system, "Chat: the system message");
  sub.add_option("--messages", o.messages, "Chat: a whole conversation, JSON or @file");
  sub.add_option("--data", o.data, "Send this body verbatim (JSON or @file)");
  auto* stream = sub.add_flag("--stream", o.stream, "Stream tokens as they arrive (default on a terminal)");
  auto* no_stream = sub.add_flag("--no-stream", o.no_stream, "Wait for the whole reply");
  stream->excludes(no_stream);
}

Result<PreparedInputs> prepare_inputs(CommandEnv& env, const tasks::TaskSpec& task,
                                      const InputOptions& options, const std::vector<std::string>& args) {
  PreparedInputs prepared;
  std::vector<std::string> param_args;
  std::vector<std::string> positional;
  for (const auto& arg : args) {
    (is_param(arg) ? param_args : positional).push_back(arg);
  }
  HFRUN_TRY_ASSIGN(params, parse_params(param_args));
  prepared.inputs.params = std::move(params);

  if (!options.text.empty()) {
    prepared.inputs.text = options.text;
  }
  if (!options.system.empty()) {
    prepared.inputs.system = options.system;
  }
  if (!options.messages.empty()) {
    prepared.inputs.messages = options.messages;
  }
  if (!options.inputs_json.empty()) {
    auto parsed = nlohmann::json::parse(options.inputs_json, nullptr, false);
    if (parsed.is_discarded()) {
      return fail(ErrorKind::usage, "--inputs is not valid JSON");
    }
    prepared.inputs.inputs = std::move(parsed);
  }
  if (!options.data.empty()) {
    HFRUN_TRY_ASSIGN(data, read_data_option(options.data));
    prepared.verbatim_body = std::move(data);
  }
  std::string file = options.file;
  if (positional.size() > 1) {
    return fail(ErrorKind::usage, "more than one INPUT given: '" + positional[1] + "'",
                "quote text with spaces, and write parameters as key=value");
  }
  if (positional.size() == 1) {
    const bool binary = task.input == tasks::InputKind::binary;
    if (binary && file.empty()) {
      file = positional.front();
    } else if (!prepared.inputs.text) {
      prepared.inputs.text = positional.front();
    } else {
      return fail(ErrorKind::usage, "both --text and a positional INPUT were given");
    }
  }
  bool fields_given = false; // question="..." context="..." are the input of structured tasks
  for (std::string_view field : task.fields) {
    fields_given = fields_given || prepared.inputs.params.contains(std::string(field));
  }
  const bool has_input = prepared.inputs.text || !file.empty() || prepared.inputs.inputs ||
                         prepared.inputs.messages || prepared.verbatim_body || fields_given;
  if (file == "-" || (!has_input && !env.out.io().in_is_tty && env.out.io().in != nullptr &&
                      task.input == tasks::InputKind::binary)) {
    HFRUN_TRY_ASSIGN(spooled, spool_to_temp(env.out.io().in));
    if (std::filesystem::file_size(spooled.path()) > 0 || file == "-") {
      file = spooled.path().string();
      prepared.spooled_stdin = std::move(spooled);
    }
  } else if (!has_input && !env.out.io().in_is_tty && env.out.io().in != nullptr) {
    std::string text = read_all(env.out.io().in);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    if (!text.empty()) {
      prepared.inputs.text = std::move(text);
    }
  }
  if (!file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return fail(ErrorKind::usage, "cannot read input file '" + file + "'", "check the path given to --file");
    }
    prepared.inputs.file = file;
  }
  return prepared;
}

bool decide_stream(const CommandEnv& env, const tasks::TaskSpec& task, const InputOptions& options) {
  if (!is_generation(task)) {
    return false;
  }
  if (options.stream) {
    return true;
  }
  if (options.no_stream) {
    return false;
  }
  return env.out.io().out_is_tty && !env.global.json && !env.global.raw;
}

std::optional<bool> stream_flag(const tasks::TaskSpec& task, const InputOptions&, bool stream) {
  if (!is_generation(task) || !stream) {
    return std::nullopt;
  }
  return true;
}

Result<void> run_task_request(CommandEnv& env, const tasks::TaskSpec& task, http::Request& request,
                              const PreparedInputs& prepared, bool stream) {
  if (prepared.verbatim_body) {
    request.body = http::string_body(*prepared.verbatim_body);
    request.headers.set("Content-Type", "application/json");
  }
  if (stream) {
    return run_streaming(env, task, request, prepared);
  }
  HFRUN_TRY_ASSIGN(response, env.client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(http::error_from_response(response, std::string(task.name) + " request"));
  }
  const std::string content_type = response.headers.get("Content-Type").value_or("");
  if (env.global.raw) {
    if (tasks::is_binary_content_type(content_type)) {
      return env.out.result_binary(response.body, content_type);
    }
    return env.out.result_text(response.body);
  }
  if (task.binary_output) {
    return print_binary(env, task, response);
  }
  HFRUN_TRY_ASSIGN(normalized, tasks::decode(task, content_type, response.body));
  return print_decoded(env, task, normalized, prepared);
}

} // namespace hfrun::cli
