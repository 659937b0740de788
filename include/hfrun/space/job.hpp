// One Gradio job as its queue messages tell it (spaces.md §4): queued (estimation), running
// (process_starts, progress, log), producing (process_generating, diffs applied), completed. A
// pure state machine fed one message at a time, so every protocol shape is unit-tested without a
// server; session.cpp feeds it from the SSE stream.
#pragma once

#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::space {

struct ProgressStep {
  std::optional<std::int64_t> index;
  std::optional<std::int64_t> length;
  std::optional<double> fraction; // "progress" (0..1) when the app reports a fraction
  std::string unit;
  std::string desc;
};

struct JobStatus {
  bool started = false; // process_starts seen: no longer waiting in the queue
  std::optional<std::int64_t> rank;
  std::optional<std::int64_t> queue_size;
  std::optional<double> eta_s;
  std::vector<ProgressStep> progress;
};

// What the job tells its watcher (the CLI draws a status line and prints updates).
class JobWatcher {
public:
  virtual ~JobWatcher() = default;
  virtual void on_status(const JobStatus& status) = 0;
  virtual void on_log(const std::string& level, const std::string& text) = 0;
  // A generator's current outputs, full values (diffs already applied). An error stops the job.
  [[nodiscard]] virtual Result<void> on_update(const nlohmann::json& data) = 0;
};

// Applies one Gradio diff (a list of [action, path, value] edits: replace, append, add, delete) to
// `value`. A malformed diff is ErrorKind::bad_response.
[[nodiscard]] Result<void> apply_diff(nlohmann::json& value, const nlohmann::json& diff);

// The failure a completed-with-error job reports: the app's text, or that it shows none. ZeroGPU
// quota texts are ErrorKind::rate_limited (exit 5), anything else ErrorKind::rejected (exit 6).
[[nodiscard]] Error app_error(const nlohmann::json& output, const std::string& title);

class Job {
public:
  enum class Step {
    more,          // keep reading
    completed,     // process_completed for this job: data() or the error is final
    stream_closed, // close_stream: the server has nothing more for this session
  };

  // `diffs`: process_generating carries diffs after its first message (sse_v2+, not for
  // connection "stream" endpoints).
  explicit Job(bool diffs) : m_diffs(diffs) {}

  // The event id from queue/join; messages of other events are ignored.
  void set_event_id(std::string event_id) { m_event_id = std::move(event_id); }
  [[nodiscard]] const std::string& event_id() const { return m_event_id; }

  // One parsed `data:` message of the session stream. An app error, an unexpected_error or a
  // message the protocol does not allow ends with an Error.
  [[nodiscard]] Result<Step> on_message(const nlohmann::json& message, JobWatcher& watcher);

  [[nodiscard]] bool completed() const { return m_completed; }
  // The final outputs (output.data of process_completed).
  [[nodiscard]] const nlohmann::json& data() const { return m_data; }
  // The process_completed message as sent (--raw).
  [[nodiscard]] const nlohmann::json& final_message() const { return m_final; }
  [[nodiscard]] int updates() const { return m_updates; }

private:
  bool m_diffs;
  std::string m_event_id;
  JobStatus m_status;
  nlohmann::json m_data = nlohmann::json::array();
  nlohmann::json m_final;
  bool m_completed = false;
  int m_updates = 0;
};

} // namespace hfrun::space
