// The shared steps of every backend: encode from the task codec, send -> decode, streaming with a
// clean result per attempt, and the table of backends.
#include "endpoint_backend.hpp"
#include "local_backend.hpp"
#include "serverless_backend.hpp"

#include <array>
#include <cctype>
#include <hfrun/backends/backend.hpp>
#include <hfrun/client/errors.hpp>
#include <hfrun/http/bodies.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/http/sinks.hpp>
#include <hfrun/http/sse.hpp>
#include <hfrun/tasks/chat.hpp>

namespace hfrun::backends {

std::string Call::option(const std::string& name, const std::string& fallback) const {
  const auto it = options.find(name);
  return it != options.end() ? it->second : fallback;
}

namespace {

// A streamed reply, seen through one attempt at a time: every attempt (the retry of a reset
// connection) starts from a clean parser and a clean result, so nothing of a failed attempt is
// kept. Once something reached the user the request is emitted() and is never retried.
class StreamAttemptSink final : public http::Sink {
public:
  StreamAttemptSink(const tasks::TaskSpec& task, const ExecuteOptions& options)
      : m_task(task), m_options(options) {}

  Result<void> begin(int status, const http::Headers& headers) override {
    m_assembler.emplace(std::string(m_task.name));
    m_saw_done = false;
    m_request_id = http::request_id(headers); // an error inside the stream quotes it
    if (m_options.raw) {
      return {};
    }
    m_sse.emplace([this](const http::SseEvent& event) { return on_event(event); });
    return m_sse->begin(status, headers);
  }

  Result<void> write(std::string_view chunk) override {
    if (m_options.raw) {
      return m_options.observer->on_raw(chunk);
    }
    return m_sse->write(chunk);
  }

  Result<void> finish(bool ok) override {
    if (m_options.raw || !m_sse) {
      return {};
    }
    return m_sse->finish(ok);
  }

  bool emitted() const override { return m_options.observer->emitted(); }

  [[nodiscard]] const std::string* plain_body() const {
    return m_sse ? m_sse->non_stream_body() : nullptr;
  }
  [[nodiscard]] bool saw_done() const { return m_saw_done; }
  [[nodiscard]] const tasks::ChatStreamAssembler* assembler() const {
    return m_assembler ? &*m_assembler : nullptr;
  }

private:
  Result<void> on_event(const http::SseEvent& event) {
    if (http::is_done(event)) {
      m_saw_done = true;
      return {};
    }
    if (auto error = http::stream_error(event)) {
      error->request_id = m_request_id;
      return unexpected<Error>(*error);
    }
    HFRUN_TRY_ASSIGN(delta, m_assembler->feed_data(event.data));
    if (!delta.empty()) {
      HFRUN_TRY(m_options.observer->on_text(delta));
    }
    return {};
  }

