// The reply of GET /api/whoami-v2 as `hfrun whoami` shows it; pure, so tests can feed it replies.
#pragma once

#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hfrun::cli {

// The stable --json document (docs/commands.md): {"name","fullname","type","orgs":[...],
// "token":{"source"[,"type"][,"name","role"]}}, no e-mail or other personal fields. Only a string
// "name" is required: a body that is not a JSON object or lacks it is ErrorKind::bad_response; the
// other fields are optional, and a missing or wrong-typed one (e.g. "fullname": null) reads as
// its default ("", "user", no orgs).
[[nodiscard]] Result<nlohmann::json> parse_whoami(std::string_view body,
                                                  const std::string& token_source);

// The terminal text of a parse_whoami document.
[[nodiscard]] std::string render_whoami(const nlohmann::json& who);

} // namespace hfrun::cli
