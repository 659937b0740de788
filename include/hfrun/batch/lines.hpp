// Batch input: JSON Lines, one input per line. The reader streams (one line in memory at a time),
// counts physical lines (the numbers errors and --shard use) and skips blank ones; a line that is
// not a JSON object is still an item, one that fails with its line number.
#pragma once

#include <cstddef>
#include <cstdio>
#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::batch {

struct RawLine {
  std::size_t number = 0; // 1-based physical line number
  std::string text;       // without the line break; empty when too_long
  bool too_long = false;  // longer than the reader's limit (its bytes were skipped)
};

class LineReader {
public:
  // `in` is not owned. Lines longer than `max_line` bytes are reported too_long, not held.
  explicit LineReader(std::FILE* in, std::size_t max_line = std::size_t{64} << 20);
  // The next non-blank line; nullopt at the end of the input (or a read error: see error()).
  [[nodiscard]] std::optional<RawLine> next();
  // Set when reading stopped on an I/O error rather than at the end.
  [[nodiscard]] const std::optional<Error>& error() const { return m_error; }

private:
  std::FILE* m_in;
  std::size_t m_max;
  std::size_t m_number = 0;
  std::optional<Error> m_error;
};

// One input line, parsed: its id (the line's "id", else its line number) and its other keys.
struct Item {
  std::size_t line = 0;
  nlohmann::json id;
  nlohmann::json fields = nlohmann::json::object();
};

// A line that is not a JSON object (or too long) is a usage error naming its line; the item still
// carries the id when the line is an object with one, else the line number.
struct ParsedLine {
  Item item;
  std::optional<Error> error;
};
[[nodiscard]] ParsedLine parse_line(const RawLine& line);

// How a row's id is compared (--resume): its compact JSON, so 7 and "7" are different ids.
[[nodiscard]] std::string id_key(const nlohmann::json& id);

} // namespace hfrun::batch
