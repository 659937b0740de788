// The schema validator of tests/support/json_schema.hpp: each keyword accepts what it allows and
// rejects what breaks it, so a contract test cannot pass on a validator that ignores a keyword.
#include "support/json_schema.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace hfrun::test {
namespace {

using nlohmann::json;

bool valid(const json& schema, const json& value) {
  return validate_json(schema, value).empty();
}

TEST(JsonSchema, TypeNamesOneOrAList) {
  EXPECT_TRUE(valid({{"type", "string"}}, "x"));
  EXPECT_FALSE(valid({{"type", "string"}}, 1));
  EXPECT_TRUE(valid({{"type", "integer"}}, 3));
  EXPECT_TRUE(valid({{"type", "integer"}}, 3.0)); // JSON Schema: 3.0 is an integer
  EXPECT_FALSE(valid({{"type", "integer"}}, 3.5));
  EXPECT_TRUE(valid({{"type", "number"}}, 3.5));
  EXPECT_FALSE(valid({{"type", "number"}}, "3.5"));
  EXPECT_FALSE(valid({{"type", "boolean"}}, 0));
  EXPECT_FALSE(valid({{"type", "object"}}, json::array()));
  EXPECT_FALSE(valid({{"type", "array"}}, json::object()));
  EXPECT_TRUE(valid({{"type", {"string", "null"}}}, nullptr));
  EXPECT_TRUE(valid({{"type", {"string", "null"}}}, "x"));
  EXPECT_FALSE(valid({{"type", {"string", "null"}}}, false));
}

TEST(JsonSchema, EnumAndConst) {
  const json e = {{"enum", {"yes", "no"}}};
  EXPECT_TRUE(valid(e, "no"));
  EXPECT_FALSE(valid(e, "maybe"));
  EXPECT_TRUE(valid({{"const", 4}}, 4));
  EXPECT_FALSE(valid({{"const", 4}}, 5));
  EXPECT_FALSE(valid({{"const", "4"}}, 4));
}

TEST(JsonSchema, RequiredAndProperties) {
  const json s = {{"type", "object"},
                  {"required", {"a"}},
                  {"properties", {{"a", {{"type", "string"}}}, {"b", {{"type", "integer"}}}}}};
  EXPECT_TRUE(valid(s, {{"a", "x"}}));
  EXPECT_TRUE(valid(s, {{"a", "x"}, {"b", 2}, {"c", true}})); // extra keys allowed by default
  EXPECT_FALSE(valid(s, {{"b", 2}}));                         // missing a
  EXPECT_FALSE(valid(s, {{"a", 1}}));                         // a of the wrong type
  EXPECT_FALSE(valid(s, {{"a", "x"}, {"b", "2"}}));           // b of the wrong type
  const auto errors = validate_json(s, {{"a", 1}});
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].rfind("$.a:", 0), 0U) << errors[0]; // names where
}

TEST(JsonSchema, AdditionalPropertiesFalseOrASchema) {
  const json closed = {{"properties", {{"a", true}}}, {"additionalProperties", false}};
  EXPECT_TRUE(valid(closed, {{"a", 1}}));
  EXPECT_FALSE(valid(closed, {{"a", 1}, {"b", 2}}));
  const json typed = {{"properties", {{"a", true}}},
                      {"additionalProperties", {{"type", "integer"}}}};
  EXPECT_TRUE(valid(typed, {{"a", "any"}, {"b", 2}}));
  EXPECT_FALSE(valid(typed, {{"a", "any"}, {"b", "2"}}));
}

