#include <charconv>
#include <hfrun/http/sse.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>
#include <limits>
#include <nlohmann/json.hpp>

namespace hfrun::http {

void SseParser::feed(std::string_view chunk, std::vector<SseEvent>& out) {
  if (!m_started && !chunk.empty()) {
    // A UTF-8 BOM may open the stream (spec); it may also arrive split, so wait for 3 bytes.
    m_line.append(chunk);
    if (m_line.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(m_line)) {
      return;
    }
    m_started = true;
    std::string buffered = std::move(m_line);
    m_line.clear();
    std::string_view rest(buffered);
    if (rest.starts_with("\xEF\xBB\xBF")) {
      rest.remove_prefix(3);
    }
    feed(rest, out);
    return;
  }
  if (m_skip_lf && !chunk.empty()) {
    if (chunk.front() == '\n') {
      chunk.remove_prefix(1);
    }
    m_skip_lf = false;
  }
  while (!chunk.empty()) {
    const std::size_t end = chunk.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      m_line.append(chunk);
      return;
    }
    if (m_line.empty()) {
      line(chunk.substr(0, end), out);
    } else {
      m_line.append(chunk.substr(0, end));
      line(m_line, out);
      m_line.clear();
    }
    const bool cr = chunk[end] == '\r';
    chunk.remove_prefix(end + 1);
    if (cr) {
      if (chunk.empty()) {
        m_skip_lf = true; // the LF of this CRLF may be the first byte of the next chunk
      } else if (chunk.front() == '\n') {
        chunk.remove_prefix(1);
      }
    }
  }
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (!m_line.empty()) {
    std::string last = std::move(m_line);
    m_line.clear();
    line(last, out);
  }
  dispatch(out);
  *this = SseParser();
}

void SseParser::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    dispatch(out);
    return;
  }
  if (text.front() == ':') {
    return; // a comment; servers send ": ping" or ":" as keep-alives
  }
  std::string_view field = text;
  std::string_view value;
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    field = text.substr(0, colon);
    value = text.substr(colon + 1);
    // Exactly one space is stripped: old TGI writes "data:{...}", OpenAI-style servers "data:
    // {...}".
    if (value.starts_with(' ')) {
      value.remove_prefix(1);
    }
  }
  if (field == "data") {
    if (m_has_data) {
      m_data += '\n';
    }
    m_data.append(value);
    m_has_data = true;
  } else if (field == "event") {
    m_event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      m_id.assign(value);
    }
  } else if (field == "retry") {
    long ms = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && ptr == value.data() + value.size() && !value.empty() &&
        value.front() != '-') {
      m_retry = ms;
    }
  }
  // Any other field name is ignored, as the spec requires.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (m_has_data) {
    SseEvent event;
    if (!m_event.empty()) {
      event.event = std::move(m_event);
    }
    event.data = std::move(m_data);
    event.id = m_id;
    event.retry = m_retry;
    out.push_back(std::move(event));
  }
  // A block without data (only event:/id:/retry:, or only comments) dispatches nothing.
  m_event.clear();
  m_data.clear();
  m_has_data = false;
}

bool is_done(const SseEvent& event) {
  return util::trim(event.data) == "[DONE]";
}

namespace {

ErrorKind kind_for(const std::string& type, std::optional<int> code) {
  const std::string t = util::to_lower(type);
  // TGI: generation, incomplete_generation, incomplete_generation_stream: the model failed
  // mid-answer.
  if (t == "overloaded" || t.find("generation") != std::string::npos ||
      t.find("server_error") != std::string::npos || t.find("internal") != std::string::npos ||
      t.find("unavailable") != std::string::npos) {
    return ErrorKind::unavailable;
  }
  if (t.find("rate_limit") != std::string::npos || code == 429) {
    return ErrorKind::rate_limited;
  }
  if (code && *code >= 500 && *code < 600) {
    return ErrorKind::unavailable;
  }
  return ErrorKind::rejected;
}

} // namespace

std::optional<Error> stream_error(const SseEvent& event) {
  const std::string_view data = util::trim(event.data);
  if (!data.starts_with('{')) {
    return std::nullopt;
  }
  const nlohmann::json body = util::parse_untrusted(data);
  const nlohmann::json* error = util::json_member(body, "error");
  if (error == nullptr || error->is_null()) {
    return std::nullopt;
  }
  // The replace handler keeps dump() from throwing on invalid UTF-8.
  const auto dump = [](const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string text;
  std::string type;
  std::optional<int> code;
  if (auto message = util::as_string(*error)) {
    text = std::move(*message);
  } else if (error->is_object()) {
    text = util::json_string(*error, "message").value_or(dump(*error));
    type = util::string_or(*error, "type", "");
    // An HTTP-like status code; anything outside int's range is no status.
    if (auto c = util::json_int(*error, "code");
        c && *c >= std::numeric_limits<int>::min() && *c <= std::numeric_limits<int>::max()) {
      code = static_cast<int>(*c);
    }
  } else {
    text = dump(*error);
  }
  if (auto t = util::json_string(body, "error_type")) {
    type = std::move(*t);
  }
  Error e;
  e.kind = kind_for(type, code);
  e.message = "the server reported an error inside the stream";
  e.server_message = type.empty() ? text : text + " [" + type + "]";
  switch (e.kind) {
  case ErrorKind::rejected:
    e.hint = "the server refused the request's content; check the input length and parameters "
             "(e.g. max_tokens) against the model's limits";
    break;
  case ErrorKind::rate_limited:
    e.hint = "rate limited; wait a moment and try again";
    break;
  default:
    e.hint = "the model failed while answering; try again later";
    break;
  }
  return e;
}

} // namespace hfrun::http
