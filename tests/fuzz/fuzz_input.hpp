// What the fuzz targets share: the fuzzer's bytes as a view, cut into a selector byte and the rest,
// into two pieces (a stream split where a read would split it), or into several documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace hfrun::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first byte (0 when empty) and the bytes after it.
inline std::pair<std::uint8_t, std::string_view> selector_and_rest(std::string_view text) {
  if (text.empty()) {
    return {0, text};
  }
  return {static_cast<std::uint8_t>(text.front()), text.substr(1)};
}

// The bytes cut at a point the first byte chooses, for parsers fed in chunks.
inline std::pair<std::string_view, std::string_view> split_by_first_byte(std::string_view text) {
  const auto [selector, rest] = selector_and_rest(text);
  const std::size_t cut = rest.empty() ? 0 : selector % (rest.size() + 1);
  return {rest.substr(0, cut), rest.substr(cut)};
}

// The bytes cut at each record separator (0x1E) into `count` pieces, for targets fed several
// documents at once (a config and an info reply, the answers of several probes): the last piece
// keeps any further separators, and missing pieces are empty.
inline std::vector<std::string_view> split_records(std::string_view text, std::size_t count) {
  std::vector<std::string_view> pieces;
  while (pieces.size() + 1 < count) {
    const std::size_t cut = text.find('\x1e');
    if (cut == std::string_view::npos) {
      break;
    }
    pieces.push_back(text.substr(0, cut));
    text.remove_prefix(cut + 1);
  }
  pieces.push_back(text);
  pieces.resize(count);
  return pieces;
}

} // namespace hfrun::fuzz
