// Masks secrets before anything reaches a log, an error message or a --dry-run line.
#pragma once

#include <string>
#include <string_view>

namespace hfrun::util {

// `text` with the user's own `token` replaced by "$HF_TOKEN" (so a printed command stays runnable
// with the variable set), any other Hugging Face token (hf_ + 8 or more letters/digits) by
// "hf_***", and URL credentials (scheme://user:password@) by "scheme://***@". A `token` shorter
// than 4 characters is not searched for: masking it would garble ordinary words.
[[nodiscard]] std::string redact(std::string_view text, std::string_view token = {});

// The value to show for header `name`: credentials of Authorization, Proxy-Authorization, Cookie,
// Set-Cookie and X-Api-Key are masked, keeping the scheme ("Bearer hf_***", "Basic ***"); any other
// value goes through redact().
[[nodiscard]] std::string redact_header(std::string_view name, std::string_view value);

} // namespace hfrun::util
