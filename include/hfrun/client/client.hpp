// The client every command sends through: it adds hfrun's headers (auth where allowed, bill-to,
// -H), honours --dry-run, retries, and keeps the token away from hosts that must not see it.
#pragma once

#include <functional>
#include <hfrun/config/config.hpp>
#include <hfrun/http/retry.hpp>
#include <hfrun/http/transport.hpp>
#include <hfrun/util/clock.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hfrun::client {

struct ClientOptions {
  config::Config config;
  config::Token token;
  http::RetryPolicy retry;
  std::vector<std::pair<std::string, std::string>>
      extra_headers;   // -H 'K: V', sent on every request
  std::string bill_to; // X-HF-Bill-To
  bool dry_run = false;
};

enum class Auth {
  if_trusted, // send the token when there is one and the host may receive it
  required,   // as if_trusted, but fail (exit 3) when there is no token
  never,      // e.g. a pre-signed CDN URL
};

// Where output lines for humans go (stderr): retry notes, warnings, the dry-run command.
struct Reporter {
  std::function<void(std::string_view)> note;    // stderr, shown unless --quiet
  std::function<void(std::string_view)> dry_run; // stdout: the curl command line
};

class Client {
public:
  Client(ClientOptions options,
         std::unique_ptr<http::Transport> transport,
         util::Sleeper& sleeper,
         Reporter reporter);

  // Send one request with retries; HTTP error statuses come back as Responses. In dry-run mode it
  // prints the curl command instead and returns dry_run_stop(), which ends the command with exit 0.
  [[nodiscard]] Result<http::Response> send(http::Request& request, Auth auth = Auth::if_trusted);
  // Many at once over the shared connection pool, results in order.
  [[nodiscard]] std::vector<Result<http::Response>> send_all(std::vector<http::Request>& requests,
                                                             Auth auth = Auth::if_trusted);
  // The same with each request's own Auth (auth.size() == requests.size()) and at most
  // `max_in_flight` at once (0: the transport's default): a download's byte ranges on the CDN
  // (Auth::never) beside whole files from the Hub.
  [[nodiscard]] std::vector<Result<http::Response>> send_all(std::vector<http::Request>& requests,
                                                             const std::vector<Auth>& auth,
                                                             std::size_t max_in_flight);

  // Allow the token to go to this URL's origin too (the endpoint URL a user named).
  void trust_origin(std::string_view url);
  [[nodiscard]] bool may_receive_token(std::string_view url) const;

  [[nodiscard]] const config::Config& config() const { return m_options.config; }
  [[nodiscard]] const config::Token& token() const { return m_options.token; }
  [[nodiscard]] bool dry_run() const { return m_options.dry_run; }
  [[nodiscard]] const ClientOptions& options() const { return m_options; }
  // The waits of this client (retries) and its notes on stderr, for layers above that wait too (a
  // server still starting) with the same cancellable clock and the same voice.
  [[nodiscard]] util::Sleeper& sleeper() const { return m_sleeper; }
  void note(std::string_view line) const {
    if (m_reporter.note) {
      m_reporter.note(line);
    }
  }

  // The runnable curl command for a request, the token shown as $HF_TOKEN; the values of other
  // credential headers (util::is_credential_header: X-Api-Key, Cookie ...) shown as ***.
  [[nodiscard]] std::string curl_command(const http::Request& request) const;

private:
  [[nodiscard]] Result<void> decorate(http::Request& request, Auth auth) const;
  // The dry run's curl command on stdout, and a note (stderr) naming the headers it masked.
  void print_dry_run(const http::Request& request) const;

  ClientOptions m_options;
  std::unique_ptr<http::Transport> m_transport;
  util::Sleeper& m_sleeper;
  Reporter m_reporter;
  // A batch plans one target while other items send: trust_origin and may_receive_token may run
  // on several threads at once.
  mutable std::mutex m_origins_mutex;
  std::set<std::string> m_trusted_origins; // guarded by m_origins_mutex
};

// The Error a dry run ends a command with: nothing failed, exit 0, nothing more to print.
[[nodiscard]] Error dry_run_stop();
[[nodiscard]] bool is_dry_run_stop(const Error& error);

} // namespace hfrun::client
