#include <gtest/gtest.h>
#include <hfrun/util/sha1.hpp>

namespace hfrun::util {
namespace {

TEST(Sha1, GitBlobIdMatchesGit) {
  // `printf 'hello\n' | git hash-object --stdin`
  EXPECT_EQ(git_blob_sha1("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  // The empty blob every git repository knows.
  EXPECT_EQ(git_blob_sha1(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

TEST(Sha1, StreamingEqualsOneShot) {
  Sha1 hasher;
  hasher.update("ab");
  hasher.update("c");
  EXPECT_EQ(hasher.hex_digest(), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

} // namespace
} // namespace hfrun::util
