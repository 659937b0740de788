// Non-throwing readers for JSON of unknown shape (server replies, Hub metadata, user files).
// nlohmann's `.value(key, default)`, `.get<T>()`, `.at()` and `operator[]` throw
// nlohmann::type_error (or assert) when a key is missing or a value has another type; these
// return "absent" instead, so a wrong-typed field is a decision of the caller (a default, or an
// ErrorKind::bad_response), never an exception. tests/lint/no_throwing_json.sh keeps the throwing
// accessors out of the code that reads server JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::util {

// The nesting depth parse_untrusted accepts: far beyond any reply or model card (embeddings nest 4
// deep), far below what the recursive parts of nlohmann (dump, copy) and hfrun's own walkers
// could run off the stack with.
inline constexpr std::size_t k_max_json_depth = 128;

// Whether the arrays and objects of JSON `text` nest at most `max_depth` deep (brackets inside
// strings do not count). A linear scan: it does not check that `text` is valid JSON.
[[nodiscard]] bool json_depth_within(std::string_view text, std::size_t max_depth);

// Parses JSON from a server or a file without exceptions: a discarded value
// (`is_discarded()`) when `text` is not JSON or nests deeper than `max_depth`.
[[nodiscard]] nlohmann::json parse_untrusted(std::string_view text,
                                             std::size_t max_depth = k_max_json_depth);

// The value at `key` whatever its type (null included); nullptr when `obj` is not an object or
// has no such key.
[[nodiscard]] const nlohmann::json* json_member(const nlohmann::json& obj, std::string_view key);

// The value at `key` when present AND of the named type; nullopt/nullptr otherwise (a non-object
// `obj`, a missing key, null, or any other type).
[[nodiscard]] std::optional<std::string> json_string(const nlohmann::json& obj,
                                                     std::string_view key);
// Any JSON number (integer or floating point).
[[nodiscard]] std::optional<double> json_number(const nlohmann::json& obj, std::string_view key);
// A JSON integer that fits in int64 (3.0 and 1e30 are not integers here).
[[nodiscard]] std::optional<std::int64_t> json_int(const nlohmann::json& obj, std::string_view key);
[[nodiscard]] std::optional<bool> json_bool(const nlohmann::json& obj, std::string_view key);
[[nodiscard]] const nlohmann::json* json_array(const nlohmann::json& obj, std::string_view key);
[[nodiscard]] const nlohmann::json* json_object(const nlohmann::json& obj, std::string_view key);

// The same with a fallback for "absent".
[[nodiscard]] std::string
string_or(const nlohmann::json& obj, std::string_view key, std::string_view fallback);
[[nodiscard]] double number_or(const nlohmann::json& obj, std::string_view key, double fallback);
[[nodiscard]] std::int64_t
int_or(const nlohmann::json& obj, std::string_view key, std::int64_t fallback);
[[nodiscard]] bool bool_or(const nlohmann::json& obj, std::string_view key, bool fallback);

// Readers of a value itself (a list element): nullopt when it has another type.
[[nodiscard]] std::optional<std::string> as_string(const nlohmann::json& value);
[[nodiscard]] std::optional<double> as_number(const nlohmann::json& value);
[[nodiscard]] std::optional<std::int64_t> as_int(const nlohmann::json& value);
[[nodiscard]] std::optional<bool> as_bool(const nlohmann::json& value);

// The value at `key` when it is a number, else null: for optional numeric fields copied into a
// normalized result as they came ("start", "score").
[[nodiscard]] nlohmann::json number_or_null(const nlohmann::json& obj, std::string_view key);

// The value at `key` whatever its type, or `fallback` (a copy) when absent: for fields passed
// through untouched ("usage", "finish_reason").
[[nodiscard]] nlohmann::json member_or(const nlohmann::json& obj,
                                       std::string_view key,
                                       const nlohmann::json& fallback = nullptr);

} // namespace hfrun::util