TEST(JsonSchema, ItemsPrefixItemsAndCounts) {
  const json list = {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", 1}};
  EXPECT_TRUE(valid(list, {1, 2.5}));
  EXPECT_FALSE(valid(list, {1, "2"}));
  EXPECT_FALSE(valid(list, json::array()));
  const json pair = {{"prefixItems", {{{"type", "string"}}, {{"type", "integer"}}}},
                     {"items", false},
                     {"maxItems", 2}};
  EXPECT_TRUE(valid(pair, {"a", 1}));
  EXPECT_FALSE(valid(pair, {1, 1}));
  EXPECT_FALSE(valid(pair, {"a", 1, 2})); // items: false after the prefix
  EXPECT_FALSE(valid({{"maxItems", 1}}, {1, 2}));
}

TEST(JsonSchema, MinimumMaximumMinLengthPattern) {
  EXPECT_TRUE(valid({{"minimum", 0}}, 0));
  EXPECT_FALSE(valid({{"minimum", 0}}, -1));
  EXPECT_FALSE(valid({{"maximum", 1}}, 1.5));
  EXPECT_TRUE(valid({{"minLength", 1}}, "a"));
  EXPECT_FALSE(valid({{"minLength", 1}}, ""));
  const json hex = {{"pattern", "^[0-9a-f]{40}$"}};
  EXPECT_TRUE(valid(hex, std::string(40, 'a')));
  EXPECT_FALSE(valid(hex, "main"));
}

TEST(JsonSchema, OneOfAnyOfAllOfNot) {
  const json one = {{"oneOf", {{{"type", "integer"}}, {{"type", "number"}}}}};
  EXPECT_TRUE(valid(one, 1.5)); // only number
  EXPECT_FALSE(valid(one, 1));  // both: not exactly one
  EXPECT_FALSE(valid(one, "1"));
  const json any = {{"anyOf", {{{"type", "integer"}}, {{"type", "string"}}}}};
  EXPECT_TRUE(valid(any, 1));
  EXPECT_FALSE(valid(any, 1.5));
  const json all = {{"allOf", {{{"type", "integer"}}, {{"minimum", 3}}}}};
  EXPECT_TRUE(valid(all, 3));
  EXPECT_FALSE(valid(all, 2));
  EXPECT_FALSE(valid({{"not", {{"type", "null"}}}}, nullptr));
  EXPECT_TRUE(valid({{"not", {{"type", "null"}}}}, 0));
}

TEST(JsonSchema, RefToDefsAndToASiblingFile) {
  const json root = {{"$defs", {{"name", {{"type", "string"}, {"minLength", 1}}}}},
                     {"type", "object"},
                     {"properties", {{"n", {{"$ref", "#/$defs/name"}}}}}};
  EXPECT_TRUE(valid(root, {{"n", "x"}}));
  EXPECT_FALSE(valid(root, {{"n", ""}}));
  EXPECT_FALSE(valid({{"$ref", "#/$defs/missing"}}, 1)); // an unresolved reference fails

  const auto dir =
      std::filesystem::temp_directory_path() /
      ("hfrun-json-schema-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "other.schema.json")
      << R"({"$defs": {"count": {"type": "integer", "minimum": 0}}, "type": "boolean"})";
  const json whole = {{"$ref", "other.schema.json"}};
  const json part = {{"$ref", "other.schema.json#/$defs/count"}};
  EXPECT_TRUE(validate_json(whole, true, std::nullopt, dir).empty());
  EXPECT_FALSE(validate_json(whole, 1, std::nullopt, dir).empty());
  EXPECT_TRUE(validate_json(part, 2, std::nullopt, dir).empty());
  EXPECT_FALSE(validate_json(part, -2, std::nullopt, dir).empty());
  EXPECT_FALSE(validate_json({{"$ref", "absent.schema.json"}}, 1, std::nullopt, dir).empty());
  std::filesystem::remove_all(dir);
}

TEST(JsonSchema, BooleanSchemas) {
  EXPECT_TRUE(valid(true, 1));
  EXPECT_FALSE(valid(false, 1));
}

TEST(JsonSchema, AKeywordOutsideTheSubsetIsAnErrorNotIgnored) {
  EXPECT_FALSE(valid({{"uniqueItems", true}}, {1, 1}));
  EXPECT_FALSE(valid({{"uniqueItems", true}}, {1, 2})); // even where it would pass
  EXPECT_TRUE(valid({{"title", "t"}, {"description", "d"}, {"$comment", "c"}}, 1));
}

TEST(JsonSchema, CheckSchemaFindsWhatTheValidatorCannotHonour) {
  EXPECT_TRUE(check_schema({{"type", "object"},
                            {"properties", {{"a", {{"$ref", "#/$defs/a"}}}}},
                            {"$defs", {{"a", {{"type", "string"}}}}}})
                  .empty());
  EXPECT_FALSE(check_schema({{"type", "strin"}}).empty());
  EXPECT_FALSE(check_schema({{"properties", {{"a", {{"format", "uri"}}}}}}).empty());
  EXPECT_FALSE(check_schema({{"$ref", "#/$defs/missing"}}).empty());
  EXPECT_FALSE(check_schema({{"$defs", {{"x", {{"minItems", -1}}}}}}).empty());
  EXPECT_FALSE(check_schema({{"pattern", "("}}).empty());
  EXPECT_FALSE(check_schema({{"oneOf", json::array()}}).empty());
}

TEST(JsonSchema, ValidateAgainstReportsAMissingFileOrDefinition) {
  EXPECT_FALSE(validate_against("no-such.schema.json", json::object()).empty());
  EXPECT_FALSE(validate_against("error.schema.json", json::object(), "no_such_def").empty());
}

} // namespace
} // namespace hfrun::test
