#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/batch/lines.hpp>
#include <hfrun/batch/resume.hpp>
#include <sstream>
#include <string>
#include <unistd.h>

namespace hfrun::batch {
namespace {

namespace fs = std::filesystem;

class ResumeTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("hfrun_batch_resume_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_out = m_dir / "rows.jsonl";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void write(const std::string& text) const {
    std::ofstream out(m_out, std::ios::binary);
    out << text;
  }
  [[nodiscard]] std::string read() const {
    std::ifstream in(m_out, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path m_dir;
  fs::path m_out;
};

const std::string ok_a = R"({"id":"a","line":1,"ok":true,"result":{"x":1},"status":200})";
const std::string ok_b = R"({"id":"b","line":2,"ok":true,"result":{"x":2},"status":200})";
const std::string failed_c =
    R"({"id":"c","line":3,"ok":false,"error":{"kind":"unavailable"},"status":503})";

TEST_F(ResumeTest, MissingFileIsAnEmptyStateAndIsNotCreated) {
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_TRUE(state->done.empty());
  EXPECT_EQ(state->kept, 0U);
  EXPECT_EQ(state->dropped, 0U);
  EXPECT_FALSE(state->torn_tail);
  EXPECT_FALSE(fs::exists(m_out));
}

TEST_F(ResumeTest, OkRowsAreKeptAndTheirIdsAreDone) {
  write(ok_a + "\n" + ok_b + "\n");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->kept, 2U);
  EXPECT_EQ(state->done, (std::set<std::string>{id_key("a"), id_key("b")}));
  EXPECT_EQ(read(), ok_a + "\n" + ok_b + "\n");
}

TEST_F(ResumeTest, FailedRowsAreDroppedAndTheFileRewritten) {
  write(ok_a + "\n" + failed_c + "\n" + ok_b + "\n");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->kept, 2U);
  EXPECT_EQ(state->dropped, 1U);
  EXPECT_FALSE(state->done.contains(id_key("c")));
  EXPECT_EQ(read(), ok_a + "\n" + ok_b + "\n");
}

TEST_F(ResumeTest, TornLastLineIsDroppedAndTheFileRewritten) {
  write(ok_a + "\n" + R"({"id":"b","line":2,"ok":tr)");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_TRUE(state->torn_tail);
  EXPECT_EQ(state->kept, 1U);
  EXPECT_FALSE(state->done.contains(id_key("b")));
  EXPECT_EQ(read(), ok_a + "\n");
}

TEST_F(ResumeTest, CompleteRowWithoutItsNewlineCountsAsTorn) {
  // The newline is the last byte a row's one write puts down: without it the write was cut.
  write(ok_a + "\n" + ok_b);
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_TRUE(state->torn_tail);
  EXPECT_FALSE(state->done.contains(id_key("b")));
  EXPECT_EQ(read(), ok_a + "\n");
}

TEST_F(ResumeTest, DuplicateRowsAreKeptOnce) {
  write(ok_a + "\n" + ok_a + "\n");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->kept, 1U);
  EXPECT_EQ(read(), ok_a + "\n");
}

TEST_F(ResumeTest, ALineThatIsNotARowIsAUsageErrorAndTheFileIsUnchanged) {
  const std::string text = ok_a + "\n" + failed_c + "\n" + "this is not a row\n" + ok_b;
  write(text);
  const auto state = prepare_resume(m_out);
  ASSERT_FALSE(state.has_value());
  EXPECT_EQ(state.error().kind, ErrorKind::usage);
  EXPECT_NE(state.error().message.find("line 3"), std::string::npos) << state.error().message;
  EXPECT_EQ(read(), text);
}

TEST_F(ResumeTest, JsonObjectWithoutOkOrIdIsNotARow) {
  for (const char* line : {R"({"id":"a","result":1})", R"({"ok":true,"result":1})"}) {
    const std::string text = std::string(line) + "\n";
    write(text);
    const auto state = prepare_resume(m_out);
    ASSERT_FALSE(state.has_value()) << line;
    EXPECT_EQ(state.error().kind, ErrorKind::usage);
    EXPECT_EQ(read(), text);
  }
}

TEST_F(ResumeTest, IntegerAndStringIdsAreDifferentKeys) {
  write(R"({"id":7,"line":1,"ok":true,"result":null})"
        "\n");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_TRUE(state->done.contains(id_key(7)));
  EXPECT_FALSE(state->done.contains(id_key("7")));
}

TEST_F(ResumeTest, AllRowsFailedLeavesAnEmptyFile) {
  write(failed_c + "\n");
  const auto state = prepare_resume(m_out);
  ASSERT_TRUE(state.has_value()) << state.error().message;
  EXPECT_EQ(state->dropped, 1U);
  EXPECT_TRUE(fs::exists(m_out));
  EXPECT_EQ(read(), "");
}

} // namespace
} // namespace hfrun::batch
