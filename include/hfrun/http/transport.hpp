// The transport: sends requests, returns responses. An HTTP error status is a normal Response; only
// a failure to get any response (DNS, connect, TLS, timeout, reset) is an Error.
#pragma once

#include <hfrun/http/message.hpp>

#include <memory>
#include <string>
#include <vector>

namespace hfrun::http {

struct TransportOptions {
  Timeouts timeouts;
  int max_redirects = 10;
  std::size_t max_concurrency = 8;   // transfers in flight at once in send_all
  bool insecure = false;             // skip TLS verification (only with --insecure)
  std::string user_agent;            // default "hfrun/<version>"
  std::string ca_bundle;             // empty: libcurl's default / CURL_CA_BUNDLE
  // Called for each request/response pair for -vv logging (already redacted by the caller).
  bool verbose_headers = false;
};

class Transport {
public:
  virtual ~Transport() = default;
  [[nodiscard]] virtual Result<Response> send(Request& request) = 0;
  // Many requests at once, at most max_concurrency in flight, results in request order.
  [[nodiscard]] virtual std::vector<Result<Response>> send_all(std::vector<Request>& requests) = 0;
};

// The libcurl transport: one multi handle, HTTP/2 where offered, connection reuse.
[[nodiscard]] std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options);

} // namespace hfrun::http
