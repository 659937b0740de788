// The ranged writer of large blobs (docs/download.md, "Parallel byte ranges" and "Resume"): parts
// in any order, the hash over the whole file, a journal that lets a later run resume, and resumed
// bytes that are verified like the rest.
#include "unit/cache/cache_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/cache/ranged_blob.hpp>
#include <hfrun/util/sha256.hpp>
#include <unistd.h>

namespace hfrun::cache {
namespace {

using testing::read_all;

fs::path temp_dir() {
  return testing::temp_dir("ranged");
}

constexpr std::uint64_t k_mib = 1u << 20;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// 3 MiB + 5 bytes in parts of 1 MiB: four parts, the last one 5 bytes.
std::string content() {
  std::string bytes(3 * k_mib + 5, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  }
  return bytes;
}

const hub::RepoRef k_model{hub::RepoType::model, "org/name"};

http::Headers content_range(std::uint64_t first, std::uint64_t last, std::uint64_t total) {
  http::Headers headers;
  headers.set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                   std::to_string(total));
  return headers;
}

// One part's 206 through its sink, in two writes.
Result<void> send_part(RangedBlob& blob, std::size_t part, const std::string& bytes) {
  const auto [first, last] = blob.part_bounds(part);
  http::Sink& sink = blob.part_sink(part, false);
  HFRUN_TRY(sink.begin(206, content_range(first, last, bytes.size())));
  const std::string_view slice = std::string_view(bytes).substr(first, last - first + 1);
  HFRUN_TRY(sink.write(slice.substr(0, slice.size() / 2)));
  HFRUN_TRY(sink.write(slice.substr(slice.size() / 2)));
  return sink.finish(true);
}

struct Fixture {
  fs::path dir = temp_dir();
  RepoCache repo{dir, k_model};
  std::string bytes = content();
  std::string etag = util::sha256_hex(bytes);
  [[nodiscard]] fs::path blobs() const { return repo.blob_path(etag).parent_path(); }
  [[nodiscard]] Result<std::unique_ptr<RangedBlob>> open(bool resume) const {
    return RangedBlob::open(repo, etag, bytes.size(), k_mib, resume);
  }
};

TEST(PartSize, AboutSixtyFourPartsBetweenEightAndSixtyFourMiB) {
  EXPECT_EQ(part_size_for(1024 * k_mib), 16 * k_mib);
  EXPECT_EQ(part_size_for(20 * k_mib), 8 * k_mib);
  EXPECT_EQ(part_size_for(3072 * k_mib), 48 * k_mib);
  EXPECT_EQ(part_size_for(100 * 1024 * k_mib), 64 * k_mib);
}

TEST(RangedBlob, PartsInAnyOrderLandAsOneVerifiedBlob) {
  Fixture f;
  auto blob = f.open(false);
  ASSERT_TRUE(blob) << blob.error().message;
  ASSERT_EQ((*blob)->part_count(), 4u);
  for (const std::size_t part : {2u, 0u, 3u, 1u}) {
    ASSERT_TRUE(send_part(**blob, part, f.bytes));
  }
  ASSERT_TRUE((*blob)->complete());
  ASSERT_TRUE((*blob)->commit());
  EXPECT_EQ(read_all(f.repo.blob_path(f.etag)), f.bytes);
  EXPECT_EQ(names_in(f.blobs()), std::vector<std::string>{f.etag}); // no partial, no journal
}

TEST(RangedBlob, AWrongByteIsBadResponseAndNothingLands) {
  Fixture f;
  auto blob = f.open(false);
  ASSERT_TRUE(blob);
  std::string corrupted = f.bytes;
  corrupted[2 * k_mib + 17] ^= 0x01;
  for (std::size_t part = 0; part < 4; ++part) {
    ASSERT_TRUE(send_part(**blob, part, corrupted));
  }
  auto committed = (*blob)->commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, ErrorKind::bad_response);
  EXPECT_TRUE(names_in(f.blobs()).empty());
}

TEST(RangedBlob, AnotherRangeOrFileSizeIsRefused) {
  Fixture f;
  auto blob = f.open(false);
  ASSERT_TRUE(blob);
  http::Sink& sink = (*blob)->part_sink(1, false);
  EXPECT_FALSE(sink.begin(206, content_range(0, k_mib - 1, f.bytes.size())));
  EXPECT_FALSE(sink.begin(206, content_range(k_mib, 2 * k_mib - 1, f.bytes.size() + 1)));
  auto whole = sink.begin(200, {});
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().kind, ErrorKind::bad_response);
}

TEST(RangedBlob, AServerIgnoringRangeGivesTheWholeFileInOneStream) {
  Fixture f;
  auto blob = f.open(false);
  ASSERT_TRUE(blob);
  http::Sink& sink = (*blob)->part_sink(0, true);
  ASSERT_TRUE(sink.begin(200, {}));
  ASSERT_TRUE(sink.write(std::string_view(f.bytes).substr(0, 1000)));
  ASSERT_TRUE(sink.write(std::string_view(f.bytes).substr(1000)));
  ASSERT_TRUE(sink.finish(true));
  EXPECT_TRUE((*blob)->whole_stream());
  ASSERT_TRUE((*blob)->complete());
  ASSERT_TRUE((*blob)->commit());
  EXPECT_EQ(read_all(f.repo.blob_path(f.etag)), f.bytes);
}

