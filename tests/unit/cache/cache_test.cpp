#include "unit/cache/cache_test_support.hpp"

#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/cache/blob_sink.hpp>
#include <hfrun/cache/cache.hpp>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/util/sha1.hpp>
#include <hfrun/util/sha256.hpp>
#include <map>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hfrun::cache {
namespace {

using testing::read_all;

fs::path temp_dir() {
  return testing::temp_dir("cache");
}

const hub::RepoRef k_model{hub::RepoType::model, "org/name"};
const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";

TEST(CachePaths, FolderNamesFollowHuggingfaceHub) {
  EXPECT_EQ(repo_folder_name(k_model), "models--org--name");
  EXPECT_EQ(repo_folder_name({hub::RepoType::dataset, "Org/Data.v2"}), "datasets--Org--Data.v2");
  EXPECT_EQ(repo_folder_name({hub::RepoType::space, "gpt2"}), "spaces--gpt2");
  auto back = parse_repo_folder("datasets--Org--Data.v2");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, hub::RepoType::dataset);
  EXPECT_EQ(back->id, "Org/Data.v2");
  EXPECT_FALSE(parse_repo_folder(".locks"));
  EXPECT_FALSE(parse_repo_folder("things--a--b"));
}

TEST(CachePaths, LayoutUnderTheHubCache) {
  RepoCache repo("/c", k_model);
  EXPECT_EQ(repo.blob_path("abc"), fs::path("/c/models--org--name/blobs/abc"));
  EXPECT_EQ(repo.pointer_path(k_commit, "a/b.json"),
            fs::path("/c/models--org--name/snapshots/" + k_commit + "/a/b.json"));
  EXPECT_EQ(repo.ref_path("refs/pr/1"), fs::path("/c/models--org--name/refs/refs/pr/1"));
  EXPECT_EQ(repo.no_exist_path(k_commit, "x.bin"),
            fs::path("/c/models--org--name/.no_exist/" + k_commit + "/x.bin"));
  EXPECT_EQ(repo.lock_path("abc"), fs::path("/c/.locks/models--org--name/abc.lock"));
}

TEST(CachePaths, LinkTargetsClimbOneLevelPerFolder) {
  EXPECT_EQ(blob_link_target("config.json", "e1"), "../../blobs/e1");
  EXPECT_EQ(blob_link_target("unet/config.json", "e1"), "../../../blobs/e1");
  EXPECT_EQ(blob_link_target("a/b/c/d.bin", "e1"), "../../../../../blobs/e1");
}

TEST(CachePaths, EtagsAreNormalized) {
  EXPECT_EQ(normalize_etag("W/\"abc\""), "abc");
  EXPECT_EQ(normalize_etag("\"abc\""), "abc");
  EXPECT_EQ(normalize_etag("abc"), "abc");
}

TEST(CacheRefs, WrittenWithoutNewlineAndReadTrimmed) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  ASSERT_TRUE(repo.write_ref("main", k_commit));
  EXPECT_EQ(read_all(repo.ref_path("main")), k_commit);
  ASSERT_TRUE(repo.write_ref("refs/pr/1", k_commit));
  EXPECT_EQ(read_all(repo.ref_path("refs/pr/1")), k_commit);
  // A ref another tool wrote with a newline reads as the commit, and is rewritten without it.
  std::ofstream(repo.ref_path("v1"), std::ios::binary) << k_commit << "\n";
  EXPECT_EQ(repo.read_ref("v1"), k_commit);
  ASSERT_TRUE(repo.write_ref("v1", k_commit));
  EXPECT_EQ(read_all(repo.ref_path("v1")), k_commit);
  EXPECT_FALSE(repo.read_ref("nope"));
}

TEST(CacheLinks, RelativeLinksResolveAtEveryDepth) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  fs::create_directories(repo.blob_path("e1").parent_path());
  std::ofstream(repo.blob_path("e1"), std::ios::binary) << "hello";
  for (const std::string path : {"top.txt", "a/mid.txt", "a/b/c/deep.txt"}) {
    ASSERT_TRUE(repo.link(k_commit, path, "e1"));
    const auto pointer = repo.pointer_path(k_commit, path);
    EXPECT_TRUE(fs::is_symlink(pointer));
    EXPECT_EQ(fs::read_symlink(pointer).string(), blob_link_target(path, "e1"));
    EXPECT_EQ(read_all(pointer), "hello") << path;
    EXPECT_TRUE(repo.has_file(k_commit, path));
  }
  // Linking again replaces the entry (another etag after a re-download).
  std::ofstream(repo.blob_path("e2"), std::ios::binary) << "other";
  ASSERT_TRUE(repo.link(k_commit, "top.txt", "e2"));
  EXPECT_EQ(read_all(repo.pointer_path(k_commit, "top.txt")), "other");
}

