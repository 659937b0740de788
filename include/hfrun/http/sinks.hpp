// Where a successful response body goes as it arrives: memory (capped), a file (atomic: all or
// nothing), a stream such as stdout, or an SSE parser that hands events to a callback.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <hfrun/http/message.hpp>
#include <hfrun/http/sse.hpp>
#include <hfrun/util/atomic_file.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::http {

// Collects the body in memory; a body over `max_bytes` fails the transfer with
// ErrorKind::bad_response "response larger than N bytes" instead of exhausting memory.
class MemorySink final : public Sink {
public:
  explicit MemorySink(std::size_t max_bytes = k_max_body_in_memory) : m_max(max_bytes) {}
  [[nodiscard]] Result<void> begin(int status, const Headers& headers) override;
  [[nodiscard]] Result<void> write(std::string_view chunk) override;
  [[nodiscard]] Result<void> finish(bool ok) override;
  [[nodiscard]] const std::string& body() const { return m_body; }
  [[nodiscard]] std::string take_body() { return std::move(m_body); }

private:
  std::size_t m_max;
  std::string m_body;
};

// Writes the body to `target` through util::AtomicFile: the file appears, complete, only when the
// transfer succeeded; a failed or retried download leaves no partial file behind.
class FileSink final : public Sink {
public:
  explicit FileSink(std::filesystem::path target) : m_target(std::move(target)) {}
  [[nodiscard]] Result<void> begin(int status, const Headers& headers) override;
  [[nodiscard]] Result<void> write(std::string_view chunk) override;
  [[nodiscard]] Result<void> finish(bool ok) override;
  [[nodiscard]] std::uint64_t bytes_written() const { return m_written; }
  [[nodiscard]] bool committed() const { return m_committed; }

private:
  std::filesystem::path m_target;
  std::optional<util::AtomicFile> m_file;
  std::uint64_t m_written = 0;
  bool m_committed = false;
};

// Copies the body to an open stream (binary output piped to stdout). Once a byte has been written
// the request is emitted(): it cannot be retried without duplicating output.
class StreamSink final : public Sink {
public:
  explicit StreamSink(std::FILE* out) : m_out(out) {}
  [[nodiscard]] Result<void> begin(int status, const Headers& headers) override;
  [[nodiscard]] Result<void> write(std::string_view chunk) override;
  [[nodiscard]] Result<void> finish(bool ok) override;
  [[nodiscard]] bool emitted() const override { return m_emitted; }

private:
  std::FILE* m_out;
  bool m_emitted = false;
};

// Parses a text/event-stream body and calls `on_event` for each event as it completes; an error
// from the callback aborts the transfer with that error. An application/x-ndjson body (Ollama's
// streams) is a stream too: each non-empty line is one event, its `data`. When the reply is not a
// stream (a server that ignored "stream": true answers plain JSON) the body is collected instead,
// up to `max_plain_bytes`, and non_stream_body() returns it. A missing Content-Type is decided by
// sniffing the first bytes for an SSE field. An event (or line) that grows past
// k_max_stream_event before it completes fails the transfer (bad_response).
class SseSink final : public Sink {
public:
  using Handler = std::function<Result<void>(const SseEvent&)>;

  explicit SseSink(Handler on_event, std::size_t max_plain_bytes = k_max_body_in_memory)
      : m_on_event(std::move(on_event)), m_plain(max_plain_bytes) {}
  [[nodiscard]] Result<void> begin(int status, const Headers& headers) override;
  [[nodiscard]] Result<void> write(std::string_view chunk) override;
  [[nodiscard]] Result<void> finish(bool ok) override;
  [[nodiscard]] bool emitted() const override { return m_emitted; }

  // The caller printed something derived from an event: from now on no retry.
  void mark_emitted() { m_emitted = true; }
  // The whole body when the reply was not an event stream; null when it was (or before begin()).
  [[nodiscard]] const std::string* non_stream_body() const;
  [[nodiscard]] bool is_stream() const { return m_mode == Mode::stream || m_mode == Mode::lines; }

private:
  enum class Mode { unknown, stream, lines, plain };
  [[nodiscard]] Result<void> deliver();
  [[nodiscard]] Result<void> within_event_cap(std::size_t pending) const;
  void line_event(std::string_view line);

  Handler m_on_event;
  MemorySink m_plain;
  SseParser m_parser;
  std::string m_line; // Mode::lines: the incomplete last line
  std::vector<SseEvent> m_events;
  Mode m_mode = Mode::unknown;
  bool m_begun = false;
  bool m_emitted = false;
};

} // namespace hfrun::http
