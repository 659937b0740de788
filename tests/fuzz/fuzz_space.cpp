// A Gradio app's replies and the user's inputs for it (src/space): /config (a root on another
// origin is never taken: the token and uploads would follow it), /info (endpoints, parameters,
// FileData schemas), the queue/join answer's event id, the session stream (queue messages, or the
// /call route's events) fed to the job state machine with its diffs, the FileData found in the
// outputs, and the user's target and `name=value` / `name:=json` / `--inputs` arguments mapped onto
// an endpoint into the request body. Input: a selector byte, then config, info, join, stream and
// arguments (one a line) separated by 0x1E.
#include "fuzz_input.hpp"

#include <cstdlib>
#include <hfrun/http/sse.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/space/arguments.hpp>
#include <hfrun/space/job.hpp>
#include <hfrun/space/session.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace {

using nlohmann::json;

class Watcher final : public hfrun::space::JobWatcher {
public:
  void on_status(const hfrun::space::JobStatus& status) override { (void)status.progress.size(); }
  void on_log(const std::string& level, const std::string& text) override {
    (void)level;
    (void)text;
  }
  hfrun::Result<void> on_update(const json& data) override {
    (void)data.dump(); // what --raw and the update lines print
    return {};
  }
};

bool same_origin(const std::string& a, const std::string& b) {
  const auto pa = hfrun::http::parse_url(a);
  const auto pb = hfrun::http::parse_url(b);
  return pa && pb && hfrun::http::origin_of(*pa) == hfrun::http::origin_of(*pb);
}

// What src/space/call.cpp makes of one event, on the queue route or the /call route.
std::optional<json> message_of(const hfrun::http::SseEvent& event, bool call_route) {
  return call_route ? hfrun::space::call_message(event) : hfrun::space::queue_message(event);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace space = hfrun::space;
  const auto [selector, rest] = hfrun::fuzz::selector_and_rest(hfrun::fuzz::as_text(data, size));
  const auto records = hfrun::fuzz::split_records(rest, 5);
  static constexpr const char* k_hosts[] = {"http://127.0.0.1:7860/", "https://owner-name.hf.space",
                                            "https://example.com/app/"};
  const std::string host = k_hosts[selector % 3];

  space::App app;
  app.config.root = hfrun::util::without_trailing_slash(host);
  if (auto config = space::parse_config(records[0], host)) {
    // The root is the host asked, or a root on the same origin.
    if (config->root != hfrun::util::without_trailing_slash(host) &&
        !same_origin(config->root, host)) {
      std::abort();
    }
    if (!config->api_prefix.empty() && config->api_prefix.front() != '/') {
      std::abort();
    }
    for (const auto& d : config->dependencies) {
      if (!d.api_name.empty() && config->dependency("/" + d.api_name) == nullptr) {
        std::abort();
      }
    }
    if (config->protocol) {
      if (space::parse_protocol(space::protocol_name(*config->protocol)) != config->protocol) {
        std::abort();
      }
    }
    (void)config->has_call_route();
    app.config = std::move(*config);
  }

  std::optional<space::ApiInfo> info;
  if (auto parsed = space::parse_info(records[1])) {
    for (const auto& endpoint : parsed->endpoints) {
      if (!endpoint.name.starts_with('/') || parsed->find(endpoint.name) == nullptr) {
        std::abort();
      }
    }
    info = std::move(*parsed);
  }

  // The user's side: a target and arguments, one a line; a last line starting with '[' is --inputs.
  std::vector<space::Argument> named;
  std::optional<json> positional;
  for (const auto& line : hfrun::util::split(records[4], '\n')) {
    const std::string item(line);
    if (auto target = space::parse_target(item, "https://huggingface.co")) {
      if (!target->space_id.empty() && target->space_id.find('/') == std::string::npos) {
        std::abort();
      }
    }
    if (item.starts_with('[')) {
      positional = hfrun::util::parse_untrusted(item);
    } else if (auto argument = space::parse_argument(item)) {
      named.push_back(std::move(*argument));
    }
  }
  if (info && !info->endpoints.empty()) {
    const auto& endpoint = info->endpoints[selector % info->endpoints.size()];
    if (auto slots = space::map_arguments(endpoint, named, positional, "hfrun space x")) {
      std::vector<json> values;
      for (const auto& slot : *slots) {
        values.push_back(slot.upload
                             ? space::uploaded_file_data("/tmp/x", "x.png", app.config.base())
                             : slot.value);
      }
      // The queue/join body is sent as JSON: it must serialize.
      (void)space::payload_data(app.config, app.config.dependency(endpoint.name), values).dump();
    }
  }

  // The job, from the join answer's event id and the session stream.
  const bool diffs = (selector & 0x10) != 0;
  const bool call_route = (selector & 0x20) != 0;
  space::Job job(diffs);
  if (auto id = hfrun::util::json_string(hfrun::util::parse_untrusted(records[2]), "event_id")) {
    job.set_event_id(*id);
  }
  Watcher watcher;
  hfrun::http::SseParser parser;
  std::vector<hfrun::http::SseEvent> events;
  parser.feed(records[3], events);
  parser.finish(events);
  for (const auto& event : events) {
    auto message = message_of(event, call_route);
    if (!message) {
      continue;
    }
    auto step = job.on_message(*message, watcher);
    if (!step || *step != space::Job::Step::more) {
      break;
    }
  }
  if (job.completed()) {
    json outputs = job.data();
    for (const auto& file : space::find_output_files(app, outputs)) {
      if (file.url.empty() || file.value == nullptr) {
        std::abort();
      }
    }
    (void)job.final_message().dump();
  }
  return 0;
}