  const tasks::TaskSpec& m_task;
  const ExecuteOptions& m_options;
  std::optional<http::SseSink> m_sse;
  std::optional<tasks::ChatStreamAssembler> m_assembler;
  std::string m_request_id;
  bool m_saw_done = false;
};

std::string what_failed(const tasks::TaskSpec& task) {
  return std::string(task.name) + " request";
}

Result<Outcome> decoded_outcome(const tasks::TaskSpec& task,
                                const http::Response& response,
                                std::string_view body) {
  Outcome outcome;
  outcome.status = response.status;
  outcome.request_id = http::request_id(response.headers);
  const std::string content_type = response.headers.get("Content-Type").value_or("");
  if (task.binary_output) {
    HFRUN_TRY_ASSIGN(files, tasks::binary_result(task, content_type, body));
    if (files.empty()) {
      return fail(ErrorKind::bad_response,
                  "the reply carried no " + std::string(task.name) + " result");
    }
    outcome.kind = Outcome::Kind::files;
    outcome.files = std::move(files);
    return outcome;
  }
  HFRUN_TRY_ASSIGN(normalized, tasks::decode(task, content_type, body));
  outcome.kind = Outcome::Kind::json;
  outcome.normalized = std::move(normalized);
  return outcome;
}

// A finish reason in the assembled result says the server ended the reply on purpose.
bool has_finish_reason(const nlohmann::json& result) {
  const auto it = result.find("finish_reason");
  return it != result.end() && !it->is_null();
}

Result<Outcome> send_streaming(client::Client& client,
                               const Plan& plan,
                               http::Request& request,
                               const ExecuteOptions& options) {
  StreamAttemptSink sink(*plan.task, options);
  request.sink = &sink;
  HFRUN_TRY_ASSIGN(response, client.send(request));
  request.sink = nullptr;
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, what_failed(*plan.task)));
  }
  if (const std::string* plain = sink.plain_body()) {
    // The server ignored "stream": a plain reply, decoded as a non-streamed one.
    if (options.raw) {
      Outcome outcome;
      outcome.kind = Outcome::Kind::raw;
      outcome.raw_body = *plain;
      return outcome;
    }
    return decoded_outcome(*plan.task, response, *plain);
  }
  Outcome outcome;
  outcome.streamed = true;
  outcome.status = response.status;
  outcome.request_id = http::request_id(response.headers);
  if (options.raw) {
    outcome.kind = Outcome::Kind::raw;
    outcome.content_type = response.headers.get("Content-Type").value_or("");
    return outcome;
  }
  const tasks::ChatStreamAssembler* assembler = sink.assembler();
  outcome.normalized = assembler != nullptr ? assembler->result() : nlohmann::json::object();
  if (!sink.saw_done() && !has_finish_reason(outcome.normalized) &&
      (assembler == nullptr || !assembler->finished())) {
    Error e = make_error(ErrorKind::bad_response,
                         "the " + std::string(plan.task->name) +
                             " stream ended before the reply was complete (no [DONE] and no finish "
                             "reason): the output is truncated",
                         "try again; --no-stream waits for the whole reply");
    e.request_id = outcome.request_id;
    return unexpected<Error>(std::move(e));
  }
  return outcome;
}

} // namespace

Result<std::shared_ptr<http::BodySource>> body_source(const tasks::EncodedBody& body) {
  switch (body.kind) {
  case tasks::BodyKind::json:
    return http::string_body(body.json);
  case tasks::BodyKind::raw_file:
    return http::file_body(body.file);
  case tasks::BodyKind::base64_json:
    return http::base64_json_body(body.prefix, body.file, body.suffix);
  }
  return fail(ErrorKind::internal, "unknown body kind");
}

Result<http::Request>
encode_with_codec(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context) {
  http::Request request;
  request.method = "POST";
  request.url = plan.url;
  tasks::EncodeOptions options;
  options.model = plan.body_model;
  options.stream = context.stream;
  options.generation_body = plan.generation_body;
  options.openai_embeddings = plan.openai_embeddings;
  options.ollama = plan.ollama;
  options.example = context.example;
  HFRUN_TRY_ASSIGN(encoded, tasks::encode(*plan.task, inputs, options));
  if (!encoded.content_type.empty()) {
    request.headers.set("Content-Type", encoded.content_type);
  }
  if (!encoded.accept.empty()) {
    request.headers.set("Accept", encoded.accept);
  }
  HFRUN_TRY_ASSIGN(source, body_source(encoded));
  request.body = std::move(source);
  return request;
}

Result<Outcome> send_and_decode(client::Client& client,
                                const Plan& plan,
                                http::Request& request,
                                const ExecuteOptions& options) {
  if (options.stream && tasks::is_generation(plan.task->id) && options.observer != nullptr) {
    return send_streaming(client, plan, request, options);
  }
  HFRUN_TRY_ASSIGN(response, client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, what_failed(*plan.task)));
  }
  if (options.raw) {
    Outcome outcome;
    outcome.kind = Outcome::Kind::raw;
    outcome.status = response.status;
    outcome.request_id = http::request_id(response.headers);
    outcome.content_type = response.headers.get("Content-Type").value_or("");
    outcome.raw_body = std::move(response.body);
    return outcome;
  }
  return decoded_outcome(*plan.task, response, response.body);
}

tasks::Inputs with_tgi_details(const tasks::Inputs& inputs) {
  tasks::Inputs out = inputs;
  if (out.params.is_object() && !out.params.contains("details")) {
    out.params["details"] = true;
  }
  return out;
}

