// The backend seam: every way of running a model (serverless router, dedicated endpoint, Space,
// local runtime) is a Backend with the same steps, driven by one generic run-model command (and by
// batch mode, which runs the same steps once per input line):
//
//   plan     what the user asked (a Call) -> task, URL, warnings; may look the model up
//   encode   plan + inputs -> http::Request; the default builds the body from the task codec
//   execute  send -> decode to the task's normalized JSON or binary results; the default is one
//            request and one reply (streamed for chat), a backend overrides it when its protocol
//            is more than that (Gradio's join + event stream, a provider's result URL to fetch)
//
// A Backend object serves one run: it may keep what plan() decided for encode() and execute().
// In a batch one object serves every line with the same target and task: after plan(), encode()
// and execute() are called from several threads at once, so they only read that state.
#pragma once

#include <hfrun/client/client.hpp>
#include <hfrun/http/message.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/task.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::backends {

// What the user asked, whatever the backend.
struct Call {
  std::string command;                        // the command as the user typed it, for hints
  std::string target;                         // model id (maybe with :suffix), URL, name, Space
  std::optional<std::string> task;            // --task
  std::vector<std::string> param_keys;        // names of the key=value parameters given
  std::map<std::string, std::string> options; // the backend's own options ("provider" -> "auto")

  [[nodiscard]] std::string option(const std::string& name, const std::string& fallback = {}) const;
};

// What plan() decided.
struct Plan {
  const tasks::TaskSpec* task = nullptr;
  std::string target;     // canonical: the Hub id after a rename, without suffixes
  std::string url;        // where the request goes
  std::string body_model; // "model" of chat/generation bodies ("" = none)
  tasks::GenerationBody generation_body = tasks::GenerationBody::openai; // text-generation
  bool openai_embeddings = false;    // feature-extraction as OpenAI embeddings
  bool ollama = false;               // Ollama's own bodies (tasks::EncodeOptions::ollama)
  std::string via;                   // for -v: "provider together", "the router's choice"
  std::vector<std::string> warnings; // shown before the request (staging provider ...)
};

// Receives a streamed reply as it arrives. An error stops the transfer at once (stdout closed).
class StreamObserver {
public:
  virtual ~StreamObserver() = default;
  // Text to show (chat tokens).
  [[nodiscard]] virtual Result<void> on_text(std::string_view delta) = 0;
  // The body exactly as the server sent it (--raw).
  [[nodiscard]] virtual Result<void> on_raw(std::string_view bytes) = 0;
  // Whether anything reached the user yet: from then on the request is never retried (it would
  // repeat what was shown). Text assembled for --json and not shown does not count.
  [[nodiscard]] virtual bool emitted() const = 0;
};

struct ExecuteOptions {
  bool stream = false;                // stream chat/text-generation replies
  bool raw = false;                   // the reply untouched: no decoding
  StreamObserver* observer = nullptr; // required when stream is true
  // The inputs the request was encoded from, for a backend that may send them again in another
  // form (TGI text-generation falling back to OpenAI completions); null with --data.
  const tasks::Inputs* inputs = nullptr;
};

// What a run produced.
struct Outcome {
  enum class Kind {
    json,  // `normalized`: the task's normalized JSON (docs/outputs.md)
    files, // `files`: every binary payload of the reply, bytes present
    raw,   // `raw_body` / `content_type`: the body untouched
  };
  Kind kind = Kind::json;
  nlohmann::json normalized;
  std::vector<tasks::BinaryResult> files;
  std::string raw_body;
  std::string content_type;
  // The text or body already went to the observer as it arrived (a stream); the rest of the
  // outcome is the assembled result for --json and -o.
  bool streamed = false;
  int status = 0;         // the reply's HTTP status
  std::string request_id; // the reply's request id, for the user to quote
};

struct EncodeContext {
  std::optional<bool> stream; // "stream" in chat/generation bodies; nullopt leaves it out
  std::string example;        // "hfrun serverless MODEL": how usage hints show a call
};

class Backend {
public:
  virtual ~Backend() = default;
  // Whether plan() needs a request before the inference one (so --dry-run can say it stops there).
  [[nodiscard]] virtual bool needs_lookup(const Call& call) const = 0;
  [[nodiscard]] virtual Result<Plan> plan(client::Client& client, const Call& call) = 0;
  [[nodiscard]] virtual Result<http::Request>
  encode(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context);
  [[nodiscard]] virtual Result<Outcome> execute(client::Client& client,
                                                const Plan& plan,
                                                http::Request& request,
                                                const ExecuteOptions& options);
};

// One row per way of running a model.
struct BackendEntry {
  std::string_view name; // the command that drives it
  std::unique_ptr<Backend> (*make)();
};

[[nodiscard]] std::span<const BackendEntry> backend_table();
// nullptr for an unknown name.
[[nodiscard]] const BackendEntry* find_backend(std::string_view name);

// The shared defaults, for backends that override a step and still want the common part.

// POST plan.url with the task codec's body for `inputs`.
[[nodiscard]] Result<http::Request>
encode_with_codec(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context);
// One request, one reply (streamed when options.stream): decoded, binary results extracted (those
// given as URLs are left for the backend to fetch).
[[nodiscard]] Result<Outcome> send_and_decode(client::Client& client,
                                              const Plan& plan,
                                              http::Request& request,
                                              const ExecuteOptions& options);
// TGI text-generation (docs/serverless.md, "text-generation"): the inputs with "details": true
// added unless the user set it (the finish reason and token counts come in the details).
[[nodiscard]] tasks::Inputs with_tgi_details(const tasks::Inputs& inputs);
// Whether an error says the route itself is not there (405, or a 404 without a body of its own:
// axum's empty 404, FastAPI's {"detail":"Not Found"}), not that the model is unknown.
[[nodiscard]] bool is_missing_route(const Error& error);
// send_and_decode of TGI's native request; when the server says that route is not there, the
// same inputs once more as OpenAI completions to `completions_url` (TGI-only parameters are then
// a usage error: that route cannot answer them).
[[nodiscard]] Result<Outcome> generate_or_complete(client::Client& client,
                                                   const Plan& plan,
                                                   http::Request& request,
                                                   const ExecuteOptions& options,
                                                   const std::string& completions_url);
// Fetches binary results given as URLs (provider CDNs), without the token.
[[nodiscard]] Result<void> fetch_result_urls(client::Client& client, Outcome& outcome);

// Request body from an encoded task body (streams files, never loads them).
[[nodiscard]] Result<std::shared_ptr<http::BodySource>> body_source(const tasks::EncodedBody& body);

// The task named by --task, or a usage error listing the tasks there are.
[[nodiscard]] Result<const tasks::TaskSpec*> requested_task(const Call& call);

} // namespace hfrun::backends
