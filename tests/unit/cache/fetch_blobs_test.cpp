// How blobs are fetched (docs/download.md, "Parallel byte ranges"): a large file's first part from
// the Hub, the rest from the URL it redirected to, without the token, over the asked connections.
#include "cache/fetch_blobs.hpp"
#include "unit/cache/cache_test_support.hpp"
#include "unit/client/fake_client.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/sha256.hpp>
#include <unistd.h>

namespace hfrun::cache {
namespace {

using testing::read_all;

fs::path temp_dir() {
  return testing::temp_dir("fetch");
}

constexpr std::uint64_t k_mib = 1u << 20;
const std::string k_token = "hf_fetch_test_token_value";
const std::string k_resolve =
    "https://huggingface.co/org/name/resolve/0123456789abcdef0123456789abcdef01234567/big.bin";
const std::string k_cdn = "https://cas-bridge.xethub.hf.co/xet-bridge-us/abc?X-Amz-Signature=1";

// 17 MiB + 3 bytes: fetched in ranges, three parts of 8 MiB.
std::string big_content() {
  std::string bytes(17 * k_mib + 3, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>((i * 7 + i / 4096) & 0xff);
  }
  return bytes;
}

http::Response part_reply(const std::string& bytes,
                          std::uint64_t first,
                          std::uint64_t last,
                          const std::string& url) {
  http::Response r;
  r.status = 206;
  r.headers.set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                     "/" + std::to_string(bytes.size()));
  r.body = bytes.substr(first, last - first + 1);
  r.effective_url = url;
  return r;
}

struct Fixture {
  test::FakeClient client{k_token};
  fs::path dir = temp_dir();
  RepoCache repo{dir, hub::RepoRef{hub::RepoType::model, "org/name"}};
  std::string bytes = big_content();
  BlobJob job{util::sha256_hex(bytes), bytes.size(), "big.bin", k_resolve};
  FetchSettings settings() const {
    FetchSettings s;
    s.connections = 4;
    s.http_error = [](const http::Response& response, const BlobJob& j) {
      return make_error(ErrorKind::not_found, j.path + ": " + std::to_string(response.status));
    };
    return s;
  }
};

TEST(FetchBlobs, LargeFileGoesInRangesOnTheRedirectedUrlWithoutTheToken) {
  Fixture f;
  const std::uint64_t part = 8 * k_mib;
  f.client.fake->push(part_reply(f.bytes, 0, 0, k_cdn));
  f.client.fake->push(part_reply(f.bytes, 0, part - 1, k_cdn));
  f.client.fake->push(part_reply(f.bytes, part, 2 * part - 1, k_cdn));
  f.client.fake->push(part_reply(f.bytes, 2 * part, f.bytes.size() - 1, k_cdn));
  const FetchReport report = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_TRUE(report.failed.empty()) << report.failed.begin()->second.message;
  EXPECT_EQ(report.fetched, 1u);
  EXPECT_EQ(report.bytes, f.bytes.size());
  EXPECT_EQ(read_all(f.repo.blob_path(f.job.etag)), f.bytes);

  const auto& sent = f.client.fake->requests;
  ASSERT_EQ(sent.size(), 4u);
  // One byte from the Hub says where the file is and its size there...
  EXPECT_EQ(sent[0].url, k_resolve);
  EXPECT_EQ(sent[0].headers.get("Range"), "bytes=0-0");
  EXPECT_EQ(sent[0].headers.get("Authorization"), "Bearer " + k_token);
  // ...then every part from there, without the token.
  const std::vector<std::string> ranges{"bytes=0-8388607", "bytes=8388608-16777215",
                                        "bytes=16777216-17825794"};
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(sent[i].url, k_cdn);
    EXPECT_EQ(sent[i].headers.get("Range"), ranges[i - 1]);
    EXPECT_FALSE(sent[i].headers.has("Authorization"));
  }
  EXPECT_EQ(f.client.fake->last_max_in_flight, 4u);
}

TEST(FetchBlobs, AWholeAnswerToTheFirstRangeIsTheWholeFile) {
  Fixture f;
  http::Response whole;
  whole.status = 200;
  whole.body = f.bytes;
  whole.effective_url = k_cdn;
  f.client.fake->push(whole);
  const FetchReport report = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_TRUE(report.failed.empty());
  EXPECT_EQ(f.client.fake->requests.size(), 1u);
  EXPECT_EQ(read_all(f.repo.blob_path(f.job.etag)), f.bytes);
}

TEST(FetchBlobs, AFailedPartKeepsTheRestForTheNextRun) {
  Fixture f;
  const std::uint64_t part = 8 * k_mib;
  f.client.fake->push(part_reply(f.bytes, 0, 0, k_cdn));
  f.client.fake->push(part_reply(f.bytes, 0, part - 1, k_cdn));
  f.client.fake->push_status(503);
  f.client.fake->push(part_reply(f.bytes, 2 * part, f.bytes.size() - 1, k_cdn));
  const FetchReport report = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed.begin()->second.kind, ErrorKind::unavailable);
  EXPECT_FALSE(fs::exists(f.repo.blob_path(f.job.etag)));

  // The next run asks only for the part that failed, and the blob lands.
  f.client.fake->requests.clear();
  f.client.fake->push(part_reply(f.bytes, 0, 0, k_cdn));
  f.client.fake->push(part_reply(f.bytes, part, 2 * part - 1, k_cdn));
  const FetchReport second = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_TRUE(second.failed.empty());
  EXPECT_EQ(second.resumed, f.bytes.size() - part);
  ASSERT_EQ(f.client.fake->requests.size(), 2u);
  EXPECT_EQ(f.client.fake->requests[0].url, k_resolve); // the Hub again, for a fresh URL
  EXPECT_EQ(f.client.fake->requests[1].headers.get("Range"), "bytes=8388608-16777215");
  EXPECT_EQ(read_all(f.repo.blob_path(f.job.etag)), f.bytes);
}

TEST(FetchBlobs, AFileHostReportingAnotherSizeIsExitNine) {
  Fixture f;
  http::Response probe = part_reply(f.bytes, 0, 0, k_cdn);
  probe.headers.set("Content-Range", "bytes 0-0/" + std::to_string(f.bytes.size() - 1));
  f.client.fake->push(probe);
  const FetchReport report = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed.begin()->second.kind, ErrorKind::bad_response);
  EXPECT_EQ(f.client.fake->requests.size(), 1u);
  EXPECT_FALSE(fs::exists(f.repo.blob_path(f.job.etag)));
}

TEST(FetchBlobs, AHubErrorIsTheCallersError) {
  Fixture f;
  f.client.fake->push_status(404);
  const FetchReport report = fetch_blobs(*f.client.client, f.repo, {f.job}, f.settings());
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed.begin()->second.message, "big.bin: 404");
}

} // namespace
} // namespace hfrun::cache
