// Small string helpers with no Hugging Face knowledge. ASCII-only case folding: HTTP names,
// schemes and JSON keys are ASCII.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::util {

// `text` without leading and trailing ASCII whitespace (space, \t, \r, \n, \f, \v).
[[nodiscard]] std::string_view trim(std::string_view text);

// `text` without the '/' it ends with, if any ("https://h/" -> "https://h").
[[nodiscard]] std::string without_trailing_slash(std::string text);

// The pieces between each `separator`; "a,,b" gives {"a", "", "b"}, "" gives {""}.
[[nodiscard]] std::vector<std::string> split(std::string_view text, char separator);

// Joins `parts` with `separator` in between.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);

// ASCII lower case.
[[nodiscard]] std::string to_lower(std::string_view text);

// Whether `text` starts with `prefix`, ignoring ASCII case.
[[nodiscard]] bool starts_with_icase(std::string_view text, std::string_view prefix);

// Whether `text` contains `needle`, ignoring ASCII case.
[[nodiscard]] bool contains_icase(std::string_view text, std::string_view needle);

// `text` itself when it has at most `max_bytes` bytes; else its longest prefix of at most
// `max_bytes` bytes that ends on a UTF-8 character boundary, followed by "…".
[[nodiscard]] std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// The byte length of the well-formed UTF-8 character starting at `text[at]` (1 for ASCII), or 0
// when the bytes there are not one (stray continuation, truncated, overlong, surrogate, >
// U+10FFFF).
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// Whether `text` is well-formed UTF-8 (what JSON strings must be).
[[nodiscard]] bool is_valid_utf8(std::string_view text);

// `text` as a JSON string literal, quotes included (control characters escaped, UTF-8 kept).
[[nodiscard]] std::string json_quote(std::string_view text);

// `s` as one POSIX shell word: unchanged when it only has characters that need no quoting
// (letters, digits and `_ - . / : @ % + = ,`), else in single quotes with each ' written '\''.
[[nodiscard]] std::string shell_quote(std::string_view s);

// `length` characters drawn from `alphabet`, from a per-thread generator seeded by the OS (and the
// pid, so forked children differ): unique names (temporary files, multipart boundaries, sessions),
// not secrets.
[[nodiscard]] std::string random_string(std::size_t length, std::string_view alphabet);

// The MIME type a file name's extension stands for ("cat.PNG" -> "image/png"), for when the bytes
// say nothing better; "" for an extension not known here.
[[nodiscard]] std::string mime_type_for_extension(const std::filesystem::path& file);

// A byte count for people: "812 B", "1.5 MiB" (binary units, one decimal).
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);
// The same in decimal units, as huggingface_hub's cache listing writes sizes: "812 B", "1.5 MB".
[[nodiscard]] std::string human_bytes_decimal(std::uint64_t bytes);

// Levenshtein distance (bytes).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a typo of it (distance at most 2,
// and less than half the word), else nothing: the "did you mean" of usage errors.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word,
                                                       const std::vector<std::string>& candidates);

} // namespace hfrun::util
