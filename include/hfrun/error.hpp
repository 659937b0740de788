// hfrun's one error type. Every failure travels up as an Error value; its kind decides the exit
// code (exit_code_for, the only mapping), its text is what the user reads.
#pragma once

#include <hfrun/util/expected.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun {

// What kind of failure, as the user's script sees it. Each kind is one row of docs/exit-codes.md.
enum class ErrorKind {
  internal,      // 1: a bug
  usage,         // 2: bad option, unreadable input, bad JSON argument
  auth,          // 3: no or bad token, 401/403, gated, private
  not_found,     // 4: 404, 410, unknown model/file/Space/API name
  rate_limited,  // 5: 429 after retries, 402 billing, quota
  rejected,      // 6: 400, 413, 422, validation error inside a stream
  unavailable,   // 7: 5xx after retries, timeouts, paused endpoint, Space not running
  network,       // 8: DNS, connection refused/reset, TLS
  bad_response,  // 9: undecodable body, protocol violation
  batch_failed,  // 10: a batch finished with failed items
  output_failed, // 11: the result arrived but could not be written (stdout closed or full, disk
                 // full)
  interrupted,   // 130: Ctrl-C
  terminated,    // 143: SIGTERM (how CI and Kubernetes cancel)
  stopped, // 0: not a failure; the command ended early on purpose (--dry-run printed its request)
};

// Finer cause of a transport failure (no HTTP response at all). Drives retry decisions and hints.
enum class TransportFailure {
  none,
  dns,                // could not resolve host or proxy
  connect,            // connection refused / unreachable
  tls,                // handshake or certificate failure
  timeout,            // connect or overall timeout
  stalled,            // low-speed limit: the transfer stopped moving
  reset,              // connection closed or reset mid-transfer, incomplete body
  too_many_redirects, // redirect limit reached
  aborted,            // a sink or source refused to go on (see the message)
  other,
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;            // what failed, already free of secrets
  std::optional<int> http_status; // when the server answered
  std::string server_message;     // the server's own words, extracted from its body/headers
  std::string request_id;         // x-request-id, else X-Amzn-Trace-Id
  std::string hint;               // what to do next
  TransportFailure transport = TransportFailure::none;
};

// The process exit code for an error kind (docs/exit-codes.md). The only such mapping in hfrun.
[[nodiscard]] int exit_code_for(ErrorKind kind);

// Short stable name of a kind ("not_found"), used in JSON output and batch results.
[[nodiscard]] std::string_view kind_name(ErrorKind kind);

// "what failed: HTTP 404: server message (request id: ...)" plus the hint on its own line.
[[nodiscard]] std::string describe(const Error& error);

// Convenience constructor for the common case.
[[nodiscard]] inline Error make_error(ErrorKind kind, std::string message, std::string hint = {}) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

template <class T> using Result = expected<T, Error>;

[[nodiscard]] inline unexpected<Error>
fail(ErrorKind kind, std::string message, std::string hint = {}) {
  return unexpected<Error>(make_error(kind, std::move(message), std::move(hint)));
}

} // namespace hfrun
