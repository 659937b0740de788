// Talking to one Gradio app (docs/space.md): find it (a Hub Space id, a *.hf.space URL, any Gradio
// URL), wait for a sleeping Space to wake, read its config and API, upload input files, run one job
// through the queue (or the /call route), and fetch the files it produced.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <hfrun/client/client.hpp>
#include <hfrun/http/sse.hpp>
#include <hfrun/space/app.hpp>
#include <hfrun/space/job.hpp>
#include <hfrun/util/cancel.hpp>
#include <hfrun/util/clock.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::space {

// How the token reaches the app's host (spaces.md §1.2).
enum class TokenHeader {
  x_hf_authorization, // a Hugging Face Space: the proxy strips it, the app never sees the token
  authorization,      // another server, only when the user passed --token for it
  none,
};

struct Target {
  std::string text;      // as the user typed it, for messages
  std::string space_id;  // OWNER/NAME when it names a Hub Space (then the Hub gives the host)
  std::string host;      // a URL given by the user; resolved from the Hub otherwise
  bool hf_space = false; // a *.hf.space host, or one the Hub named
};

// OWNER/NAME, https://huggingface.co/spaces/OWNER/NAME (the Space's page), or an http(s) URL of the
// app. Anything else is ErrorKind::usage.
[[nodiscard]] Result<Target> parse_target(std::string_view text, std::string_view hub_endpoint);

struct ConnectOptions {
  std::chrono::milliseconds wait_timeout{300'000}; // for a sleeping or starting Space
  bool explicit_token = false; // --token: sent to a non-Hugging Face app host too
  util::Sleeper* sleeper = nullptr;
  // One line while a Space wakes or builds ("waking up ... (APP_STARTING, 4 s)"); may be null.
  std::function<void(std::string_view)> on_wait;
  // -v notes (which host, which protocol); may be null.
  std::function<void(std::string_view)> note;
};

class App {
public:
  Target target;
  AppConfig config;
  std::optional<ApiInfo> info;
  TokenHeader token_header = TokenHeader::none;
  std::string token; // the value token_header carries (never printed)

  // Auth and Gradio's headers for a request to the app (not for URLs on other hosts).
  void prepare(http::Request& request) const;
  // What to call the app in messages: the Space id, else the URL.
  [[nodiscard]] std::string name() const;
};

// Resolves the target, waits until a Space runs, reads /config. The Space's runtime stage decides:
// PAUSED, *_ERROR, NO_APP_FILE fail at once (ErrorKind::unavailable with the stage and what to do);
// SLEEPING, STOPPED are woken by a request to the host; BUILDING, *STARTING are waited for, up to
// wait_timeout. An app speaking a queue protocol hfrun does not (ws, sse) connects too: calling it
// is the error, --list still works.
[[nodiscard]] Result<App>
connect(client::Client& client, const Target& target, const ConnectOptions& options);

// GET {base}/info into app.info.
[[nodiscard]] Result<void> load_info(client::Client& client, App& app);

// POST {base}/upload of one file, streamed from disk (multipart `files`): the server path. The
// app's max_file_size is checked first (ErrorKind::rejected, nothing sent).
[[nodiscard]] Result<std::string>
upload_file(client::Client& client,
            const App& app,
            const std::filesystem::path& path,
            const std::function<void(std::uint64_t, std::uint64_t)>& progress);

enum class Route {
  queue, // queue/join + queue/data (sse_v1 and later): estimation, progress, logs, cancel
  call,  // POST /call/{api} + GET /call/{api}/{event_id} (4.20+): results only
};

struct CallOptions {
  Route route = Route::queue;
  const util::CancelToken* cancel = nullptr; // on cancellation the job is cancelled on the app
};

struct CallResult {
  nlohmann::json data;          // the outputs, in order
  nlohmann::json final_message; // the app's last message as sent (--raw)
  std::string event_id;
  int updates = 0; // generator updates received
};

// Whether hfrun can run jobs on the app: its queue protocol is one hfrun speaks (sse_v1 and later;
// ws and sse are ErrorKind::unavailable naming the app's Gradio version), or the /call route exists
// when `route` is Route::call (else ErrorKind::usage).
[[nodiscard]] Result<void> check_callable(const App& app, Route route);

// Runs `endpoint` once with `data` (payload_data's array). A Ctrl-C (options.cancel) posts
// {base}/cancel for the job before returning ErrorKind::interrupted.
[[nodiscard]] Result<CallResult> run_job(client::Client& client,
                                         const App& app,
                                         const std::string& endpoint,
                                         const nlohmann::json& data,
                                         JobWatcher& watcher,
                                         const CallOptions& options);

// A file the app produced (a FileData in the outputs).
struct OutputFile {
  std::string url;  // where to fetch it
  std::string name; // orig_name, else the last part of its path
  std::string mime_type;
  nlohmann::json* value = nullptr; // the FileData inside the outputs (for its local path)
};
// Every FileData in `data`, depth first in output order.
[[nodiscard]] std::vector<OutputFile> find_output_files(const App& app, nlohmann::json& data);

// Fetches an output file into `path` (atomically: complete or absent), with the app's auth when it
// is on the app's origin and none elsewhere. The number of bytes written.
[[nodiscard]] Result<std::uint64_t> download_file(client::Client& client,
                                                  const App& app,
                                                  const std::string& url,
                                                  const std::filesystem::path& path);

// One event of the app's stream as a queue message, or nullopt for one that carries none: the
// queue route's events are JSON objects ("ALIVE" heartbeats are skipped); the /call route's
// generating/complete/error events (spaces.md §3) are turned into the queue's messages.
[[nodiscard]] std::optional<nlohmann::json> queue_message(const http::SseEvent& event);
[[nodiscard]] std::optional<nlohmann::json> call_message(const http::SseEvent& event);

} // namespace hfrun::space
