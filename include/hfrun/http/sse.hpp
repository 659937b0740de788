// Server-Sent Events (WHATWG HTML §9.2 "event stream" parsing), fed in arbitrary network chunks,
// plus the two conventions LLM servers add on top: a final "[DONE]" event and a JSON error event
// inside an HTTP 200 stream.
#pragma once

#include <hfrun/error.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::http {

struct SseEvent {
  std::string event = "message"; // the event: field, "message" when absent (as browsers do)
  std::string data;              // data: lines joined by "\n"
  std::string id;                // the last id: seen on the stream (it persists across events)
  std::optional<long> retry;     // the last valid retry: (ms) seen on the stream
};

class SseParser {
public:
  // Parses `chunk` and appends every event completed by it (terminated by a blank line) to `out`.
  // Line ends may be CRLF, LF or CR, and a CRLF may be split across two chunks.
  void feed(std::string_view chunk, std::vector<SseEvent>& out);
  // The stream ended: an unterminated last line and an event not yet closed by a blank line are
  // dispatched (servers often omit the final blank line). The parser is then reset.
  void finish(std::vector<SseEvent>& out);
  // Bytes held for the event not yet complete (its data so far and the unfinished line), for a
  // cap on what a server can make hfrun keep.
  [[nodiscard]] std::size_t pending_bytes() const { return m_line.size() + m_data.size(); }

private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::string m_line;     // the incomplete line carried over from the previous chunk
  bool m_skip_lf = false; // the previous chunk ended in CR: a leading LF belongs to it
  bool m_started = false; // a leading BOM has been dealt with
  std::string m_event;
  std::string m_data;
  bool m_has_data = false;
  std::string m_id;
  std::optional<long> m_retry;
};

// True for the OpenAI-style end marker `data: [DONE]`.
[[nodiscard]] bool is_done(const SseEvent& event);

// The failure reported by an event whose data is a JSON object with an "error" key: a string
// (TGI, Ollama) or an object with "message" (OpenAI, vLLM). The message is "the server reported
// an error inside the stream", server_message the server's text plus "[error_type]" when given.
// Kind: validation/invalid-request types -> rejected (exit 6); "overloaded" or a 5xx code ->
// unavailable; rate-limit types or code 429 -> rate_limited; TGI's "generation" and
// "incomplete_generation" -> unavailable (the model failed mid-answer); no or unknown type ->
// rejected, since that is what an in-stream error nearly always is (product.md: exit 6).
[[nodiscard]] std::optional<Error> stream_error(const SseEvent& event);

} // namespace hfrun::http
