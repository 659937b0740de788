// OpenAI chat bodies, results and streamed chunks (docs/outputs.md, "conversational").
#include "detail.hpp"

#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>

#include <algorithm>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

Result<json> parse_messages(const std::string& given) {
  std::string text = given;
  if (!text.empty() && text.front() == '@') {
    HFRUN_TRY_ASSIGN(content, detail::read_text_file(text.substr(1), "--messages"));
    text = std::move(content);
  }
  json parsed = detail::parse_json(text);
  if (parsed.is_object() && parsed.contains("messages")) { // a whole request body
    parsed = parsed["messages"];
  }
  if (!parsed.is_array() ||
      !std::all_of(parsed.begin(), parsed.end(), [](const json& m) {
        return m.is_object() && m.contains("role");
      })) {
    return fail(ErrorKind::usage, "--messages must be a JSON array of {\"role\",\"content\"}",
                R"(for example: --messages '[{"role":"user","content":"Hello"}]' or @chat.json)");
  }
  return parsed;
}

std::string text_of(const json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

} // namespace

namespace detail {

Result<nlohmann::ordered_json> chat_body(std::string_view model, const Inputs& inputs,
                                         std::optional<bool> stream) {
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
  if (messages.empty() ||
      std::none_of(messages.begin(), messages.end(),
                   [](const json& m) { return m.value("role", "") != "system"; })) {
    return fail(ErrorKind::usage, "conversational needs --text MESSAGE or --messages JSON|@file",
                "for example: hfrun serverless MODEL --text 'Hello' max_tokens:=64");
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

Result<json> build_chat_body(std::string_view model, const Inputs& inputs,
                             std::optional<bool> stream) {
  HFRUN_TRY_ASSIGN(body, detail::chat_body(model, inputs, stream));
  return json::parse(body.dump());
}

Result<json> decode_chat_completion(const json& completion) {
  const std::string raw = completion.dump();
  if (const std::string error = detail::error_message(completion); !error.empty()) {
    return unexpected(detail::bad_response("conversational", "error in a success reply: " + error,
                                           raw));
  }
  if (!completion.is_object() || !completion.contains("choices") ||
      !completion["choices"].is_array() || completion["choices"].empty() ||
      !completion["choices"][0].is_object()) {
    return unexpected(detail::bad_response("conversational", "no choices", raw));
  }
  const json& choice = completion["choices"][0];
  json out = {{"task", "conversational"},
              {"model", completion.value("model", "")},
              {"role", "assistant"},
              {"content", ""},
              {"finish_reason", choice.contains("finish_reason") ? choice["finish_reason"] : json()},
              {"usage", completion.contains("usage") ? completion["usage"] : json()}};
  if (choice.contains("message") && choice["message"].is_object()) {
    const json& message = choice["message"];
    out["content"] = text_of(message.value("content", json()));
    if (message.contains("role") && message["role"].is_string()) {
      out["role"] = message["role"];
    }
    if (message.contains("tool_calls") && message["tool_calls"].is_array() &&
        !message["tool_calls"].empty()) {
      out["tool_calls"] = message["tool_calls"];
    }
    for (const char* key : {"reasoning_content", "reasoning"}) {
      if (message.contains(key) && message[key].is_string() &&
          !message[key].get_ref<const std::string&>().empty()) {
        out["reasoning"] = message[key];
      }
    }
  } else if (choice.contains("text") && choice["text"].is_string()) {
    out["content"] = choice["text"];
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
  const json event = detail::parse_json(data);
  if (event.is_discarded()) {
    return unexpected(detail::bad_response(m_task, "stream event is not JSON", data));
  }
  return feed(event);
}

Result<std::string> ChatStreamAssembler::feed(const json& event) {
  if (!event.is_object()) {
    return unexpected(detail::bad_response(m_task, "stream event is not an object", event.dump()));
  }
  if (const std::string error = detail::error_message(event); !error.empty()) {
    Error e = make_error(ErrorKind::rejected, m_task + ": the server reported an error mid-stream");
    e.server_message = error;
    if (event.contains("error_type") && event["error_type"].is_string()) {
      e.hint = "error type: " + event["error_type"].get<std::string>();
    }
    return unexpected(std::move(e));
  }
  if (event.contains("model") && event["model"].is_string()) {
    m_model = event["model"].get<std::string>();
  }
  if (event.contains("usage") && event["usage"].is_object()) {
    m_usage = event["usage"];
  }
  std::string delta;
  if (event.contains("choices") && event["choices"].is_array()) {
    for (const json& choice : event["choices"]) {
      if (!choice.is_object() || choice.value("index", 0) != 0) {
        continue; // hfrun asks for one choice; others would interleave
      }
      if (choice.contains("delta") && choice["delta"].is_object()) {
        const json& d = choice["delta"];
        if (d.contains("role") && d["role"].is_string()) {
          m_role = d["role"].get<std::string>();
        }
        delta += text_of(d.value("content", json()));
        for (const char* key : {"reasoning_content", "reasoning"}) {
          m_reasoning += text_of(d.value(key, json()));
        }
        if (d.contains("tool_calls") && d["tool_calls"].is_array()) {
          for (const json& call : d["tool_calls"]) {
            const auto index = call.value("index", 0);
            if (index < 0 || index > 64) {
              continue;
            }
            while (m_tool_calls.size() <= static_cast<std::size_t>(index)) {
              m_tool_calls.push_back(
                  json{{"id", ""}, {"type", "function"}, {"function", {{"name", ""}, {"arguments", ""}}}});
            }
            json& slot = m_tool_calls[static_cast<std::size_t>(index)];
            if (call.contains("id") && call["id"].is_string()) {
              slot["id"] = call["id"];
            }
            if (call.contains("function") && call["function"].is_object()) {
              const json& fn = call["function"];
              if (fn.contains("name") && fn["name"].is_string()) {
                slot["function"]["name"] = slot["function"]["name"].get<std::string>() +
                                           fn["name"].get<std::string>();
              }
              if (fn.contains("arguments") && fn["arguments"].is_string()) {
                slot["function"]["arguments"] =
                    slot["function"]["arguments"].get<std::string>() +
                    fn["arguments"].get<std::string>();
              }
            }
          }
        }
      } else if (choice.contains("text")) {
        delta += text_of(choice["text"]); // completions chunk
      }
      if (choice.contains("finish_reason") && !choice["finish_reason"].is_null()) {
        m_finish_reason = choice["finish_reason"];
      }
    }
  } else if (event.contains("token") && event["token"].is_object()) {
    // TGI text-generation event.
    const json& token = event["token"];
    if (!token.value("special", false)) {
      delta = text_of(token.value("text", json()));
    }
    if (event.contains("generated_text") && event["generated_text"].is_string()) {
      m_tgi_final = event["generated_text"].get<std::string>();
    }
    if (event.contains("details") && event["details"].is_object() &&
        event["details"].contains("finish_reason")) {
      m_finish_reason = event["details"]["finish_reason"];
    }
  } else if (!event.contains("usage")) {
    return unexpected(detail::bad_response(m_task, "unknown stream event", event.dump()));
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
                {"usage", m_usage}};
  }
  json out = {{"task", m_task},   {"model", m_model},
              {"role", m_role},   {"content", m_content},
              {"finish_reason", m_finish_reason}, {"usage", m_usage}};
  if (!m_tool_calls.empty()) {
    out["tool_calls"] = m_tool_calls;
  }
  if (!m_reasoning.empty()) {
    out["reasoning"] = m_reasoning;
  }
  return out;
}

} // namespace hfrun::tasks
