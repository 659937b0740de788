#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/atomic_file.hpp>
#include <sstream>
#include <sys/stat.h>

namespace hfrun::util {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("hfrun_atomic_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  [[nodiscard]] std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(m_dir), fs::directory_iterator()));
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path m_dir;
};

TEST_F(AtomicFileTest, CommitReplacesTheTargetWithTheWholeContent) {
  const fs::path target = m_dir / "out.png";
  std::ofstream(target) << "old";
  auto file = AtomicFile::create(target);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->temp_path().parent_path(), m_dir);
  EXPECT_TRUE(file->temp_path().filename().string().starts_with(".out.png.hfrun-"));
  ASSERT_TRUE(file->write("new "));
  EXPECT_EQ(read(target), "old"); // readers see the old file until commit
  ASSERT_TRUE(file->write("content"));
  ASSERT_TRUE(file->commit());
  EXPECT_EQ(read(target), "new content");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, DestructionWithoutCommitLeavesNothing) {
  const fs::path target = m_dir / "partial.bin";
  {
    auto file = AtomicFile::create(target);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write("half"));
    EXPECT_EQ(entries(), 1u);
  }
  EXPECT_EQ(entries(), 0u);
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(AtomicFileTest, MovedFileOwnsTheTempFile) {
  const fs::path target = m_dir / "moved.txt";
  auto created = AtomicFile::create(target);
  ASSERT_TRUE(created);
  AtomicFile file = std::move(*created);
  ASSERT_TRUE(file.write("x"));
  ASSERT_TRUE(file.commit());
  EXPECT_EQ(read(target), "x");
}

TEST_F(AtomicFileTest, NewFileGetsTheUsualModeNotMkstemps0600) {
  const fs::path target = m_dir / "mode.txt";
  const mode_t old = ::umask(022);
  auto file = AtomicFile::create(target);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->commit());
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAUsageErrorNamingThePath) {
  auto file = AtomicFile::create(m_dir / "no" / "such" / "out.png");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().kind, ErrorKind::usage);
  EXPECT_NE(file.error().message.find("out.png"), std::string::npos);
}

TEST_F(AtomicFileTest, CommitOntoADirectoryFailsAndCleansUp) {
  const fs::path target = m_dir / "adir";
  fs::create_directories(target / "inside");
  auto file = AtomicFile::create(target);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->write("x"));
  EXPECT_FALSE(file->commit());
  EXPECT_EQ(entries(), 1u); // only the directory itself
}

} // namespace
} // namespace hfrun::util
