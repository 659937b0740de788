#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/sha256.hpp>

namespace hfrun::util {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, StreamingEqualsOneShotAndRestartsAfterDigest) {
  Sha256 hasher;
  hasher.update("a");
  hasher.update("bc");
  EXPECT_EQ(hasher.hex_digest(), sha256_hex("abc"));
  hasher.update("abc");
  EXPECT_EQ(hasher.hex_digest(), sha256_hex("abc"));
}

TEST(Sha256, HashesAFileLargerThanOneChunk) {
  const auto path = std::filesystem::temp_directory_path() / "hfrun_sha256_test.bin";
  std::string content(200'000, 'x');
  content[12345] = 'y';
  std::ofstream(path, std::ios::binary) << content;
  auto digest = sha256_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, sha256_hex(content));
}

TEST(Sha256, MissingFileIsAUsageErrorNamingIt) {
  auto digest = sha256_file("/nonexistent/hfrun/file.bin");
  ASSERT_FALSE(digest);
  EXPECT_EQ(digest.error().kind, ErrorKind::usage);
  EXPECT_NE(digest.error().message.find("/nonexistent/hfrun/file.bin"), std::string::npos);
}

} // namespace
} // namespace hfrun::util
