// Turning an HTTP error response into an Error a user can act on: the server's own words pulled
// out of whatever shape it used, the request id, the kind (hence the exit code) and a hint.
#pragma once

#include <hfrun/http/message.hpp>
#include <string>

namespace hfrun::http {

// The server's explanation, at most ~500 bytes, secrets masked, "" when there is none. Sources, in
// order: the X-Error-Message header (the Hub's); then a JSON body: "error" as a string, a list
// (joined "; ") or an object with "message" (OpenAI, vLLM, llama.cpp); "detail" as a string
// (prefixed by a problem+json "title") or FastAPI's [{loc, msg}] ("body.messages: Field
// required"); "message" (flat vLLM, TEI, gateways); "error_description" (OAuth); "errors":
// [{message}]; TGI's "error_type" appended as " [type]". A non-JSON body: an HTML page becomes its
// <title> (else first <h1>) + " (HTML page)", never the markup; other text is used as is, trimmed.
[[nodiscard]] std::string extract_server_message(const Response& response);

// The id to quote to support: x-request-id, else X-Amzn-Trace-Id, else x-amz-cf-id; "" if none.
[[nodiscard]] std::string request_id(const Headers& headers);

// The Error for a non-2xx response; `what` names the failed action ("checking the token") and
// becomes the message. Kind by status: 401/403 -> auth (X-Error-Code GatedRepo too), 404/410 ->
// not_found, 402/429 -> rate_limited, 408/424/5xx -> unavailable, other 4xx -> rejected, anything
// else -> bad_response. Every kind carries a "what to do next" hint.
[[nodiscard]] Error error_from_response(const Response& response, std::string what);

} // namespace hfrun::http
