// Helpers shared by the codec's source files; not part of the public API.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <hfrun/tasks/task.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::tasks::detail {

// The text of a small file the user named (--file for text tasks, --messages @path, table files).
[[nodiscard]] Result<std::string> read_text_file(const std::filesystem::path& path,
                                                 std::string_view what);

// Parses JSON without exceptions (util::parse_untrusted): a discarded value when the text is not
// JSON or nests too deeply.
[[nodiscard]] nlohmann::json parse_json(std::string_view text);

// "image-classification: unexpected response: <snippet>" as ErrorKind::bad_response.
[[nodiscard]] Error
bad_response(std::string_view task, std::string_view why, std::string_view body);

// The media type without parameters, lower-cased ("Image/PNG; q=1" -> "image/png").
[[nodiscard]] std::string media_type(std::string_view content_type);

// True when the body should be read as JSON: a JSON content type, or one that says nothing and a
// body that starts like JSON.
[[nodiscard]] bool is_json_body(std::string_view content_type, std::string_view body);

// The error text of an {"error": ...} body (string, list, or {"message"}), "" when none.
[[nodiscard]] std::string error_message(const nlohmann::json& body);

// The chat request body with its keys in wire order ("model" first, as the JS client sends to the
// router); build_chat_body returns the same as plain JSON.
[[nodiscard]] Result<nlohmann::ordered_json>
chat_body(std::string_view model, const Inputs& inputs, std::optional<bool> stream);

// "for example: <call> --text 'I like you'": a usage hint showing the task's example; encode()
// puts the command's own call ("hfrun serverless MODEL") in place of the marker (with_call).
[[nodiscard]] std::string example_hint(const TaskSpec& spec);
[[nodiscard]] std::string with_call(std::string hint, std::string_view call);

} // namespace hfrun::tasks::detail
