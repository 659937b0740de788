// Which limits a request runs under (include/hfrun/http/message.hpp, effective_timeouts): the
// user's --timeout caps every request, also those that bring their own limits (a Space's event
// stream, an upload), as docs/configuration.md promises.
#include <gtest/gtest.h>
#include <hfrun/http/message.hpp>

namespace hfrun::http {
namespace {

using std::chrono::milliseconds;

TEST(EffectiveTimeouts, ARequestWithoutItsOwnGetsTheTransports) {
  const Timeouts transport{milliseconds(2000), milliseconds(5000), milliseconds(7000)};
  const auto t = effective_timeouts(std::nullopt, transport);
  EXPECT_EQ(t.connect, milliseconds(2000));
  EXPECT_EQ(t.total, milliseconds(5000));
  EXPECT_EQ(t.stall, milliseconds(7000));
}

TEST(EffectiveTimeouts, TheUsersOverallLimitCapsARequestWithoutOne) {
  const Timeouts transport{milliseconds(10000), milliseconds(1000), milliseconds(30000)};
  const Timeouts stream{milliseconds(10000), milliseconds(0), milliseconds(60000)};
  const auto t = effective_timeouts(stream, transport);
  EXPECT_EQ(t.total, milliseconds(1000));
  EXPECT_EQ(t.stall, milliseconds(60000)) << "the request's own stall guard stays";
}

TEST(EffectiveTimeouts, AShorterRequestLimitStaysAndNoLimitMeansTheRequests) {
  const Timeouts quick{milliseconds(3000), milliseconds(5000), milliseconds(0)};
  EXPECT_EQ(effective_timeouts(quick, Timeouts{milliseconds(10000), milliseconds(9000), {}}).total,
            milliseconds(5000));
  EXPECT_EQ(effective_timeouts(quick, Timeouts{}).total, milliseconds(5000))
      << "without --timeout the request's own limit applies";
}

} // namespace
} // namespace hfrun::http
