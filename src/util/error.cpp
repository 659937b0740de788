#include <hfrun/error.hpp>

namespace hfrun {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::internal:
    return 1;
  case ErrorKind::usage:
    return 2;
  case ErrorKind::auth:
    return 3;
  case ErrorKind::not_found:
    return 4;
  case ErrorKind::rate_limited:
    return 5;
  case ErrorKind::rejected:
    return 6;
  case ErrorKind::unavailable:
    return 7;
  case ErrorKind::network:
    return 8;
  case ErrorKind::bad_response:
    return 9;
  case ErrorKind::batch_failed:
    return 10;
  case ErrorKind::output_failed:
    return 11;
  case ErrorKind::interrupted:
    return 130;
  case ErrorKind::terminated:
    return 143;
  case ErrorKind::stopped:
    return 0;
  }
  return 1;
}

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::internal:
    return "internal";
  case ErrorKind::usage:
    return "usage";
  case ErrorKind::auth:
    return "auth";
  case ErrorKind::not_found:
    return "not_found";
  case ErrorKind::rate_limited:
    return "rate_limited";
  case ErrorKind::rejected:
    return "rejected";
  case ErrorKind::unavailable:
    return "unavailable";
  case ErrorKind::network:
    return "network";
  case ErrorKind::bad_response:
    return "bad_response";
  case ErrorKind::batch_failed:
    return "batch_failed";
  case ErrorKind::output_failed:
    return "output_failed";
  case ErrorKind::interrupted:
    return "interrupted";
  case ErrorKind::terminated:
    return "terminated";
  case ErrorKind::stopped:
    return "stopped";
  }
  return "internal";
}

std::string describe(const Error& error) {
  std::string out = error.message;
  if (error.http_status) {
    out += ": HTTP " + std::to_string(*error.http_status);
  }
  if (!error.server_message.empty() &&
      error.message.find(error.server_message) == std::string::npos) {
    out += ": " + error.server_message;
  }
  if (!error.request_id.empty()) {
    out += " (request id: " + error.request_id + ")";
  }
  if (!error.hint.empty()) {
    out += "\n  hint: " + error.hint;
  }
  return out;
}

} // namespace hfrun