TEST(CacheMarkers, NoExistIsAnEmptyFile) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  ASSERT_TRUE(repo.mark_missing(k_commit, "sub/missing.bin"));
  EXPECT_TRUE(fs::is_regular_file(repo.no_exist_path(k_commit, "sub/missing.bin")));
  EXPECT_EQ(fs::file_size(repo.no_exist_path(k_commit, "sub/missing.bin")), 0u);
}

TEST(CacheTag, HasTheStandardSignature) {
  const auto dir = temp_dir();
  ASSERT_TRUE(ensure_cachedir_tag(dir));
  EXPECT_TRUE(
      read_all(dir / "CACHEDIR.TAG").starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
}

// Feeds `content` through a BlobSink the way the transport does.
Result<void> sink_through(BlobSink& sink, std::string_view content) {
  HFRUN_TRY(sink.begin(200, {}));
  HFRUN_TRY(sink.write(content.substr(0, content.size() / 2)));
  HFRUN_TRY(sink.write(content.substr(content.size() / 2)));
  return sink.finish(true);
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return n;
}

TEST(BlobSink, LfsBlobLandsWhenItsSha256Matches) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  const std::string content = "weights weights weights";
  const std::string etag = util::sha256_hex(content);
  BlobSink sink(repo, etag, content.size());
  ASSERT_TRUE(sink_through(sink, content));
  EXPECT_TRUE(sink.committed());
  EXPECT_EQ(read_all(repo.blob_path(etag)), content);
  EXPECT_EQ(files_in(repo.blob_path(etag).parent_path()), 1u); // no .incomplete left
}

TEST(BlobSink, RegularBlobIsCheckedByGitSha1) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  const std::string content = "{\"model_type\": \"gpt2\"}\n";
  const std::string etag = util::git_blob_sha1(content);
  BlobSink sink(repo, etag, content.size());
  ASSERT_TRUE(sink_through(sink, content));
  EXPECT_EQ(read_all(repo.blob_path(etag)), content);
}

TEST(BlobSink, WrongByteIsExitNineAndNothingLands) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  const std::string content = "weights weights weights";
  const std::string etag = util::sha256_hex(content);
  std::string corrupted = content;
  corrupted[3] = 'X';
  BlobSink sink(repo, etag, content.size());
  auto result = sink_through(sink, corrupted);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
  EXPECT_FALSE(fs::exists(repo.blob_path(etag)));
  EXPECT_EQ(files_in(repo.blob_path(etag).parent_path()), 0u);
}

TEST(BlobSink, ShortBodyIsRejected) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  const std::string content = "weights";
  BlobSink sink(repo, util::sha256_hex(content), content.size() + 1);
  auto result = sink_through(sink, content);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::bad_response);
  EXPECT_EQ(files_in(repo.blob_path("x").parent_path()), 0u);
}

TEST(BlobSink, FailedTransferLeavesNoIncomplete) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  BlobSink sink(repo, util::sha256_hex("abc"), 3);
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write("a"));
  EXPECT_EQ(files_in(repo.blob_path("x").parent_path()), 1u); // the .incomplete file
  ASSERT_TRUE(sink.finish(false));
  EXPECT_EQ(files_in(repo.blob_path("x").parent_path()), 0u);
}

TEST(BlobSink, PartialContentIsRefusedAndTempIsNamedPerProcess) {
  const auto dir = temp_dir();
  RepoCache repo(dir, k_model);
  const std::string etag = util::sha256_hex("abc");
  BlobSink partial(repo, etag, 3);
  auto refused = partial.begin(206, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::bad_response);
  BlobSink sink(repo, etag, 3);
  ASSERT_TRUE(sink.begin(200, {}));
  const auto temp = fs::directory_iterator(repo.blob_path(etag).parent_path())->path();
  const std::string name = temp.filename().string();
  // blobs/<etag>.<8 hex>.incomplete, as huggingface_hub >= 1.18 names it.
  EXPECT_EQ(name.size(), etag.size() + 1 + 8 + std::string(".incomplete").size()) << name;
  EXPECT_TRUE(name.starts_with(etag + ".")) << name;
  EXPECT_TRUE(name.ends_with(".incomplete")) << name;
}

