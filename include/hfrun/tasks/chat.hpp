// Chat completions (OpenAI wire format, which the router and every chat provider speak): the
// request body, the normalized result, and the assembly of a streamed reply chunk by chunk.
#pragma once

#include <cstddef>
#include <hfrun/error.hpp>
#include <hfrun/tasks/task.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::tasks {

// {"model", "messages", ...params} from --messages (JSON or @file), --system and --text (the user
// message, appended last). Parameters (max_tokens, tools, stream_options, ...) pass through
// untouched.
[[nodiscard]] Result<nlohmann::json> build_chat_body(std::string_view model,
                                                     const Inputs& inputs,
                                                     std::optional<bool> stream = std::nullopt);

// The normalized chat result {"task":"conversational","model","role","content","finish_reason",
// "usage"[, "tool_calls", "reasoning"]} from an OpenAI chat.completion object.
[[nodiscard]] Result<nlohmann::json> decode_chat_completion(const nlohmann::json& completion);

// Turns the parsed `data:` events of a streamed chat or text-generation reply into the text to
// print and, at the end, the same normalized JSON a non-streamed call gives. Understands OpenAI
// chat chunks (role-only or empty first deltas, usage-only last chunk with "choices": []),
// completion chunks ({"choices":[{"text"}]}), provider extras (Together's "text" beside "delta")
// and TGI text-generation events ({"token":{"id","text","logprob","special"},"top_tokens",
// "generated_text","details"}), whose tokens and details make the result's "details".
class ChatStreamAssembler {
public:
  explicit ChatStreamAssembler(std::string task = "conversational");

  // The text delta of one event ("" when it carries none). An {"error": ...} event is
  // ErrorKind::rejected with the server's message; anything unrecognisable is bad_response.
  [[nodiscard]] Result<std::string> feed(const nlohmann::json& event);

  // Parses one `data:` payload (without the prefix) and feeds it; "[DONE]" is accepted and ignored.
  [[nodiscard]] Result<std::string> feed_data(std::string_view data);

  // The assembled normalized result (content, finish_reason, usage, model).
  [[nodiscard]] nlohmann::json result() const;

  [[nodiscard]] const std::string& content() const { return m_content; }

  // Whether the stream said it was whole: TGI's last event carries the full generated_text (TGI
  // sends no [DONE], and no finish reason unless details were asked for).
  [[nodiscard]] bool finished() const { return m_tgi_final.has_value(); }

private:
  std::string m_task;
  std::size_t m_fed_bytes = 0; // event data so far, capped at http::k_max_body_in_memory
  std::string m_content;
  std::string m_reasoning;
  std::string m_model;
  std::string m_role = "assistant";
  nlohmann::json m_finish_reason;
  nlohmann::json m_usage;
  nlohmann::json m_tool_calls = nlohmann::json::array();
  std::optional<std::string> m_tgi_final;                // TGI: the final generated_text, when sent
  nlohmann::json m_tgi_tokens = nlohmann::json::array(); // TGI: every event's token
  nlohmann::json m_tgi_top_tokens = nlohmann::json::array(); // TGI: each event's top_tokens
  nlohmann::json m_tgi_details;                              // TGI: the last event's details
};

} // namespace hfrun::tasks
