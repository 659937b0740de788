// One job on a Gradio app (spaces.md §3, §4): the queue (join, then the session's event stream,
// cancel on Ctrl-C), the two-step /call route, or /run for an endpoint outside the queue.
#include <hfrun/client/errors.hpp>
#include <hfrun/http/bodies.hpp>
#include <hfrun/http/sinks.hpp>
#include <hfrun/space/session.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::space {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The sink's way of ending a stream that has told everything: not a failure.
constexpr std::string_view k_finished = "the job's stream has ended";

Error finished_marker() {
  return make_error(ErrorKind::stopped, std::string(k_finished));
}
bool is_finished_marker(const Error& e) {
  return e.kind == ErrorKind::stopped && e.message == k_finished;
}

// 11 characters of [a-z0-9], as the official clients make them.
std::string new_session_hash() {
  return util::random_string(11, "abcdefghijklmnopqrstuvwxyz0123456789");
}

http::Request json_post(const App& app, std::string url, const json& body) {
  http::Request request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers.set("Content-Type", "application/json");
  request.body = http::string_body(body.dump());
  app.prepare(request);
  return request;
}

Error route_error(const http::Response& response, const App& app, const std::string& endpoint) {
  Error e = client::error_from_response(response, app.name() + " " + endpoint);
  if (response.status == 503) {
    e.hint = "the app's queue is full or stopped; try again later";
  } else if (response.status == 404) {
    e.kind = ErrorKind::not_found;
    e.hint =
        "the app has no such route (Gradio " + app.config.version + "); `--list` shows its API";
  } else if (response.status == 500) {
    // /call of an unknown api_name is an uncaught exception there (spaces.md §3).
    e.hint = "the app failed; `--list` shows the endpoints it has";
  }
  return e;
}

// The event id of a join or /call answer.
Result<std::string> event_id_of(const http::Response& response, const App& app) {
  const json body = util::parse_untrusted(response.body);
  if (auto id = util::json_string(body, "event_id"); id && !id->empty()) {
    return *id;
  }
  return fail(ErrorKind::bad_response,
              app.name() + ": the app accepted the job but named no event_id");
}

// Reads one SSE stream into the job. `translate` turns each event into a queue message (the
// /call route's events are mapped onto the queue's), nullopt to skip one.
Result<void>
follow_stream(client::Client& client,
              const App& app,
              std::string url,
              Job& job,
              JobWatcher& watcher,
              const std::function<std::optional<json>(const http::SseEvent&)>& translate,
              bool ends_on_completion) {
  bool closed = false;
  http::SseSink* sink_ptr = nullptr;
  http::SseSink sink([&](const http::SseEvent& event) -> Result<void> {
    auto message = translate(event);
    if (!message) {
      return {};
    }
    // Anything the job saw makes a resend pointless: the app drops a session's jobs when its
    // stream goes away.
    sink_ptr->mark_emitted();
    HFRUN_TRY_ASSIGN(step, job.on_message(*message, watcher));
    if (step == Job::Step::stream_closed || (step == Job::Step::completed && ends_on_completion)) {
      closed = true;
      return unexpected<Error>(finished_marker());
    }
    return {};
  });
  sink_ptr = &sink;
  http::Request request;
  request.url = std::move(url);
  request.headers.set("Accept", "text/event-stream");
  request.sink = &sink;
  // The job may wait in the queue for long; heartbeats (every 15 s) keep the stall timer fed.
  request.timeouts = http::Timeouts{10s, 0ms, 60s};
  app.prepare(request);
  auto sent = client.send(request, client::Auth::never);
  if (!sent && !is_finished_marker(sent.error())) {
    return unexpected<Error>(sent.error());
  }
  if (sent && !sent->ok()) {
    return unexpected<Error>(route_error(*sent, app, "event stream"));
  }
  if (sent && sink.non_stream_body() != nullptr) {
    return fail(ErrorKind::bad_response, app.name() + ": the app answered the event stream with " +
                                             sent->headers.get("Content-Type").value_or("no type"));
  }
  if (!job.completed()) {
    return fail(ErrorKind::unavailable,
                app.name() + ": the app closed the event stream before the job finished" +
                    (closed ? " (close_stream)" : ""),
                "the Space may have restarted or dropped the session; run the command again");
  }
  return {};
}

