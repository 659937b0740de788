// Standard base64 (RFC 4648 alphabet, padded), as the inference APIs embed files and images in JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hfrun::tasks {

[[nodiscard]] std::string base64_encode(std::string_view bytes);

// Decodes standard or URL-safe base64, padding optional, whitespace ignored; nullopt if malformed.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

} // namespace hfrun::tasks
