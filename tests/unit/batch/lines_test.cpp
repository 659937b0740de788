#include "batch_test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/batch/lines.hpp>
#include <string>
#include <unistd.h>
#include <vector>

namespace hfrun::batch {
namespace {

using test_support::MemoryInput;

std::vector<RawLine> read_all(const std::string& text, std::size_t max_line = 1024) {
  MemoryInput in(text);
  LineReader reader(in.get(), max_line);
  std::vector<RawLine> lines;
  while (auto line = reader.next()) {
    lines.push_back(std::move(*line));
  }
  EXPECT_FALSE(reader.error().has_value());
  return lines;
}

RawLine raw(std::size_t number, std::string text) {
  RawLine line;
  line.number = number;
  line.text = std::move(text);
  return line;
}

// --- LineReader ---

TEST(LineReader, ReadsEachLineWithItsNumber) {
  const auto lines = read_all("{\"a\":1}\n{\"a\":2}\n");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].number, 1U);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[1].number, 2U);
  EXPECT_EQ(lines[1].text, "{\"a\":2}");
}

TEST(LineReader, BlankLinesAreSkippedButCounted) {
  const auto lines = read_all("{\"a\":1}\n\n   \n\t\n{\"a\":2}\n");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].number, 5U);
  EXPECT_EQ(lines[1].text, "{\"a\":2}");
}

TEST(LineReader, CrlfLineEndsAreStripped) {
  const auto lines = read_all("{\"a\":1}\r\n\r\n{\"a\":2}\r\n");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[1].number, 3U);
  EXPECT_EQ(lines[1].text, "{\"a\":2}");
}

TEST(LineReader, LastLineWithoutNewlineIsRead) {
  const auto lines = read_all("{\"a\":1}\n{\"a\":2}");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].number, 2U);
  EXPECT_EQ(lines[1].text, "{\"a\":2}");
}

TEST(LineReader, BlankLastLineWithoutNewlineIsNotAnItem) {
  const auto lines = read_all("{\"a\":1}\n   ");
  EXPECT_EQ(lines.size(), 1U);
}

TEST(LineReader, EmptyInputHasNoLines) {
  EXPECT_TRUE(read_all("").empty());
}

TEST(LineReader, TooLongLineIsReportedWithoutItsBytesAndReadingGoesOn) {
  const std::string long_line(100, 'x');
  const auto lines = read_all("{\"a\":1}\n" + long_line + "\n{\"a\":3}\n", 16);
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].number, 2U);
  EXPECT_TRUE(lines[1].text.empty());
  EXPECT_FALSE(lines[2].too_long);
  EXPECT_EQ(lines[2].number, 3U);
  EXPECT_EQ(lines[2].text, "{\"a\":3}");
}

TEST(LineReader, LineOfExactlyTheLimitIsNotTooLong) {
  std::string input(16, 'x');
  input += '\n';
  const auto lines = read_all(input, 16);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_FALSE(lines[0].too_long);
  EXPECT_EQ(lines[0].text.size(), 16U);
}

TEST(LineReader, ReadsFromAFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hfrun_batch_lines_" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"id\":\"a\"}\n\n{\"id\":\"b\"}";
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  ASSERT_NE(file, nullptr);
  LineReader reader(file);
  std::vector<std::size_t> numbers;
  while (auto line = reader.next()) {
    numbers.push_back(line->number);
  }
  std::fclose(file);
  std::filesystem::remove(path);
  EXPECT_EQ(numbers, (std::vector<std::size_t>{1, 3}));
}

// --- parse_line ---

TEST(ParseLine, StringIdIsTheItemsIdAndNotAField) {
  const auto parsed = parse_line(raw(3, R"({"id": "doc-1", "text": "hi"})"));
  ASSERT_FALSE(parsed.error.has_value());
  EXPECT_EQ(parsed.item.id, "doc-1");
  EXPECT_EQ(parsed.item.line, 3U);
  EXPECT_EQ(parsed.item.fields, nlohmann::json({{"text", "hi"}}));
}

TEST(ParseLine, IntegerIdIsKeptAsAnInteger) {
  const auto parsed = parse_line(raw(3, R"({"id": 42, "text": "hi"})"));
  ASSERT_FALSE(parsed.error.has_value());
  EXPECT_TRUE(parsed.item.id.is_number_integer());
  EXPECT_EQ(parsed.item.id, 42);
}

