#include "hints.hpp"

#include <string>

namespace hfrun::cli {

namespace {

void append(Error& error, std::string_view advice) {
  if (error.hint.find(advice) != std::string::npos) {
    return;
  }
  error.hint = error.hint.empty() ? std::string(advice) : error.hint + "; " + std::string(advice);
}

} // namespace

void add_option_hints(Error& error, std::string_view command) {
  const int status = error.http_status.value_or(0);
  switch (error.transport) {
  case TransportFailure::timeout:
    append(error, "raise --timeout or --connect-timeout");
    return;
  case TransportFailure::tls:
    append(error, "never use --insecure in production");
    return;
  case TransportFailure::none:
  case TransportFailure::dns:
  case TransportFailure::connect:
  case TransportFailure::stalled:
  case TransportFailure::reset:
  case TransportFailure::too_many_redirects:
  case TransportFailure::aborted:
  case TransportFailure::other:
    break;
  }
  switch (error.kind) {
  case ErrorKind::auth:
    if (status == 401) {
      append(error, "pass --token or set HF_TOKEN; `hfrun whoami` shows whose token it is");
    }
    return;
  case ErrorKind::rate_limited:
    if (status == 402) {
      append(error, "or bill an organization with --bill-to ORG");
    } else if (status == 429) {
      append(error, "--retries N retries automatically");
    }
    return;
  case ErrorKind::rejected:
    if (status != 413 && !command.empty()) {
      append(error, "see `hfrun " + std::string(command) + " --help`");
    }
    return;
  case ErrorKind::internal:
  case ErrorKind::usage:
  case ErrorKind::not_found:
  case ErrorKind::unavailable:
  case ErrorKind::network:
  case ErrorKind::bad_response:
  case ErrorKind::batch_failed:
  case ErrorKind::output_failed:
  case ErrorKind::interrupted:
  case ErrorKind::terminated:
  case ErrorKind::stopped:
    return;
  }
}

} // namespace hfrun::cli
