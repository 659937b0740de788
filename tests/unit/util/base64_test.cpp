#include <gtest/gtest.h>
#include <hfrun/util/base64.hpp>
#include <random>

namespace hfrun::util {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodeInvertsEncodeForAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all += static_cast<char>(i);
  }
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string piece = all.substr(0, n);
    auto decoded = base64_decode(base64_encode(piece));
    ASSERT_TRUE(decoded) << n;
    EXPECT_EQ(*decoded, piece);
  }
}

TEST(Base64, DecodeSkipsWhitespace) {
  auto decoded = base64_decode("Zm9v\nYmFy\r\n");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, "foobar");
}

TEST(Base64, DecodeRejectsMalformedInput) {
  for (const char* bad : {"Zm9", "Zm9v!", "Z===", "Zg==Zg==", "Zm9vYg=", "====", "Zg=a"}) {
    auto decoded = base64_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().kind, ErrorKind::bad_response);
  }
}

TEST(Base64, StreamingEncoderMatchesOneShotForAnySplit) {
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (auto& c : data) {
    c = static_cast<char>(rng());
  }
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 100u, 1000u}) {
    const std::string input = data.substr(0, n);
    for (std::size_t piece : {1u, 2u, 3u, 4u, 7u, 64u}) {
      Base64Encoder encoder;
      std::string out;
      for (std::size_t at = 0; at < input.size(); at += piece) {
        encoder.feed(std::string_view(input).substr(at, piece), out);
      }
      encoder.finish(out);
      EXPECT_EQ(out, base64_encode(input)) << "n=" << n << " piece=" << piece;
      EXPECT_EQ(out.size(), base64_encoded_size(n));
    }
  }
}

TEST(Base64, EncoderIsReusableAfterFinish) {
  Base64Encoder encoder;
  std::string first;
  encoder.feed("fo", first);
  encoder.finish(first);
  std::string second;
  encoder.feed("foo", second);
  encoder.finish(second);
  EXPECT_EQ(first, "Zm8=");
  EXPECT_EQ(second, "Zm9v");
}

} // namespace
} // namespace hfrun::util
