#include <cerrno>
#include <cstring>
#include <hfrun/http/sinks.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::http {

Result<void> MemorySink::begin(int, const Headers&) {
  m_body.clear(); // a retried transfer starts over
  return {};
}

Result<void> MemorySink::write(std::string_view chunk) {
  if (chunk.size() > m_max - m_body.size()) {
    return fail(ErrorKind::bad_response, "response larger than " + std::to_string(m_max) + " bytes",
                "the server sent far more than expected; use -o FILE for large results");
  }
  m_body.append(chunk);
  return {};
}

Result<void> MemorySink::finish(bool) {
  return {};
}

Result<void> FileSink::begin(int, const Headers&) {
  m_file.reset();
  m_written = 0;
  m_committed = false;
  HFRUN_TRY_ASSIGN(file, util::AtomicFile::create(m_target));
  m_file.emplace(std::move(file));
  return {};
}

Result<void> FileSink::write(std::string_view chunk) {
  if (!m_file) {
    return fail(ErrorKind::internal, "FileSink written before begin()");
  }
  HFRUN_TRY(m_file->write(chunk));
  m_written += chunk.size();
  return {};
}

Result<void> FileSink::finish(bool ok) {
  if (!m_file) {
    return {};
  }
  std::optional<util::AtomicFile> file = std::move(m_file);
  m_file.reset();
  if (!ok) {
    return {}; // the AtomicFile's destructor removes the temp file
  }
  HFRUN_TRY(file->commit());
  m_committed = true;
  return {};
}

Result<void> StreamSink::begin(int, const Headers&) {
  return {};
}

Result<void> StreamSink::write(std::string_view chunk) {
  if (chunk.empty()) {
    return {};
  }
  m_emitted = true;
  if (std::fwrite(chunk.data(), 1, chunk.size(), m_out) != chunk.size()) {
    return fail(ErrorKind::usage, std::string("cannot write the output: ") + std::strerror(errno));
  }
  return {};
}

Result<void> StreamSink::finish(bool) {
  if (std::fflush(m_out) != 0) {
    return fail(ErrorKind::usage, std::string("cannot write the output: ") + std::strerror(errno));
  }
  return {};
}

Result<void> SseSink::begin(int status, const Headers& headers) {
  m_parser = SseParser();
  m_events.clear();
  m_mode = Mode::unknown;
  m_line.clear();
  m_begun = true;
  HFRUN_TRY(m_plain.begin(status, headers));
  if (auto type = headers.get("Content-Type")) {
    const std::string_view t = util::trim(*type);
    m_mode = util::starts_with_icase(t, "text/event-stream")      ? Mode::stream
             : util::starts_with_icase(t, "application/x-ndjson") ? Mode::lines
                                                                  : Mode::plain;
  }
  return {};
}

Result<void> SseSink::write(std::string_view chunk) {
  if (m_mode == Mode::unknown && !chunk.empty()) {
    const std::string_view head = util::trim(chunk);
    const bool sse = head.starts_with("data:") || head.starts_with("event:") ||
                     head.starts_with("id:") || head.starts_with(':');
    m_mode = sse ? Mode::stream : Mode::plain;
  }
  if (m_mode == Mode::plain) {
    return m_plain.write(chunk);
  }
  if (m_mode == Mode::lines) {
    // Only the new bytes can hold a line end: searching the whole carried line again on every
    // chunk would make one long line quadratic.
    const std::size_t searched = m_line.size();
    m_line.append(chunk);
    std::size_t start = 0;
    for (std::size_t end = m_line.find('\n', searched); end != std::string::npos;
         end = m_line.find('\n', start)) {
      line_event(std::string_view(m_line).substr(start, end - start));
      start = end + 1;
    }
    m_line.erase(0, start);
    HFRUN_TRY(deliver());
    return within_event_cap(m_line.size());
  }
  m_parser.feed(chunk, m_events);
  HFRUN_TRY(deliver());
  return within_event_cap(m_parser.pending_bytes());
}

void SseSink::line_event(std::string_view line) {
  line = util::trim(line);
  if (!line.empty()) {
    SseEvent event;
    event.data = std::string(line);
    m_events.push_back(std::move(event));
  }
}

Result<void> SseSink::finish(bool ok) {
  if (!ok || (m_mode != Mode::stream && m_mode != Mode::lines)) {
    return {};
  }
  if (m_mode == Mode::lines) {
    line_event(m_line); // a last line without its newline
    m_line.clear();
    return deliver();
  }
  m_parser.finish(m_events);
  return deliver();
}

Result<void> SseSink::within_event_cap(std::size_t pending) const {
  if (pending > k_max_stream_event) {
    return fail(ErrorKind::bad_response, "a stream event larger than " +
                                             util::human_bytes(k_max_stream_event) +
                                             " (the server never ended it)");
  }
  return {};
}

Result<void> SseSink::deliver() {
  // Events are handed out in order; after a failing callback the rest are dropped with it.
  std::vector<SseEvent> events = std::move(m_events);
  m_events.clear();
  for (const SseEvent& event : events) {
    HFRUN_TRY(m_on_event(event));
  }
  return {};
}

const std::string* SseSink::non_stream_body() const {
  if (!m_begun || is_stream()) {
    return nullptr;
  }
  return &m_plain.body();
}

} // namespace hfrun::http
