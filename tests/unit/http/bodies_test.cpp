#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/http/bodies.hpp>
#include <hfrun/util/base64.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>

namespace hfrun::http {
namespace {

namespace fs = std::filesystem;

// Reads a body to the end through a deliberately small buffer, as libcurl reads in pieces.
std::string drain(BodySource& body, std::size_t buffer_size = 7) {
  std::string out;
  std::vector<char> buffer(buffer_size);
  while (true) {
    auto n = body.read(buffer.data(), buffer.size());
    EXPECT_TRUE(n) << (n ? "" : n.error().message);
    if (!n || *n == 0) {
      return out;
    }
    out.append(buffer.data(), *n);
  }
}

class BodiesTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("hfrun_bodies_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path p = m_dir / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  static std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) {
      c = static_cast<char>(rng());
    }
    return s;
  }

  fs::path m_dir;
};

TEST_F(BodiesTest, StringBodyReadsRewindsAndDescribesItself) {
  auto body = string_body(R"({"inputs":"hi"})");
  EXPECT_EQ(body->size(), 15u);
  EXPECT_EQ(drain(*body, 4), R"({"inputs":"hi"})");
  ASSERT_TRUE(body->rewind());
  EXPECT_EQ(drain(*body), R"({"inputs":"hi"})");
  auto d = body->describe();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, BodyDescription::Kind::bytes);
  EXPECT_EQ(d->bytes, R"({"inputs":"hi"})");
}

TEST_F(BodiesTest, FileBodyStreamsTheFileByteForByte) {
  const std::string content = random_bytes(100'003, 1);
  const fs::path path = write("cat.png", content);
  auto body = file_body(path);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)->size(), content.size());
  EXPECT_EQ(drain(**body, 4096), content);
  ASSERT_TRUE((*body)->rewind());
  EXPECT_EQ(drain(**body, 777), content);
  EXPECT_EQ((*body)->describe()->kind, BodyDescription::Kind::file);
  EXPECT_EQ((*body)->describe()->path, path.string());
}

TEST_F(BodiesTest, UnreadableInputIsAUsageErrorNamingTheFile) {
  auto missing = file_body(m_dir / "missing.wav");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::usage);
  EXPECT_EQ(exit_code_for(missing.error().kind), 2);
  EXPECT_NE(missing.error().message.find("missing.wav"), std::string::npos);

  auto directory = base64_json_body("{", m_dir, "}");
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().kind, ErrorKind::usage);
  EXPECT_NE(directory.error().message.find("directory"), std::string::npos);
}

TEST_F(BodiesTest, FileThatShrinksDuringTheUploadIsAnError) {
  const fs::path path = write("grow.bin", std::string(1000, 'a'));
  auto body = file_body(path);
  ASSERT_TRUE(body);
  fs::resize_file(path, 10);
  std::vector<char> buffer(4096);
  auto first = (*body)->read(buffer.data(), buffer.size());
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 10u);
  auto second = (*body)->read(buffer.data(), buffer.size());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("shrank"), std::string::npos);
}

TEST_F(BodiesTest, Base64JsonBodyEqualsOneShotEncodingForSmallSizes) {
  const std::string prefix = R"({"inputs":")";
  const std::string suffix = R"(","parameters":{"top_k":3}})";
  for (std::size_t n = 0; n <= 10; ++n) {
    const std::string content = random_bytes(n, static_cast<unsigned>(n));
    auto body = base64_json_body(prefix, write("in" + std::to_string(n), content), suffix);
    ASSERT_TRUE(body);
    const std::string expected = prefix + util::base64_encode(content) + suffix;
    EXPECT_EQ((*body)->size(), expected.size()) << n;
    for (std::size_t buffer : {1u, 2u, 7u, 64u}) {
      ASSERT_TRUE((*body)->rewind());
      EXPECT_EQ(drain(**body, buffer), expected) << "n=" << n << " buffer=" << buffer;
    }
  }
}

TEST_F(BodiesTest, Base64JsonBodyOfAMebibyteParsesAndDecodesToTheFile) {
  const std::string content = random_bytes(1 << 20, 42);
  const fs::path path = write("big.bin", content);
  auto body = base64_json_body(R"({"inputs":")", path, R"("})");
  ASSERT_TRUE(body);
  const std::string sent = drain(**body, 7);
  EXPECT_EQ((*body)->size(), sent.size());
  EXPECT_EQ(sent.size(), 11 + util::base64_encoded_size(content.size()) + 2);
  const auto json = nlohmann::json::parse(sent, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  auto decoded = util::base64_decode(json["inputs"].get<std::string>());
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(*decoded == content);

  ASSERT_TRUE((*body)->rewind());
  EXPECT_TRUE(drain(**body, 65536) == sent);

  auto d = (*body)->describe();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, BodyDescription::Kind::base64_json);
  EXPECT_EQ(d->path, path.string());
  EXPECT_EQ(d->prefix, R"({"inputs":")");
  EXPECT_EQ(d->suffix, R"("})");
}

TEST_F(BodiesTest, PipeHasNoSizeAndCannotBeResentAfterReading) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "abc", 3), 3);
  ::close(fds[1]);
  auto body = file_body("/proc/self/fd/" + std::to_string(fds[0]));
  ASSERT_TRUE(body);
  EXPECT_FALSE((*body)->size());
  EXPECT_EQ(drain(**body), "abc");
  auto rewound = (*body)->rewind();
  ASSERT_FALSE(rewound);
  EXPECT_EQ(rewound.error().kind, ErrorKind::usage);
  ::close(fds[0]);
}

} // namespace
} // namespace hfrun::http
