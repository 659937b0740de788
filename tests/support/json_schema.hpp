// A JSON Schema (draft 2020-12) validator for the subset docs/schemas/*.json use, shared by every
// test that checks a --json document against its published contract.
//
// Supported: type (a name or a list), enum, const, required, properties, additionalProperties
// (bool or schema), items, prefixItems, minItems, maxItems, minimum, maximum, minLength, pattern
// (ECMAScript), oneOf, anyOf, allOf, not, $ref ("#/$defs/x", "other.schema.json" or
// "other.schema.json#/$defs/x", resolved beside the referring file). A keyword outside the subset
// (other than the annotations $schema, $id, $comment, title, description, examples, default,
// $defs) is itself an error, so a schema can never silently check less than it says.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::test {

// The directory of the published schemas (docs/schemas).
[[nodiscard]] std::filesystem::path schema_dir();

// Reads and parses a schema file; a discarded value when it is missing or malformed.
[[nodiscard]] nlohmann::json load_json_file(const std::filesystem::path& path);

// One violation per entry, each starting with the JSON pointer-ish location ("$.ways.space").
// Empty: `value` is valid.
//
// `schema` is the document the validation starts at; `root` the whole file it belongs to (for
// "#/..." references; defaults to `schema`); `base_dir` where sibling-file references are looked
// up.
[[nodiscard]] std::vector<std::string>
validate_json(const nlohmann::json& schema,
              const nlohmann::json& value,
              const std::optional<nlohmann::json>& root = std::nullopt,
              const std::filesystem::path& base_dir = schema_dir());

// Validates `value` against docs/schemas/`file`, or against its `#/$defs/name` when `def` is
// given. A missing file or definition is reported as a violation.
[[nodiscard]] std::vector<std::string>
validate_against(const std::string& file, const nlohmann::json& value, const std::string& def = "");

// Problems of a schema itself: keywords outside the subset, malformed keyword values, references
// that do not resolve. Empty when the validator checks everything the schema says.
[[nodiscard]] std::vector<std::string>
check_schema(const nlohmann::json& schema, const std::filesystem::path& base_dir = schema_dir());

} // namespace hfrun::test
