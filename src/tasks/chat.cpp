// OpenAI chat bodies, results and streamed chunks (docs/outputs.md, "conversational").
#include "detail.hpp"

#include <algorithm>
#include <hfrun/http/limits.hpp>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;
using util::json_array;
using util::json_member;
using util::json_object;
using util::json_string;
using util::member_or;
using util::string_or;

Result<json> parse_messages(const std::string& given) {
  std::string text = given;
  if (!text.empty() && text.front() == '@') {
    HFRUN_TRY_ASSIGN(content, detail::read_text_file(text.substr(1), "--messages"));
    text = std::move(content);
  }
  json parsed = detail::parse_json(text);
  if (const json* messages = json_member(parsed, "messages")) { // a whole request body
    parsed = json(*messages);
  }
  if (!parsed.is_array() || !std::all_of(parsed.begin(), parsed.end(), [](const json& m) {
        return json_member(m, "role") != nullptr;
      })) {
    return fail(ErrorKind::usage, "--messages must be a JSON array of {\"role\",\"content\"}",
                R"(for example: --messages '[{"role":"user","content":"Hello"}]' or @chat.json)");
  }
  return parsed;
}

std::string text_of(const json& value) {
  return util::as_string(value).value_or("");
}

// JSON for an error message; the replace handler keeps dump() from throwing on invalid UTF-8.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

namespace detail {

Result<nlohmann::ordered_json>
chat_body(std::string_view model, const Inputs& inputs, std::optional<bool> stream) {
  if (inputs.file) {
    return fail(ErrorKind::usage, "conversational does not take --file",
                "give the conversation with --text, --system and --messages");
  }
  json messages = json::array();
  if (inputs.messages) {
    HFRUN_TRY_ASSIGN(given, parse_messages(*inputs.messages));
    messages = std::move(given);
  } else if (inputs.inputs && inputs.inputs->is_array()) {
    messages = *inputs.inputs;
  }
  if (inputs.system) {
    messages.insert(messages.begin(), json{{"role", "system"}, {"content", *inputs.system}});
  }
  if (inputs.text) {
    messages.push_back(json{{"role", "user"}, {"content", *inputs.text}});
  }
  if (messages.empty() || std::none_of(messages.begin(), messages.end(), [](const json& m) {
        return string_or(m, "role", "") != "system";
      })) {
    return fail(ErrorKind::usage, "conversational needs --text MESSAGE or --messages JSON|@file",
                detail::example_hint(task(TaskId::conversational)));
  }
  // "model" first, as the JS client sends to the router; parameters untouched (tools,
  // response_format, stream_options ...).
  ordered body;
  if (!model.empty()) {
    body["model"] = model;
  }
  body["messages"] = messages;
  if (inputs.params.is_object()) {
    for (auto it = inputs.params.begin(); it != inputs.params.end(); ++it) {
      if (it.key() != "model" && it.key() != "messages") {
        body[it.key()] = it.value();
      }
    }
  }
  if (stream) {
    body["stream"] = *stream;
  }
  return body;
}

} // namespace detail

Result<json>
build_chat_body(std::string_view model, const Inputs& inputs, std::optional<bool> stream) {
  HFRUN_TRY_ASSIGN(body, detail::chat_body(model, inputs, stream));
  return json::parse(body.dump());
}

Result<json> decode_chat_completion(const json& completion) {
  const std::string raw = dump(completion);
  if (const std::string error = detail::error_message(completion); !error.empty()) {
    return unexpected(
        detail::bad_response("conversational", "error in a success reply: " + error, raw));
  }
  const json* choices = json_array(completion, "choices");
  if (choices == nullptr || choices->empty() || !choices->front().is_object()) {
    return unexpected(detail::bad_response("conversational", "no choices", raw));
  }
  const json& choice = choices->front();
  json out = {{"task", "conversational"},
              {"model", string_or(completion, "model", "")},
              {"role", "assistant"},
              {"content", ""},
              {"finish_reason", member_or(choice, "finish_reason")},
              {"usage", member_or(completion, "usage")}};
  if (const json* message = json_object(choice, "message")) {
    out["content"] = string_or(*message, "content", ""); // null while only tool calls come
    if (auto role = json_string(*message, "role")) {
      out["role"] = *role;
    }
    if (const json* calls = json_array(*message, "tool_calls");
        calls != nullptr && !calls->empty()) {
      out["tool_calls"] = *calls;
    }
    for (const char* key : {"reasoning_content", "reasoning"}) {
      if (auto reasoning = json_string(*message, key); reasoning && !reasoning->empty()) {
        out["reasoning"] = *reasoning;
      }
    }
  } else if (auto text = json_string(choice, "text")) {
    out["content"] = *text;
  } else {
    return unexpected(detail::bad_response("conversational", "choice has no message", raw));
  }
  return out;
}

ChatStreamAssembler::ChatStreamAssembler(std::string task) : m_task(std::move(task)) {}

Result<std::string> ChatStreamAssembler::feed_data(std::string_view data) {
  const auto first = data.find_first_not_of(" \t");
  data = first == std::string_view::npos ? std::string_view() : data.substr(first);
  while (!data.empty() && (data.back() == '\r' || data.back() == '\n' || data.back() == ' ')) {
    data.remove_suffix(1);
  }
  if (data.empty() || data == "[DONE]") {
    return std::string();
  }
  // What is assembled grows with the stream: an endless one must end (docs/reliability.md).
  m_fed_bytes += data.size();
  if (m_fed_bytes > http::k_max_body_in_memory) {
    return fail(ErrorKind::bad_response,
                m_task + ": the streamed reply passed " +
                    util::human_bytes(http::k_max_body_in_memory) +
                    ", the most hfrun keeps of a stream (the server never ended it)");
  }
  const json event = detail::parse_json(data);
  if (event.is_discarded()) {
    return unexpected(detail::bad_response(m_task, "stream event is not JSON", data));
  }
  return feed(event);
}