TEST(ParseLine, NegativeIntegerIdIsAccepted) {
  const auto parsed = parse_line(raw(1, R"({"id": -5})"));
  ASSERT_FALSE(parsed.error.has_value());
  EXPECT_EQ(parsed.item.id, -5);
}

TEST(ParseLine, MissingIdIsTheLineNumber) {
  const auto parsed = parse_line(raw(7, R"({"text": "hi"})"));
  ASSERT_FALSE(parsed.error.has_value());
  EXPECT_EQ(parsed.item.id, 7);
}

TEST(ParseLine, IdOfAnotherTypeIsAnErrorNamingTheLine) {
  for (const char* text : {R"({"id": 1.5})", R"({"id": null})", R"({"id": [1]})",
                           R"({"id": {"a": 1}})", R"({"id": true})"}) {
    const auto parsed = parse_line(raw(4, text));
    ASSERT_TRUE(parsed.error.has_value()) << text;
    EXPECT_EQ(parsed.error->kind, ErrorKind::usage) << text;
    EXPECT_NE(parsed.error->message.find("line 4"), std::string::npos) << parsed.error->message;
    EXPECT_NE(parsed.error->message.find("\"id\""), std::string::npos) << parsed.error->message;
    EXPECT_EQ(parsed.item.id, 4) << text; // the row still has an id: the line number
  }
}

TEST(ParseLine, NotJsonIsAnErrorNamingTheLine) {
  const auto parsed = parse_line(raw(12, "{not json"));
  ASSERT_TRUE(parsed.error.has_value());
  EXPECT_EQ(parsed.error->kind, ErrorKind::usage);
  EXPECT_NE(parsed.error->message.find("line 12"), std::string::npos) << parsed.error->message;
  EXPECT_EQ(parsed.item.line, 12U);
  EXPECT_EQ(parsed.item.id, 12);
}

TEST(ParseLine, JsonThatIsNotAnObjectIsAnErrorNamingTheLine) {
  for (const char* text : {"[1, 2]", "\"text\"", "3", "null"}) {
    const auto parsed = parse_line(raw(9, text));
    ASSERT_TRUE(parsed.error.has_value()) << text;
    EXPECT_EQ(parsed.error->kind, ErrorKind::usage);
    EXPECT_NE(parsed.error->message.find("line 9"), std::string::npos) << parsed.error->message;
    EXPECT_NE(parsed.error->message.find("object"), std::string::npos) << parsed.error->message;
  }
}

TEST(ParseLine, TooLongLineIsAnErrorNamingTheLine) {
  RawLine line;
  line.number = 5;
  line.too_long = true;
  const auto parsed = parse_line(line);
  ASSERT_TRUE(parsed.error.has_value());
  EXPECT_EQ(parsed.error->kind, ErrorKind::usage);
  EXPECT_NE(parsed.error->message.find("line 5"), std::string::npos) << parsed.error->message;
  EXPECT_NE(parsed.error->message.find("too long"), std::string::npos) << parsed.error->message;
}

TEST(ParseLine, ReaderAndParserTogetherNumberErrorsByPhysicalLine) {
  MemoryInput in("{\"text\":\"a\"}\n\n[1]\r\n{\"text\":\"b\"}");
  LineReader reader(in.get());
  std::vector<std::string> errors;
  std::vector<nlohmann::json> ids;
  while (auto line = reader.next()) {
    const auto parsed = parse_line(*line);
    ids.push_back(parsed.item.id);
    if (parsed.error) {
      errors.push_back(parsed.error->message);
    }
  }
  EXPECT_EQ(ids, (std::vector<nlohmann::json>{1, 3, 4}));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("line 3"), std::string::npos) << errors[0];
}

// --- id_key ---

TEST(IdKey, IntegerAndStringOfTheSameDigitsAreDifferent) {
  EXPECT_NE(id_key(7), id_key("7"));
  EXPECT_EQ(id_key(7), id_key(nlohmann::json(7)));
  EXPECT_EQ(id_key("a"), id_key(nlohmann::json("a")));
}

} // namespace
} // namespace hfrun::batch
