#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/atomic_file.hpp>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

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

TEST_F(AtomicFileTest, WriteFailureIsOutputFailedNotUsage) {
  // The destination was fine; the bytes did not get there (exit code 11, not 2).
  ASSERT_TRUE(check_output_writable("/dev/full"));
  auto full = write_output_file("/dev/full", "bytes");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().kind, ErrorKind::output_failed);
  EXPECT_NE(full.error().message.find("/dev/full"), std::string::npos);
}

TEST_F(AtomicFileTest, NewAndRegularFilesAreReplacedAtomically) {
  auto fresh = resolve_output_target(m_dir / "new.txt");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->kind, OutputTarget::Kind::replace);
  std::ofstream(m_dir / "old.txt") << "old";
  ASSERT_TRUE(write_output_file(m_dir / "old.txt", "new"));
  EXPECT_EQ(read(m_dir / "old.txt"), "new");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, SymlinkIsWrittenThroughAndStaysALink) {
  fs::create_directories(m_dir / "real");
  std::ofstream(m_dir / "real" / "out.txt") << "old";
  fs::create_symlink("real/out.txt", m_dir / "link.txt"); // relative, resolved from the link's dir
  ASSERT_TRUE(write_output_file(m_dir / "link.txt", "through"));
  EXPECT_TRUE(fs::is_symlink(m_dir / "link.txt"));
  EXPECT_EQ(read(m_dir / "real" / "out.txt"), "through");
}

TEST_F(AtomicFileTest, DanglingSymlinkCreatesItsTarget) {
  fs::create_symlink(m_dir / "target.bin", m_dir / "dangling");
  ASSERT_TRUE(write_output_file(m_dir / "dangling", "made"));
  EXPECT_TRUE(fs::is_symlink(m_dir / "dangling"));
  EXPECT_EQ(read(m_dir / "target.bin"), "made");
}

TEST_F(AtomicFileTest, CharacterDeviceIsWrittenInPlaceNeverReplaced) {
  auto target = resolve_output_target("/dev/null");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->kind, OutputTarget::Kind::direct);
  ASSERT_TRUE(check_output_writable("/dev/null"));
  ASSERT_TRUE(write_output_file("/dev/null", "discarded"));
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(AtomicFileTest, FifoIsWrittenInPlace) {
  const fs::path fifo = m_dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_TRUE(check_output_writable(fifo)); // must not wait for a reader
  std::string received;
  std::thread reader([&] { received = read(fifo); });
  auto written = write_output_file(fifo, "through the pipe");
  reader.join();
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(received, "through the pipe");
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
}

TEST_F(AtomicFileTest, ProcFdLinkWritesToTheOpenFile) {
  // /dev/stdout and /proc/self/fd/N name a file this process has open: write to it, do not
  // rename a new file over whatever it points at.
  const fs::path file = m_dir / "opened.txt";
  std::ofstream(file) << "stale content";
  const int fd = ::open(file.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  const fs::path link = "/proc/self/fd/" + std::to_string(fd);
  auto target = resolve_output_target(link);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->kind, OutputTarget::Kind::direct);
  ASSERT_TRUE(write_output_file(link, "fresh"));
  struct stat by_fd {};
  struct stat by_name {};
  ASSERT_EQ(::fstat(fd, &by_fd), 0);
  ASSERT_EQ(::stat(file.c_str(), &by_name), 0);
  EXPECT_EQ(by_fd.st_ino, by_name.st_ino); // the same file, not a replacement
  EXPECT_EQ(read(file), "fresh");
  ::close(fd);
}

TEST_F(AtomicFileTest, DirectoryIsAUsageErrorBeforeAndAtWriting) {
  auto checked = check_output_writable(m_dir);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::usage);
  EXPECT_NE(checked.error().message.find("directory"), std::string::npos);
  auto written = write_output_file(m_dir, "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::usage);
}

TEST_F(AtomicFileTest, CheckNamesAMissingDirectory) {
  auto checked = check_output_writable(m_dir / "missing" / "out.png");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::usage);
  EXPECT_NE(checked.error().message.find((m_dir / "missing").string()), std::string::npos)
      << checked.error().message;
  EXPECT_TRUE(check_output_writable(m_dir / "out.png"));
  EXPECT_EQ(entries(), 0u); // checking creates nothing
}

TEST_F(AtomicFileTest, SymlinkLoopIsAUsageError) {
  fs::create_symlink(m_dir / "b", m_dir / "a");
  fs::create_symlink(m_dir / "a", m_dir / "b");
  auto target = resolve_output_target(m_dir / "a");
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().kind, ErrorKind::usage);
}

} // namespace
} // namespace hfrun::util
