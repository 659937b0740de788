// The transport: sends requests, returns responses. An HTTP error status is a normal Response; only
// a failure to get any response (DNS, connect, TLS, timeout, reset) is an Error.
#pragma once

#include <functional>
#include <hfrun/http/message.hpp>
#include <hfrun/util/cancel.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::http {

struct TransportOptions {
  Timeouts timeouts;
  int max_redirects = 10;
  std::size_t max_concurrency = 8; // transfers in flight at once in send_all
  bool insecure = false;           // skip TLS verification (only with --insecure)
  std::string user_agent;          // default "hfrun/<version>"
  std::string ca_bundle;           // empty: libcurl's default / CURL_CA_BUNDLE
  // -vv: receives one line per request line, header sent and header received, with credentials
  // already masked. Null: no header logging.
  std::function<void(std::string_view line)> header_log;
  // The command's cancellation token (Ctrl-C, SIGTERM): aborts every transfer; they end with
  // ErrorKind::interrupted.
  const util::CancelToken* cancel = nullptr;
};

class Transport {
public:
  virtual ~Transport() = default;
  [[nodiscard]] virtual Result<Response> send(Request& request) = 0;
  // Many requests at once, results in request order. At most `max_in_flight` at once (0: the
  // options' max_concurrency); a download's --connections asks for more than the default.
  [[nodiscard]] virtual std::vector<Result<Response>> send_all(std::vector<Request>& requests,
                                                               std::size_t max_in_flight) = 0;
};

// The libcurl transport: one multi handle, HTTP/2 where offered, connection reuse.
[[nodiscard]] std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options);

} // namespace hfrun::http
