// PRIVATE to the http layer: RAII owners for libcurl resources. <curl/curl.h> never appears in a
// public header. Stateless deleters make every owner non-copyable and correctly movable for free.
#pragma once

#include <curl/curl.h>
#include <memory>

namespace hfrun::http::detail {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

using CurlEasy = std::unique_ptr<CURL, EasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, MultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, SlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// curl_global_init must run once, before any handle, and is not thread-safe: a function-local
// static gives exactly that (C++ guarantees one initialisation).
void ensure_curl_global();

// Append one header line to a list, keeping ownership in `list`. False on allocation failure.
[[nodiscard]] bool slist_append(CurlSlist& list, const char* line);

} // namespace hfrun::http::detail