void post_cancel(client::Client& client,
                 const App& app,
                 const std::string& event_id,
                 const std::string& session_hash,
                 int fn_index) {
  auto request =
      json_post(app, app.config.base() + "/cancel",
                {{"event_id", event_id}, {"session_hash", session_hash}, {"fn_index", fn_index}});
  request.survives_cancel = true;
  request.retryable = false;
  request.timeouts = http::Timeouts{3s, 5s, 0ms};
  (void)client.send(request, client::Auth::never);
}

Result<CallResult> run_queue(client::Client& client,
                             const App& app,
                             const Dependency& dep,
                             const json& data,
                             JobWatcher& watcher,
                             const CallOptions& options) {
  const std::string session = new_session_hash();
  const json body = {{"data", data},
                     {"event_data", nullptr},
                     {"fn_index", dep.fn_index},
                     {"trigger_id", nullptr},
                     {"session_hash", session}};
  auto join = json_post(app, app.config.base() + "/queue/join", body);
  HFRUN_TRY_ASSIGN(joined, client.send(join, client::Auth::never));
  if (!joined.ok()) {
    return unexpected<Error>(route_error(joined, app, "/" + dep.api_name));
  }
  HFRUN_TRY_ASSIGN(event_id, event_id_of(joined, app));
  const Protocol protocol = app.config.protocol.value_or(Protocol::sse_v3);
  Job job(uses_diffs(protocol) && !dep.stream_connection);
  job.set_event_id(event_id);
  // sse_v3 servers close the stream themselves (close_stream); older ones leave it to the client
  // once its job completed. Ending at completion is right for both: this session has one job.
  auto followed =
      follow_stream(client, app, app.config.base() + "/queue/data?session_hash=" + session, job,
                    watcher, &queue_message, /*ends_on_completion=*/true);
  if (!followed) {
    const bool cancelled = options.cancel != nullptr && options.cancel->cancelled();
    if (cancelled || followed.error().kind == ErrorKind::interrupted) {
      post_cancel(client, app, event_id, session, dep.fn_index);
    }
    return unexpected<Error>(followed.error());
  }
  return CallResult{job.data(), job.final_message(), event_id, job.updates()};
}

Result<CallResult> run_call_route(client::Client& client,
                                  const App& app,
                                  const std::string& api,
                                  const json& data,
                                  JobWatcher& watcher) {
  auto post = json_post(app, app.config.base() + "/call/" + api, {{"data", data}});
  HFRUN_TRY_ASSIGN(posted, client.send(post, client::Auth::never));
  if (!posted.ok()) {
    return unexpected<Error>(route_error(posted, app, "/" + api));
  }
  HFRUN_TRY_ASSIGN(event_id, event_id_of(posted, app));
  Job job(/*diffs=*/false); // /call sends full values
  HFRUN_TRY(follow_stream(client, app, app.config.base() + "/call/" + api + "/" + event_id, job,
                          watcher, &call_message, /*ends_on_completion=*/true));
  return CallResult{job.data(), job.final_message(), event_id, job.updates()};
}

