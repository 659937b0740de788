// Just enough URL handling for hfrun: split an absolute http(s) URL, compare origins, and
// percent-encode path segments and query values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hfrun::http {

struct UrlParts {
  std::string scheme; // lower case: "http" or "https"
  std::string host;   // lower case, without brackets for IPv6
  int port = 0;       // explicit or the scheme's default
  std::string path;   // starts with "/" ("/" when absent), includes the query
};

// nullopt unless `url` is an absolute http:// or https:// URL with a host.
[[nodiscard]] std::optional<UrlParts> parse_url(std::string_view url);

// "https://host:443": scheme, host and port, which decide where credentials may go.
[[nodiscard]] std::string origin_of(const UrlParts& url);

// Percent-encode everything but RFC 3986 unreserved characters; keep '/' when `keep_slash`.
[[nodiscard]] std::string percent_encode(std::string_view text, bool keep_slash = false);

} // namespace hfrun::http
