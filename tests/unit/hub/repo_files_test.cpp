#include <gtest/gtest.h>
#include <hfrun/hub/repo_files.hpp>

namespace hfrun::hub {
namespace {

TEST(RepoFiles, ResolveUrlKeepsSlashesOfThePathOnly) {
  EXPECT_EQ(resolve_url("https://hf.co", {RepoType::model, "org/name"}, "refs/pr/1", "a b/c.json"),
            "https://hf.co/org/name/resolve/refs%2Fpr%2F1/a%20b/c.json");
  EXPECT_EQ(resolve_url("https://hf.co", {RepoType::dataset, "org/data"}, "main", "x.csv"),
            "https://hf.co/datasets/org/data/resolve/main/x.csv");
  EXPECT_EQ(repo_page_url("https://hf.co", {RepoType::space, "org/app"}),
            "https://hf.co/spaces/org/app");
}

TEST(RepoFiles, NextLinkFindsRelNext) {
  EXPECT_EQ(next_link("<https://hf.co/api/x?cursor=abc>; rel=\"next\""),
            "https://hf.co/api/x?cursor=abc");
  EXPECT_EQ(next_link("<https://a/prev>; rel=\"prev\", <https://a/next>; rel=\"next\""),
            "https://a/next");
  EXPECT_EQ(next_link("<https://a/prev>; rel=\"prev\""), "");
  EXPECT_EQ(next_link(""), "");
}

TEST(RepoFiles, UnsafePathsAreRejected) {
  EXPECT_TRUE(is_safe_repo_path("config.json"));
  EXPECT_TRUE(is_safe_repo_path("unet/a.b/c.json"));
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a\\b", "a/"}) {
    EXPECT_FALSE(is_safe_repo_path(bad)) << bad;
  }
}

TEST(RepoFiles, CommitHashIsFortyLowerHex) {
  EXPECT_TRUE(is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(is_commit_hash("main"));
  EXPECT_FALSE(is_commit_hash("0123456789ABCDEF0123456789abcdef01234567"));
}

TEST(RepoFiles, TreeFileEtagPrefersLfs) {
  TreeFile regular{"config.json", 10, "sha1sha1", std::nullopt, std::nullopt};
  EXPECT_EQ(regular.etag(), "sha1sha1");
  EXPECT_EQ(regular.content_size(), 10u);
  TreeFile lfs{"model.bin", 134, "pointersha1", "sha256value", 1000};
  EXPECT_EQ(lfs.etag(), "sha256value");
  EXPECT_EQ(lfs.content_size(), 1000u);
}

} // namespace
} // namespace hfrun::hub