bool is_missing_route(const Error& error) {
  if (!error.http_status) {
    return false;
  }
  if (*error.http_status == 405) {
    return true;
  }
  if (*error.http_status != 404) {
    return false;
  }
  std::string said;
  for (char c : error.server_message) {
    said += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return said.empty() || said == "not found" || said == "404 page not found" ||
         said == "404 not found";
}

Result<Outcome> generate_or_complete(client::Client& client,
                                     const Plan& plan,
                                     http::Request& request,
                                     const ExecuteOptions& options,
                                     const std::string& completions_url) {
  auto native = send_and_decode(client, plan, request, options);
  if (native || options.inputs == nullptr || !is_missing_route(native.error())) {
    return native;
  }
  // The model is served through the OpenAI routes only (vLLM on hf-inference): the same inputs
  // as huggingface.js sends them. The user's own parameters decide, not hfrun's added details.
  Plan completions = plan;
  completions.url = completions_url;
  completions.generation_body = tasks::GenerationBody::openai;
  EncodeContext context;
  if (options.stream) {
    context.stream = true;
  }
  auto encoded = encode_with_codec(completions, *options.inputs, context);
  if (!encoded) {
    Error e = std::move(encoded.error());
    e.message = request.url + " has no TGI route (HTTP " +
                std::to_string(native.error().http_status.value_or(0)) + "), and " + e.message;
    return unexpected(std::move(e));
  }
  for (const auto& [name, value] : request.headers.entries()) {
    // The codec's own headers are the new body's; the client adds auth to every request.
    if (!encoded->headers.has(name) && !http::iequals(name, "Authorization")) {
      encoded->headers.add(name, value);
    }
  }
  return send_and_decode(client, completions, *encoded, options);
}

Result<void> fetch_result_urls(client::Client& client, Outcome& outcome) {
  for (auto& file : outcome.files) {
    if (file.kind != tasks::BinaryResult::Kind::url) {
      continue;
    }
    // Provider CDNs (fal-ai, Replicate) hand out pre-signed URLs: the token must not follow.
    http::Request fetch;
    fetch.url = file.url;
    HFRUN_TRY_ASSIGN(fetched, client.send(fetch, client::Auth::never));
    if (!fetched.ok()) {
      return unexpected<Error>(client::error_from_response(fetched, "downloading the result"));
    }
    file.bytes = std::move(fetched.body);
    file.kind = tasks::BinaryResult::Kind::bytes;
    if (auto type = fetched.headers.get("Content-Type")) {
      file.content_type = *type;
    }
  }
  for (auto& file : outcome.files) {
    if (file.content_type.empty()) {
      file.content_type = tasks::type_from_magic(file.bytes); // e.g. a CDN that sent none
    }
  }
  return {};
}

Result<const tasks::TaskSpec*> requested_task(const Call& call) {
  if (!call.task) {
    return static_cast<const tasks::TaskSpec*>(nullptr);
  }
  if (const tasks::TaskSpec* spec = tasks::find_task(*call.task)) {
    return spec;
  }
  std::string names;
  for (const auto& t : tasks::all_tasks()) {
    names += (names.empty() ? "" : ", ") + std::string(t.name);
  }
  return fail(ErrorKind::usage, "unknown task '" + *call.task + "'", "tasks: " + names);
}

Result<http::Request>
Backend::encode(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context) {
  return encode_with_codec(plan, inputs, context);
}

Result<Outcome> Backend::execute(client::Client& client,
                                 const Plan& plan,
                                 http::Request& request,
                                 const ExecuteOptions& options) {
  return send_and_decode(client, plan, request, options);
}

std::span<const BackendEntry> backend_table() {
  static const std::array k_backends{
      BackendEntry{"serverless", &make_serverless_backend},
      BackendEntry{"endpoint", &make_endpoint_backend},
      BackendEntry{"local", &make_local_backend},
  };
  return k_backends;
}

const BackendEntry* find_backend(std::string_view name) {
  for (const auto& entry : backend_table()) {
    if (entry.name == name) {
      return &entry;
    }
  }
  return nullptr;
}

} // namespace hfrun::backends
