#include "cli/params.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace hfrun::cli {
namespace {

TEST(ParamsTest, HttpieStyleTypes) {
  auto p = parse_params({"top_k:=3", "label=cat", "flags:=[\"a\",\"b\"]", "eq=a=b", "on:=true"});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)["top_k"], 3);
  EXPECT_EQ((*p)["label"], "cat");
  EXPECT_EQ((*p)["flags"], nlohmann::json::array({"a", "b"}));
  EXPECT_EQ((*p)["eq"], "a=b");
  EXPECT_EQ((*p)["on"], true);
}

TEST(ParamsTest, FileValuesAreReadAsTextOrJson) {
  const auto path = std::filesystem::temp_directory_path() / "hfrun-params-test.json";
  std::ofstream(path) << R"({"Stars":["1","2"]})";
  auto p = parse_params({"table:=@" + path.string(), "raw=@" + path.string()});
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)["table"]["Stars"][1], "2");
  EXPECT_EQ((*p)["raw"], R"({"Stars":["1","2"]})");
  std::filesystem::remove(path);
}

TEST(ParamsTest, NonUtf8ValuesAreUsageErrorsNamingTheParameter) {
  auto p = parse_params({"label=caf\xE9"}); // Latin-1, as a shell in a Latin-1 locale passes it
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind, ErrorKind::usage);
  EXPECT_EQ(p.error().message, "parameter 'label': the value is not UTF-8 text");

  const auto path = std::filesystem::temp_directory_path() / "hfrun-params-latin1.txt";
  std::ofstream(path) << "caf\xE9";
  auto f = parse_params({"text=@" + path.string()});
  std::filesystem::remove(path);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::usage);
  EXPECT_EQ(f.error().message, "parameter 'text': file '" + path.string() + "' is not UTF-8 text");

  auto j = parse_params({"labels:=[\"caf\xE9\"]"});
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().kind, ErrorKind::usage);
}

TEST(ParamsTest, AHugeNonParameterIsEchoedShortened) {
  auto p = parse_params({std::string(10000, 'x')});
  ASSERT_FALSE(p);
  EXPECT_LT(p.error().message.size(), 300u);
}

TEST(ParamsTest, BadJsonAndMissingFilesAreUsageErrors) {
  auto bad = parse_params({"top_k:=three"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_NE(bad.error().message.find("top_k"), std::string::npos);
  auto missing = parse_params({"table=@/nonexistent/file.json"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(exit_code_for(missing.error().kind), 2);
}

TEST(ParamsTest, OnlyKeyValueShapesAreParameters) {
  EXPECT_TRUE(is_param("a=b"));
  EXPECT_TRUE(is_param("max_tokens:=64"));
  EXPECT_FALSE(is_param("cat.png"));
  EXPECT_FALSE(is_param("what is 2+2=?"));
  EXPECT_FALSE(is_param("=x"));
}

TEST(ParamsTest, SpooledStdinIsRemovedWithItsOwner) {
  std::FILE* in = std::tmpfile();
  std::fputs("binary\0data", in);
  std::rewind(in);
  std::filesystem::path path;
  {
    auto spooled = spool_to_temp(in);
    ASSERT_TRUE(spooled);
    path = spooled->path();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  std::fclose(in);
}

} // namespace
} // namespace hfrun::cli
