#include <cstdint>
#include <gtest/gtest.h>
#include <hfrun/util/json.hpp>
#include <limits>

namespace hfrun::util {
namespace {

using nlohmann::json;

// One object with a field of every JSON type, and values that are not objects at all.
const json& sample() {
  static const json value = json::parse(R"({"s":"text","i":42,"u":18446744073709551615,
      "neg":-3,"f":2.5,"whole":3.0,"t":true,"n":null,"a":[1,"x"],"o":{"k":"v"},"empty":""})");
  return value;
}

TEST(Json, StringIsReadOnlyFromAStringField) {
  EXPECT_EQ(json_string(sample(), "s"), "text");
  EXPECT_EQ(json_string(sample(), "empty"), "");
  for (const char* key : {"i", "f", "t", "n", "a", "o", "missing"}) {
    EXPECT_EQ(json_string(sample(), key), std::nullopt) << key;
  }
}

TEST(Json, NumberAcceptsIntegersAndFloats) {
  EXPECT_EQ(json_number(sample(), "i"), 42.0);
  EXPECT_EQ(json_number(sample(), "neg"), -3.0);
  EXPECT_EQ(json_number(sample(), "f"), 2.5);
  EXPECT_EQ(json_number(sample(), "u"), 18446744073709551615.0);
  for (const char* key : {"s", "t", "n", "a", "o", "missing"}) {
    EXPECT_EQ(json_number(sample(), key), std::nullopt) << key;
  }
}

TEST(Json, IntAcceptsOnlyIntegersThatFitInt64) {
  EXPECT_EQ(json_int(sample(), "i"), 42);
  EXPECT_EQ(json_int(sample(), "neg"), -3);
  EXPECT_EQ(json_int(sample(), "u"), std::nullopt); // 2^64-1 does not fit
  EXPECT_EQ(json_int(sample(), "whole"), std::nullopt);
  EXPECT_EQ(json_int(sample(), "f"), std::nullopt);
  for (const char* key : {"s", "t", "n", "a", "o", "missing"}) {
    EXPECT_EQ(json_int(sample(), key), std::nullopt) << key;
  }
  EXPECT_EQ(as_int(json(std::numeric_limits<std::int64_t>::max())),
            std::numeric_limits<std::int64_t>::max());
}

TEST(Json, BoolIsReadOnlyFromABoolean) {
  EXPECT_EQ(json_bool(sample(), "t"), true);
  for (const char* key : {"s", "i", "f", "n", "a", "o", "missing"}) {
    EXPECT_EQ(json_bool(sample(), key), std::nullopt) << key;
  }
}

TEST(Json, ArrayAndObjectPointToTheMemberOfThatType) {
  ASSERT_NE(json_array(sample(), "a"), nullptr);
  EXPECT_EQ(json_array(sample(), "a")->size(), 2u);
  ASSERT_NE(json_object(sample(), "o"), nullptr);
  EXPECT_EQ(json_string(*json_object(sample(), "o"), "k"), "v");
  for (const char* key : {"s", "i", "t", "n", "o", "missing"}) {
    EXPECT_EQ(json_array(sample(), key), nullptr) << key;
  }
  for (const char* key : {"s", "i", "t", "n", "a", "missing"}) {
    EXPECT_EQ(json_object(sample(), key), nullptr) << key;
  }
}

TEST(Json, MemberFindsAnyTypeIncludingNull) {
  ASSERT_NE(json_member(sample(), "n"), nullptr);
  EXPECT_TRUE(json_member(sample(), "n")->is_null());
  EXPECT_EQ(json_member(sample(), "missing"), nullptr);
}

TEST(Json, EveryReaderSaysAbsentForANonObject) {
  for (const json& not_object :
       {json(), json(1), json("s"), json(true), json::array({json{{"s", "x"}}})}) {
    SCOPED_TRACE(not_object.dump());
    EXPECT_EQ(json_member(not_object, "s"), nullptr);
    EXPECT_EQ(json_string(not_object, "s"), std::nullopt);
    EXPECT_EQ(json_number(not_object, "s"), std::nullopt);
    EXPECT_EQ(json_int(not_object, "s"), std::nullopt);
    EXPECT_EQ(json_bool(not_object, "s"), std::nullopt);
    EXPECT_EQ(json_array(not_object, "s"), nullptr);
    EXPECT_EQ(json_object(not_object, "s"), nullptr);
    EXPECT_EQ(string_or(not_object, "s", "fb"), "fb");
    EXPECT_TRUE(number_or_null(not_object, "s").is_null());
    EXPECT_EQ(member_or(not_object, "s", "fb"), json("fb"));
  }
}

TEST(Json, FallbacksApplyToMissingAndWrongTypedFields) {
  EXPECT_EQ(string_or(sample(), "s", "fb"), "text");
  EXPECT_EQ(string_or(sample(), "n", "fb"), "fb");
  EXPECT_EQ(string_or(sample(), "i", "fb"), "fb");
  EXPECT_EQ(number_or(sample(), "f", 1.0), 2.5);
  EXPECT_EQ(number_or(sample(), "s", 1.0), 1.0);
  EXPECT_EQ(int_or(sample(), "i", 7), 42);
  EXPECT_EQ(int_or(sample(), "n", 7), 7);
  EXPECT_EQ(bool_or(sample(), "t", false), true);
  EXPECT_EQ(bool_or(sample(), "s", false), false);
  EXPECT_EQ(number_or_null(sample(), "f"), json(2.5));
  EXPECT_TRUE(number_or_null(sample(), "s").is_null());
  EXPECT_EQ(member_or(sample(), "n", "fb"), json()); // present null is kept
  EXPECT_EQ(member_or(sample(), "missing", "fb"), json("fb"));
}

TEST(Json, ValueReadersCheckTheValueItself) {
  EXPECT_EQ(as_string(json("x")), "x");
  EXPECT_EQ(as_string(json(1)), std::nullopt);
  EXPECT_EQ(as_number(json(1u)), 1.0);
  EXPECT_EQ(as_number(json("1")), std::nullopt);
  EXPECT_EQ(as_bool(json(false)), false);
  EXPECT_EQ(as_bool(json(0)), std::nullopt);
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(Json, DepthCountsArraysAndObjectsButNotBracketsInStrings) {
  EXPECT_TRUE(json_depth_within(nested(3), 3));
  EXPECT_FALSE(json_depth_within(nested(4), 3));
  EXPECT_TRUE(json_depth_within(R"({"a":[{"b":1}],"c":{}})", 3));
  EXPECT_FALSE(json_depth_within(R"({"a":[{"b":[]}]})", 3));
  EXPECT_TRUE(json_depth_within(R"({"s":"[[[[{{{{"})", 1));
  EXPECT_TRUE(json_depth_within(R"({"s":"a \" [[[[ \\"})", 1)); // escaped quote, then backslash
  EXPECT_FALSE(json_depth_within(R"({"s":"\\", "t":[[]]})",
                                 2)); // an escaped backslash, then the closing quote
  EXPECT_TRUE(json_depth_within("", 0));
  EXPECT_TRUE(json_depth_within("42", 0));
}

TEST(Json, ParseUntrustedRejectsInvalidAndTooDeeplyNestedJson) {
  EXPECT_EQ(parse_untrusted(R"({"a":[1,2]})"), json::parse(R"({"a":[1,2]})"));
  EXPECT_TRUE(parse_untrusted("{\"a\":").is_discarded());
  EXPECT_TRUE(parse_untrusted("").is_discarded());
  EXPECT_FALSE(parse_untrusted(nested(k_max_json_depth)).is_discarded());
  EXPECT_TRUE(parse_untrusted(nested(k_max_json_depth + 1)).is_discarded());
  // Deep enough that a recursive dump() or copy of it could exhaust the stack.
  EXPECT_TRUE(parse_untrusted(nested(1'000'000)).is_discarded());
  EXPECT_TRUE(parse_untrusted(nested(5), 4).is_discarded());
}

} // namespace
} // namespace hfrun::util