// An endpoint outside the queue: one POST, the outputs in the answer (spaces.md §4.5).
Result<CallResult>
run_direct(client::Client& client, const App& app, const Dependency& dep, const json& data) {
  auto post = json_post(app, app.config.base() + "/run/" + dep.api_name,
                        {{"data", data},
                         {"event_data", nullptr},
                         {"fn_index", dep.fn_index},
                         {"trigger_id", nullptr},
                         {"session_hash", new_session_hash()}});
  HFRUN_TRY_ASSIGN(response, client.send(post, client::Auth::never));
  const json body = util::parse_untrusted(response.body);
  if (!response.ok()) {
    if (util::json_member(body, "error") != nullptr) {
      return unexpected<Error>(app_error(body, ""));
    }
    return unexpected<Error>(route_error(response, app, "/" + dep.api_name));
  }
  const json* outputs = util::json_array(body, "data");
  if (outputs == nullptr) {
    return fail(ErrorKind::bad_response,
                app.name() + ": /run/" + dep.api_name + " answered without data");
  }
  return CallResult{*outputs, body, "", 0};
}

} // namespace

std::optional<json> queue_message(const http::SseEvent& event) {
  json message = util::parse_untrusted(event.data);
  if (!message.is_object()) {
    return std::nullopt; // "ALIVE" heartbeats and comments
  }
  return message;
}

// The /call route's events (spaces.md §3) as queue messages.
std::optional<json> call_message(const http::SseEvent& event) {
  const json data = util::parse_untrusted(event.data);
  if (event.event == "generating") {
    return json{{"msg", "process_generating"}, {"output", {{"data", data}}}, {"success", true}};
  }
  if (event.event == "complete") {
    return json{{"msg", "process_completed"}, {"output", {{"data", data}}}, {"success", true}};
  }
  if (event.event == "error") {
    // 5.x sends null, 6.13+ the error output, an unexpected failure a JSON string.
    json output =
        data.is_object() ? data : json{{"error", data.is_string() ? data : json(nullptr)}};
    return json{{"msg", "process_completed"}, {"output", output}, {"success", false}};
  }
  return std::nullopt; // heartbeat
}

Result<void> check_callable(const App& app, Route route) {
  if (route == Route::call) {
    if (!app.config.has_call_route()) {
      return fail(ErrorKind::usage,
                  app.name() + " runs Gradio " + app.config.version +
                      ", which has no /call route (it came with 4.20)",
                  "leave out --route call: the queue works with this app");
    }
    return {};
  }
  const Protocol protocol = app.config.protocol.value_or(Protocol::sse_v3);
  switch (protocol) {
  case Protocol::sse_v3:
  case Protocol::sse_v2_1:
  case Protocol::sse_v2:
  case Protocol::sse_v1:
    return {};
  case Protocol::sse:
  case Protocol::ws:
    break;
  }
  return fail(ErrorKind::unavailable,
              app.name() + " runs Gradio " +
                  (app.config.version.empty() ? "3.x" : app.config.version) +
                  ", whose queue protocol (" + std::string(protocol_name(protocol)) +
                  ") hfrun does not speak",
              protocol == Protocol::ws
                  ? "Gradio 3.x queues over websockets, which this build's libcurl lacks; the app "
                    "needs Gradio 4.9 or later (docs/space.md, \"Gradio versions\")"
                  : "the app needs Gradio 4.9 or later (docs/space.md, \"Gradio versions\")");
}

Result<CallResult> run_job(client::Client& client,
                           const App& app,
                           const std::string& endpoint,
                           const json& data,
                           JobWatcher& watcher,
                           const CallOptions& options) {
  HFRUN_TRY(check_callable(app, options.route));
  const std::string api =
      endpoint.empty() || endpoint.front() != '/' ? endpoint : endpoint.substr(1);
  if (options.route == Route::call) {
    return run_call_route(client, app, api, data, watcher);
  }
  const Dependency* dep = app.config.dependency(api);
  if (dep == nullptr) {
    return fail(ErrorKind::not_found, app.name() + " has no endpoint /" + api,
                "`hfrun space " + app.target.text + " --list` shows the endpoints it has");
  }
  if (!dep->queued) {
    return run_direct(client, app, *dep, data);
  }
  return run_queue(client, app, *dep, data, watcher, options);
}

} // namespace hfrun::space
