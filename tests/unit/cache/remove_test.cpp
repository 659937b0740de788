// plan_removal / plan_prune / apply_removal on a hand-built cache folder (docs/cache.md).
#include "unit/cache/cache_test_support.hpp"

#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/cache/remove.hpp>
#include <sys/file.h>
#include <unistd.h>

namespace hfrun::cache {
namespace {

const hub::RepoRef k_model{hub::RepoType::model, "org/name"};
const std::string k_old = "1111111111111111111111111111111111111111";
const std::string k_new = "2222222222222222222222222222222222222222";

fs::path temp_dir() {
  return testing::temp_dir("remove");
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Two revisions: old (ref v1) links "shared" and "oldonly", new (ref main) links "shared" and
// "newonly".
RepoCache two_revisions(const fs::path& dir) {
  RepoCache repo(dir, k_model);
  write(repo.blob_path("shared"), "shared!");
  write(repo.blob_path("oldonly"), "old bytes");
  write(repo.blob_path("newonly"), "new");
  EXPECT_TRUE(repo.link(k_old, "a.txt", "shared"));
  EXPECT_TRUE(repo.link(k_old, "sub/b.txt", "oldonly"));
  EXPECT_TRUE(repo.link(k_new, "a.txt", "shared"));
  EXPECT_TRUE(repo.link(k_new, "c.txt", "newonly"));
  EXPECT_TRUE(repo.write_ref("v1", k_old));
  EXPECT_TRUE(repo.write_ref("main", k_new));
  return repo;
}

TEST(Remove, RevisionByRefTakesItsSnapshotRefAndOnlyUnsharedBlobs) {
  const auto dir = temp_dir();
  auto repo = two_revisions(dir);
  auto plan = plan_removal(repo, {"v1"});
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->whole_repo);
  EXPECT_EQ(plan->commits, std::vector<std::string>{k_old});
  EXPECT_EQ(plan->refs, std::vector<std::string>{"v1"});
  EXPECT_EQ(plan->blobs, std::vector<std::string>{"oldonly"});
  EXPECT_EQ(plan->bytes, std::string("old bytes").size());
  ASSERT_TRUE(apply_removal(*plan));
  EXPECT_FALSE(fs::exists(repo.snapshot_dir(k_old)));
  EXPECT_FALSE(fs::exists(repo.ref_path("v1")));
  EXPECT_FALSE(fs::exists(repo.blob_path("oldonly")));
  EXPECT_TRUE(fs::exists(repo.blob_path("shared")));
  auto problems = verify_repo(repo);
  ASSERT_TRUE(problems);
  EXPECT_TRUE(problems->empty());
  EXPECT_EQ(repo.read_ref("main"), k_new);
}

TEST(Remove, RevisionByCommitTakesTheRefsPointingAtIt) {
  const auto dir = temp_dir();
  auto repo = two_revisions(dir);
  auto plan = plan_removal(repo, {k_new});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->refs, std::vector<std::string>{"main"});
  EXPECT_EQ(plan->blobs, std::vector<std::string>{"newonly"});
}

TEST(Remove, WholeRepoTakesTheFolder) {
  const auto dir = temp_dir();
  auto repo = two_revisions(dir);
  auto plan = plan_removal(repo, {});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->whole_repo);
  EXPECT_EQ(plan->commits.size(), 2u);
  EXPECT_EQ(plan->blobs.size(), 3u);
  EXPECT_EQ(plan->bytes, std::string("shared!old bytesnew").size());
  ASSERT_TRUE(apply_removal(*plan));
  EXPECT_FALSE(fs::exists(repo.root()));
}

TEST(Remove, UnknownRevisionAndRepoAreNotFound) {
  const auto dir = temp_dir();
  auto repo = two_revisions(dir);
  auto missing_rev = plan_removal(repo, {"v9"});
  ASSERT_FALSE(missing_rev);
  EXPECT_EQ(missing_rev.error().kind, ErrorKind::not_found);
  EXPECT_NE(missing_rev.error().message.find("org/name@v9"), std::string::npos);
  auto missing_repo = plan_removal(RepoCache(dir, {hub::RepoType::model, "org/other"}), {});
  ASSERT_FALSE(missing_repo);
  EXPECT_EQ(missing_repo.error().kind, ErrorKind::not_found);
}

TEST(Prune, TakesOrphanBlobsAndUnlockedOrOldPartialsOnly) {
  const auto dir = temp_dir();
  auto repo = two_revisions(dir);
  write(repo.blob_path("orphan"), "nobody links me");
  write(repo.root() / "blobs" / "unlocked.1-2.incomplete", "part");
  write(repo.root() / "blobs" / "locked.1-2.incomplete", "part");
  fs::create_directories(repo.lock_path("locked").parent_path());
  const int fd = ::open(repo.lock_path("locked").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  ASSERT_GE(fd, 0);
  // flock locks belong to the open file description: a second open() in this process conflicts,
  // as another process would.
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto plans = plan_prune(dir);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].blobs, (std::vector<std::string>{"orphan", "unlocked.1-2.incomplete"}));
  // With a negative max age every partial counts as stale, the locked one too.
  auto stale = plan_prune(dir, -1);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].blobs.size(), 3u);
  ::close(fd);
  ASSERT_TRUE(apply_removal(plans[0]));
  EXPECT_FALSE(fs::exists(repo.blob_path("orphan")));
  EXPECT_TRUE(fs::exists(repo.root() / "blobs" / "locked.1-2.incomplete"));
  auto problems = verify_repo(repo);
  ASSERT_TRUE(problems);
  EXPECT_TRUE(problems->empty());
}

} // namespace
} // namespace hfrun::cache
