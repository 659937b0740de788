// The probe's two renderings: the stable --json document (docs/probe.md "JSON schema") and the
// compact terminal table.
#pragma once

#include <hfrun/error.hpp>
#include <hfrun/probe/report.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace hfrun::probe {

// The --json document for one model. Its keys and types are the stable contract of docs/probe.md
// (tests/data/probe/report.schema.json); keys are only ever added, never renamed or removed.
[[nodiscard]] nlohmann::json to_json(const Report& report);

// The --json line of a model whose probe failed (several models, JSON Lines), in the report's
// place: {"input": the id as given, "error": {"kind", "exit_code", "status", "message",
// "server_message", "request_id", "hint"}}, the error object of docs/exit-codes.md (absent values
// null). The caller masks secrets in `error` first: this layer does not know them.
[[nodiscard]] nlohmann::json failure_json(std::string_view input, const Error& error);

// The terminal rendering: a header line, one line per way (mark, way, evidence), an access line
// when the model is private, gated or disabled, notes, then "Next:" with the commands. `color`
// adds ANSI colours to the marks; `width` > 0 truncates the way lines to that many columns (with
// "…"); commands are never truncated so they stay copy-pasteable. Ends with a newline.
[[nodiscard]] std::string render(const Report& report, bool color, int width);

} // namespace hfrun::probe
