// What the HTTP library loaded at run time can do, for `hfrun doctor` and bug reports.
#pragma once

#include <string>

namespace hfrun::http {

struct LibraryInfo {
  std::string curl_version; // "7.88.1"
  std::string tls;          // "OpenSSL/3.0.11", "" without TLS
  bool http2 = false;
  bool http3 = false;
};

[[nodiscard]] LibraryInfo library_info();

} // namespace hfrun::http