Result<std::string> ChatStreamAssembler::feed(const json& event) {
  if (!event.is_object()) {
    return unexpected(detail::bad_response(m_task, "stream event is not an object", dump(event)));
  }
  if (const std::string error = detail::error_message(event); !error.empty()) {
    Error e = make_error(ErrorKind::rejected, m_task + ": the server reported an error mid-stream");
    e.server_message = error;
    if (auto type = json_string(event, "error_type")) {
      e.hint = "error type: " + *type;
    }
    return unexpected(std::move(e));
  }
  if (auto model = json_string(event, "model")) {
    m_model = *model;
  }
  if (const json* usage = json_object(event, "usage")) {
    m_usage = *usage;
  }
  std::string delta;
  if (const json* choices = json_array(event, "choices")) {
    for (const json& choice : *choices) {
      // A missing or non-integer index counts as 0.
      if (!choice.is_object() || util::int_or(choice, "index", 0) != 0) {
        continue; // hfrun asks for one choice; others would interleave
      }
      if (const json* d = json_object(choice, "delta")) {
        if (auto role = json_string(*d, "role")) {
          m_role = *role;
        }
        delta += string_or(*d, "content", "");
        for (const char* key : {"reasoning_content", "reasoning"}) {
          m_reasoning += string_or(*d, key, "");
        }
        if (const json* calls = json_array(*d, "tool_calls")) {
          for (const json& call : *calls) {
            const auto index = util::int_or(call, "index", 0);
            if (!call.is_object() || index < 0 || index > 64) {
              continue;
            }
            while (m_tool_calls.size() <= static_cast<std::size_t>(index)) {
              m_tool_calls.push_back(json{{"id", ""},
                                          {"type", "function"},
                                          {"function", {{"name", ""}, {"arguments", ""}}}});
            }
            // The slot is hfrun's own JSON (made just above), so its fields are strings.
            json& slot = m_tool_calls[static_cast<std::size_t>(index)];
            if (auto id = json_string(call, "id")) {
              slot["id"] = *id;
            }
            if (const json* fn = json_object(call, "function")) {
              json& slot_fn = slot["function"];
              for (const char* key : {"name", "arguments"}) {
                if (auto piece = json_string(*fn, key)) {
                  slot_fn[key] = string_or(slot_fn, key, "") + *piece;
                }
              }
            }
          }
        }
      } else if (const json* text = json_member(choice, "text")) {
        delta += text_of(*text); // completions chunk
      }
      if (const json* finish = json_member(choice, "finish_reason");
          finish != nullptr && !finish->is_null()) {
        m_finish_reason = *finish;
      }
    }
  } else if (const json* token = json_object(event, "token")) {
    // TGI text-generation event (StreamResponse).
    if (!util::bool_or(*token, "special", false)) {
      delta = string_or(*token, "text", "");
    }
    m_tgi_tokens.push_back(normalize_tgi_token(*token));
    if (const json* top = json_array(event, "top_tokens")) {
      m_tgi_top_tokens.push_back(normalize_tgi_tokens(*top));
    }
    if (auto text = json_string(event, "generated_text")) {
      m_tgi_final = *text;
    }
    if (const json* details = json_object(event, "details")) {
      if (const json* finish = json_member(*details, "finish_reason")) {
        m_finish_reason = *finish;
      }
      // StreamDetails has the counts; the tokens are the events' own.
      m_tgi_details = normalize_tgi_details(*details);
      m_tgi_details["tokens"] = m_tgi_tokens;
      m_tgi_details["top_tokens"] = m_tgi_top_tokens;
    }
  } else if (const auto done = util::json_bool(event, "done")) {
    // Ollama's /api/chat ({"message":{"content"}}) and /api/generate ({"response"}) lines; the
    // last one is done, with why and the token counts.
    if (const json* message = json_object(event, "message")) {
      if (auto role = json_string(*message, "role")) {
        m_role = *role;
      }
      delta = string_or(*message, "content", "");
    } else {
      delta = string_or(event, "response", "");
    }
    if (*done) {
      m_finish_reason = util::member_or(event, "done_reason", "stop");
      const auto prompt = util::json_int(event, "prompt_eval_count");
      const auto completion = util::json_int(event, "eval_count");
      if (prompt || completion) {
        m_usage = json{{"prompt_tokens", prompt.value_or(0)},
                       {"completion_tokens", completion.value_or(0)},
                       {"total_tokens", prompt.value_or(0) + completion.value_or(0)}};
      }
    }
  } else if (json_member(event, "usage") == nullptr) {
    return unexpected(detail::bad_response(m_task, "unknown stream event", dump(event)));
  }
  m_content += delta;
  return delta;
}

json ChatStreamAssembler::result() const {
  if (m_task == "text-generation") {
    std::string text = m_content;
    if (text.empty() && m_tgi_final) {
      text = *m_tgi_final;
    }
    return json{{"task", m_task},
                {"generated_text", text},
                {"finish_reason", m_finish_reason},
                {"usage", m_tgi_details.is_null() ? m_usage : usage_from_details(m_tgi_details)},
                {"details", m_tgi_details}};
  }
  json out = {{"task", m_task},
              {"model", m_model},
              {"role", m_role},
              {"content", m_content},
              {"finish_reason", m_finish_reason},
              {"usage", m_usage}};
  if (!m_tool_calls.empty()) {
    out["tool_calls"] = m_tool_calls;
  }
  if (!m_reasoning.empty()) {
    out["reasoning"] = m_reasoning;
  }
  return out;
}

} // namespace hfrun::tasks
