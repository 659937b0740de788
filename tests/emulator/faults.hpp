// Injected faults and traffic shaping for every role. A fault comes from the request's
// X-Emulator-Fault header or from a rule posted to /_emulator/faults; it is applied after routing,
// just before the response is written (docs/emulator.md, "Faults and shaping").
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <httplib.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator {

struct Context;

// One fault, parsed from "key=value;key;..." (e.g. "status=429;retry_after=2;times=1").
struct FaultSpec {
  int status = 0;                           // answer this status instead (JSON error body)
  std::optional<int> retry_after;           // Retry-After seconds (and RateLimit t= on 429)
  bool retry_after_date = false;            // send Retry-After as the HTTP date now + retry_after
  std::optional<std::uint64_t> reset_after; // close the connection after N body bytes
  std::optional<std::uint64_t> truncate_after; // end the body cleanly after N bytes
  std::optional<std::uint64_t> stall_after;    // pause `stall_ms` after N body bytes
  int stall_ms = 0;                            // pause before the headers (or at stall_after)
  bool invalid_json = false;                   // replace the body by malformed JSON
  int html_error = 0;                          // answer this status with an HTML error page
  bool redirect_loop = false;                  // answer 302 to the same URL
  std::string redirect_to;               // answer 307 to this origin + the request's path and query
  std::optional<std::uint64_t> max_body; // 413 when the request body is larger
  std::optional<std::uint64_t> bandwidth;  // bytes per second for this response
  std::optional<std::uint64_t> corrupt_at; // flip (XOR 0xFF) the body byte at this offset
  bool ignore_range = false;               // answer a Range request 200 with the whole body
  std::string role;                        // only on this role (hub, router, cdn)
  int times = -1;                          // header faults: first N requests with this exact value
  std::string text;                        // as written
};

// Parses a fault spec; the error names the offending key.
[[nodiscard]] std::expected<FaultSpec, std::string> parse_fault(std::string_view text);

// Process-wide settings from the command line.
struct Shaping {
  int latency_ms = 0;                    // added before every response
  std::uint64_t bandwidth = 0;           // bytes/s per response body, 0 = unlimited
  std::uint64_t max_body = 10ULL << 20U; // larger request bodies get 413
};

class Faults {
public:
  explicit Faults(Shaping shaping) : m_shaping(shaping) {}

  [[nodiscard]] const Shaping& shaping() const { return m_shaping; }
  // Adds rules from {"path_prefix", "fault", "times"?, "method"?, "role"?} (or an array of them);
  // `role` defaults to the role the rule was posted to.
  [[nodiscard]] std::expected<nlohmann::json, std::string> add_rules(const nlohmann::json& body,
                                                                     std::string_view posted_to);
  [[nodiscard]] nlohmann::json rules() const;
  // Forgets every rule and header counter.
  void reset();
  // The fault for this request on `role`, counted as used; an error for a malformed header.
  [[nodiscard]] std::expected<std::optional<FaultSpec>, std::string>
  take(std::string_view role, const httplib::Request& req);

private:
  struct Rule {
    std::string role;
    std::string method;
    std::string path_prefix;
    FaultSpec fault;
    int remaining = -1;
    int used = 0;
  };
  Shaping m_shaping;
  mutable std::mutex m_mutex;
  std::vector<Rule> m_rules;
  std::map<std::string, int, std::less<>> m_header_uses;
};

// Applies `fault` (may be null) and the global shaping to a routed response.
void apply_fault(const httplib::Request& req,
                 httplib::Response& res,
                 const FaultSpec* fault,
                 const Shaping& shaping);

// An IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
[[nodiscard]] std::string http_date(std::chrono::system_clock::time_point t);

// Sets up one role's server: TCP_NODELAY, thread pool, payload limit, control endpoints
// (/_emulator/...), request ids, faults and shaping, the error body and the request log. Call
// before binding the server (socket options apply to the listening socket) and before adding
// routes.
void configure_server(httplib::Server& server, const std::string& role, Context& ctx);

} // namespace emulator
