// What hfrun reads from any HTTP reply before a task sees it (src/http): the server's error message
// and request id, Content-Range, URLs (a redirect's Location, a result URL) and their origin.
#include "fuzz_input.hpp"

#include <hfrun/http/content_range.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/http/url.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [selector, rest] = hfrun::fuzz::selector_and_rest(hfrun::fuzz::as_text(data, size));
  const auto [head, body] = hfrun::fuzz::split_by_first_byte(rest);
  (void)hfrun::http::parse_content_range(rest);
  if (auto url = hfrun::http::parse_url(rest)) {
    (void)hfrun::http::origin_of(*url);
  }
  (void)hfrun::http::percent_encode(rest, (selector & 1) != 0);

  static constexpr const char* k_types[] = {"application/json", "text/html", "text/plain",
                                            "application/problem+json", ""};
  hfrun::http::Response response;
  response.status = 400 + selector % 200;
  response.headers.set("Content-Type", k_types[selector % 5]);
  response.headers.set("x-request-id", std::string(head));
  response.body = std::string(body);
  (void)hfrun::http::extract_server_message(response);
  (void)hfrun::http::request_id(response.headers);
  (void)hfrun::http::error_from_response(response, "fuzzing");
  return 0;
}
