// Byte ranges (RFC 9110 §14): the Range header a ranged GET sends and the Content-Range of its 206.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::http {

struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0; // inclusive
  std::uint64_t total = 0;
};

// "bytes FIRST-LAST/TOTAL" with FIRST <= LAST < TOTAL; nullopt otherwise (also for "bytes */TOTAL"
// and an unknown total "*", which a download cannot use).
[[nodiscard]] std::optional<ContentRange> parse_content_range(std::string_view value);

// "bytes=FIRST-LAST" (inclusive).
[[nodiscard]] std::string range_header(std::uint64_t first, std::uint64_t last);

} // namespace hfrun::http
