#include <curl/curl.h>
#include <hfrun/http/library.hpp>

namespace hfrun::http {

LibraryInfo library_info() {
  LibraryInfo info;
  const curl_version_info_data* data = curl_version_info(CURLVERSION_NOW);
  if (data == nullptr) {
    return info;
  }
  info.curl_version = data->version != nullptr ? data->version : "";
  info.tls = data->ssl_version != nullptr ? data->ssl_version : "";
  info.http2 = (data->features & CURL_VERSION_HTTP2) != 0;
  info.http3 = (data->features & CURL_VERSION_HTTP3) != 0;
  return info;
}

} // namespace hfrun::http
