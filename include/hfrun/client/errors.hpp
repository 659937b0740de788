// Hugging Face's meaning of an HTTP error: the transport's error (kind by status, the server's own
// message, the request id) plus what a Hub or router user should do next (accept a gated model's
// terms, check the token, the retired api-inference URL, billing ...).
#pragma once

#include <hfrun/http/message.hpp>
#include <string>

namespace hfrun::client {

// http::error_from_response with the Hugging Face hint for its kind and status.
[[nodiscard]] Error error_from_response(const http::Response& response, std::string what);

} // namespace hfrun::client
