#include <gtest/gtest.h>
#include <hfrun/util/strings.hpp>

namespace hfrun::util {
namespace {

TEST(Strings, TrimRemovesAsciiWhitespaceOnBothEnds) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(trim("\t\n"), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Strings, SplitKeepsEmptyPieces) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string>{"a", ""}));
}

TEST(Strings, JoinIsTheInverseOfSplit) {
  EXPECT_EQ(join(split("a;b;;c", ';'), ";"), "a;b;;c");
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(join({"x", "y"}, "; "), "x; y");
}

TEST(Strings, HumanBytesInBinaryAndDecimalUnits) {
  EXPECT_EQ(human_bytes(812), "812 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(3ULL << 30), "3.0 GiB");
  EXPECT_EQ(human_bytes_decimal(999), "999 B");
  EXPECT_EQ(human_bytes_decimal(1500), "1.5 kB");
  EXPECT_EQ(human_bytes_decimal(2'500'000'000ULL), "2.5 GB");
}

TEST(Strings, CaseInsensitiveHelpers) {
  EXPECT_EQ(to_lower("Content-TYPE"), "content-type");
  EXPECT_TRUE(starts_with_icase("Text/Event-Stream; charset=utf-8", "text/event-stream"));
  EXPECT_FALSE(starts_with_icase("text", "text/event-stream"));
  EXPECT_TRUE(contains_icase("application/PROBLEM+json", "+JSON"));
  EXPECT_FALSE(contains_icase("text/html", "json"));
}

TEST(Strings, TruncateUtf8NeverSplitsACharacter) {
  EXPECT_EQ(truncate_utf8("short", 10), "short");
  EXPECT_EQ(truncate_utf8("abcdef", 3), "abc…");
  // "é" is two bytes: cutting after one of them must back up to before it.
  EXPECT_EQ(truncate_utf8("aé", 2), "a…");
  // A 4-byte emoji, cut anywhere inside.
  const std::string emoji = "x\xF0\x9F\x98\x80y";
  EXPECT_EQ(truncate_utf8(emoji, 2), "x…");
  EXPECT_EQ(truncate_utf8(emoji, 4), "x…");
  EXPECT_EQ(truncate_utf8(emoji, 5), "x\xF0\x9F\x98\x80…");
}

TEST(Strings, JsonQuoteEscapesControlCharactersAndQuotes) {
  EXPECT_EQ(json_quote("a\"b\\c\n\t\x01"), R"("a\"b\\c\n\t\u0001")");
  EXPECT_EQ(json_quote("é"), "\"é\"");
}

TEST(Strings, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));          // Latin-1
  EXPECT_FALSE(is_valid_utf8("\xC3"));             // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));     // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));             // stray continuation byte
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC!", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC!", 3), 1u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 0u);
}

} // namespace
} // namespace hfrun::util