TEST(RangedBlob, AResentPartSkipsWhatTheFirstAttemptWrote) {
  Fixture f;
  auto blob = f.open(false);
  ASSERT_TRUE(blob);
  http::Sink& sink = (*blob)->part_sink(0, false);
  const std::string_view part = std::string_view(f.bytes).substr(0, k_mib);
  ASSERT_TRUE(sink.begin(206, content_range(0, k_mib - 1, f.bytes.size())));
  ASSERT_TRUE(sink.write(part.substr(0, 1000)));
  ASSERT_TRUE(sink.finish(false)); // the connection broke
  ASSERT_TRUE(sink.begin(206, content_range(0, k_mib - 1, f.bytes.size())));
  ASSERT_TRUE(sink.write(part));
  ASSERT_TRUE(sink.finish(true));
  for (std::size_t i = 1; i < 4; ++i) {
    ASSERT_TRUE(send_part(**blob, i, f.bytes));
  }
  ASSERT_TRUE((*blob)->commit());
  EXPECT_EQ(read_all(f.repo.blob_path(f.etag)), f.bytes);
}

TEST(RangedBlob, ALaterRunResumesTheFinishedPartsAndVerifiesThem) {
  Fixture f;
  {
    auto first = f.open(true);
    ASSERT_TRUE(first);
    ASSERT_TRUE(send_part(**first, 0, f.bytes));
    ASSERT_TRUE(send_part(**first, 2, f.bytes));
    // Part 1 half done when the run ends: not listed, so fetched again.
    http::Sink& sink = (*first)->part_sink(1, false);
    ASSERT_TRUE(sink.begin(206, content_range(k_mib, 2 * k_mib - 1, f.bytes.size())));
    ASSERT_TRUE(sink.write(std::string_view(f.bytes).substr(k_mib, 100)));
  }
  EXPECT_EQ(names_in(f.blobs()).size(), 2u); // the partial file and its journal stay
  auto second = f.open(true);
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)->resumed_bytes(), 2 * k_mib);
  EXPECT_TRUE((*second)->part_done(0));
  EXPECT_FALSE((*second)->part_done(1));
  EXPECT_TRUE((*second)->part_done(2));
  EXPECT_EQ((*second)->first_missing(), 1u);
  ASSERT_TRUE(send_part(**second, 1, f.bytes));
  ASSERT_TRUE(send_part(**second, 3, f.bytes));
  ASSERT_TRUE((*second)->commit());
  EXPECT_EQ(read_all(f.repo.blob_path(f.etag)), f.bytes);
  EXPECT_EQ(names_in(f.blobs()), std::vector<std::string>{f.etag});
}

TEST(RangedBlob, ACorruptResumedPartIsCaughtAndThrownAway) {
  Fixture f;
  fs::path partial;
  {
    auto first = f.open(true);
    ASSERT_TRUE(first);
    ASSERT_TRUE(send_part(**first, 0, f.bytes));
    partial = (*first)->partial_path();
  }
  {
    std::fstream file(partial, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(10);
    file.put('\x7f'); // a bit rotted on disk between the runs
  }
  auto second = f.open(true);
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)->resumed_bytes(), k_mib);
  for (std::size_t part = 1; part < 4; ++part) {
    ASSERT_TRUE(send_part(**second, part, f.bytes));
  }
  auto committed = (*second)->commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, ErrorKind::bad_response);
  EXPECT_TRUE(names_in(f.blobs()).empty());
}

TEST(RangedBlob, ATornJournalLineAndAnotherSizeAreNotTrusted) {
  Fixture f;
  fs::path journal;
  {
    auto first = f.open(true);
    ASSERT_TRUE(first);
    ASSERT_TRUE(send_part(**first, 0, f.bytes));
    journal = (*first)->partial_path().string();
    journal.replace_extension(".parts.incomplete");
  }
  ASSERT_TRUE(fs::exists(journal));
  {
    std::ofstream append(journal, std::ios::app | std::ios::binary);
    append << "2"; // killed before the newline: part 2 is not done
  }
  auto resumed = f.open(true);
  ASSERT_TRUE(resumed);
  EXPECT_TRUE((*resumed)->part_done(0));
  EXPECT_FALSE((*resumed)->part_done(2));
  resumed->reset();
  // A blob of another size never adopts that file.
  auto other = RangedBlob::open(f.repo, f.etag, f.bytes.size() + 1, k_mib, true);
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)->resumed_bytes(), 0u);
}

TEST(RangedBlob, NothingIsKeptWhenNoPartFinished) {
  Fixture f;
  {
    auto blob = f.open(true);
    ASSERT_TRUE(blob);
  }
  EXPECT_TRUE(names_in(f.blobs()).empty());
}

} // namespace
} // namespace hfrun::cache
