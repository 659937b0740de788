// A Space's output file names come from the server: none of them may leave the output folder or
// replace a file (src/space/output_names.cpp).
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/space/output_names.hpp>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using hfrun::space::free_output_path;
using hfrun::space::k_max_output_name;
using hfrun::space::safe_output_name;
using namespace std::string_literals;

TEST(SafeOutputName, KeepsAPlainName) {
  EXPECT_EQ(safe_output_name("image.png", 0), "image.png");
  EXPECT_EQ(safe_output_name("Überraschung 1.wav", 0), "Überraschung 1.wav");
}

TEST(SafeOutputName, KeepsOnlyTheLastComponent) {
  EXPECT_EQ(safe_output_name("../../etc/passwd", 0), "passwd");
  EXPECT_EQ(safe_output_name("/etc/cron.d/job", 0), "job");
  EXPECT_EQ(safe_output_name("..\\..\\Windows\\win.ini", 0), "win.ini");
  EXPECT_EQ(safe_output_name("a/b\\c.txt", 0), "c.txt");
}

TEST(SafeOutputName, NamesThatAreNothingBecomeOutputN) {
  EXPECT_EQ(safe_output_name("", 0), "output-1");
  EXPECT_EQ(safe_output_name(".", 1), "output-2");
  EXPECT_EQ(safe_output_name("..", 2), "output-3");
  EXPECT_EQ(safe_output_name("../", 3), "output-4");
  EXPECT_EQ(safe_output_name("dir/..", 4), "output-5");
  EXPECT_EQ(safe_output_name("/", 5), "output-6");
}

TEST(SafeOutputName, ControlBytesAndNulBecomeUnderscores) {
  EXPECT_EQ(safe_output_name("a\0b.txt"s, 0), "a_b.txt");
  EXPECT_EQ(safe_output_name("line\nbreak\r\x1b[31m.txt", 0), "line_break__[31m.txt");
  EXPECT_EQ(safe_output_name("del\x7f.txt", 0), "del_.txt");
  EXPECT_EQ(safe_output_name("../\0"s, 0), "_");
}

TEST(SafeOutputName, NoDotfilesAndNoOptionLookingNames) {
  EXPECT_EQ(safe_output_name(".bashrc", 0), "_bashrc");
  EXPECT_EQ(safe_output_name("../.ssh/authorized_keys", 0), "authorized_keys");
  EXPECT_EQ(safe_output_name("-rf", 0), "_rf");
  EXPECT_EQ(safe_output_name("x/--help", 0), "_-help");
}

TEST(SafeOutputName, LongNamesAreCutKeepingTheExtension) {
  std::string long_name(300, 'a');
  long_name += ".png";
  const std::string cut = safe_output_name(long_name, 0);
  EXPECT_EQ(cut.size(), k_max_output_name);
  EXPECT_TRUE(cut.ends_with("aaaa.png")) << cut;
  // A cut never splits a UTF-8 character ("é" is two bytes).
  std::string accents;
  for (int i = 0; i < 150; ++i) {
    accents += "é";
  }
  const std::string cut_accents = safe_output_name(accents + ".wav", 0);
  EXPECT_EQ(cut_accents, accents.substr(0, 196) + ".wav");
  // A long "extension" is not one: the whole name is cut.
  std::string long_extension = "x.";
  long_extension.append(300, 'b');
  EXPECT_EQ(safe_output_name(long_extension, 0).size(), k_max_output_name);
}

class FreeOutputPath : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("hfrun-output-names-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(FreeOutputPath, AnExistingFileOrLinkIsNeverTheAnswer) {
  EXPECT_EQ(free_output_path(m_dir / "out.png"), m_dir / "out.png");
  std::ofstream(m_dir / "out.png") << "mine";
  EXPECT_EQ(free_output_path(m_dir / "out.png"), m_dir / "out-1.png");
  // A dangling link counts as there: writing through it would create its target elsewhere.
  fs::create_symlink(m_dir / "nowhere" / "file", m_dir / "out-1.png");
  EXPECT_EQ(free_output_path(m_dir / "out.png"), m_dir / "out-2.png");
  EXPECT_EQ(free_output_path(m_dir / "noext"), m_dir / "noext");
}

} // namespace