// A healthy repo: one LFS blob, one regular blob, a nested link, a ref.
RepoCache healthy_repo(const fs::path& dir) {
  RepoCache repo(dir, k_model);
  const std::string lfs = "big content";
  const std::string small = "small\n";
  fs::create_directories(repo.blob_path("x").parent_path());
  std::ofstream(repo.blob_path(util::sha256_hex(lfs)), std::ios::binary) << lfs;
  std::ofstream(repo.blob_path(util::git_blob_sha1(small)), std::ios::binary) << small;
  EXPECT_TRUE(repo.link(k_commit, "model.bin", util::sha256_hex(lfs)));
  EXPECT_TRUE(repo.link(k_commit, "sub/config.json", util::git_blob_sha1(small)));
  EXPECT_TRUE(repo.write_ref("main", k_commit));
  return repo;
}

TEST(Verify, HealthyRepoHasNoProblems) {
  const auto dir = temp_dir();
  auto repo = healthy_repo(dir);
  auto problems = verify_repo(repo);
  ASSERT_TRUE(problems);
  EXPECT_TRUE(problems->empty());
  auto info = scan_repo(repo);
  ASSERT_EQ(info.revisions.size(), 1u);
  EXPECT_EQ(info.revisions[0].files, 2u);
  EXPECT_EQ(info.revisions[0].refs, std::vector<std::string>{"main"});
  EXPECT_EQ(info.size_on_disk, std::string("big content").size() + std::string("small\n").size());
}

TEST(Verify, CorruptBlobDanglingLinkAndBadRefAreReported) {
  const auto dir = temp_dir();
  auto repo = healthy_repo(dir);
  // One flipped byte in the LFS blob.
  std::ofstream(repo.blob_path(util::sha256_hex("big content")), std::ios::binary) << "big contenX";
  // The regular file's blob gone: its link dangles.
  fs::remove(repo.blob_path(util::git_blob_sha1("small\n")));
  // A ref to a commit without a snapshot.
  ASSERT_TRUE(repo.write_ref("v2", "ffffffffffffffffffffffffffffffffffffffff"));
  auto problems = verify_repo(repo);
  ASSERT_TRUE(problems);
  ASSERT_EQ(problems->size(), 3u);
  std::map<Problem::Kind, std::string> by_kind;
  for (const auto& p : *problems) {
    by_kind[p.kind] = p.path;
  }
  EXPECT_EQ(by_kind[Problem::Kind::corrupt], "blobs/" + util::sha256_hex("big content"));
  EXPECT_EQ(by_kind[Problem::Kind::dangling], "snapshots/" + k_commit + "/sub/config.json");
  EXPECT_EQ(by_kind[Problem::Kind::bad_ref], "refs/v2");
}

TEST(Verify, RepoNotInCacheIsNotFound) {
  const auto dir = temp_dir();
  auto problems = verify_repo(RepoCache(dir, k_model));
  ASSERT_FALSE(problems);
  EXPECT_EQ(problems.error().kind, ErrorKind::not_found);
}

TEST(FileLockTest, SecondProcessWaitsForTheFirst) {
  const auto dir = temp_dir();
  const auto path = dir / ".locks" / "models--org--name" / "e1.lock";
  auto lock = FileLock::acquire(path);
  ASSERT_TRUE(lock);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::group_write | fs::perms::others_read);
  const pid_t child = ::fork();
  if (child == 0) {
    // The child must not get the lock while the parent holds it.
    const int fd = ::open(path.c_str(), O_RDWR);
    const int got = ::flock(fd, LOCK_EX | LOCK_NB);
    ::_exit(got == 0 ? 1 : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  FileLock moved = std::move(*lock); // moving keeps it held
  lock = fail(ErrorKind::internal, "the moved-from lock holds nothing");
  { [[maybe_unused]] FileLock released = std::move(moved); } // the destructor releases it
  const int fd = ::open(path.c_str(), O_RDWR);
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
}

} // namespace
} // namespace hfrun::cache
