// The event-stream parser (src/http/sse.cpp) on any bytes, fed in two chunks: Server-Sent Events
// and NDJSON streams come from servers hfrun does not control.
#include "fuzz_input.hpp"

#include <hfrun/http/sse.hpp>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [first, second] = hfrun::fuzz::split_by_first_byte(hfrun::fuzz::as_text(data, size));
  hfrun::http::SseParser parser;
  std::vector<hfrun::http::SseEvent> events;
  parser.feed(first, events);
  parser.feed(second, events);
  parser.finish(events);
  return 0;
}
