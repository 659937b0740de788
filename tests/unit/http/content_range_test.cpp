#include <gtest/gtest.h>
#include <hfrun/http/content_range.hpp>

namespace hfrun::http {
namespace {

TEST(ContentRange, ReadsFirstLastAndTotal) {
  const auto range = parse_content_range("bytes 8388608-16777215/1073741824");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 8388608u);
  EXPECT_EQ(range->last, 16777215u);
  EXPECT_EQ(range->total, 1073741824u);
}

TEST(ContentRange, RefusesWhatADownloadCannotUse) {
  for (const char* bad :
       {"", "bytes */100", "bytes 0-9/*", "bytes 10-9/100", "bytes 0-100/100", "items 0-9/100",
        "bytes -1-9/100", "bytes 0-9/18446744073709551616", "bytes 0-9 /100", "bytes0-9/100"}) {
    EXPECT_FALSE(parse_content_range(bad)) << bad;
  }
}

TEST(ContentRange, RangeHeaderIsInclusive) {
  EXPECT_EQ(range_header(0, 8388607), "bytes=0-8388607");
}

} // namespace
} // namespace hfrun::http
