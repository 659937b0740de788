#include "cli/hints.hpp"

#include <gtest/gtest.h>

namespace hfrun::cli {
namespace {

TEST(OptionHints, TimeoutsPointAtTheTimeoutOptions) {
  Error e = make_error(ErrorKind::unavailable, "timed out", "the time limit was reached");
  e.transport = TransportFailure::timeout;
  add_option_hints(e, "serverless");
  EXPECT_EQ(e.hint, "the time limit was reached; raise --timeout or --connect-timeout");
}

TEST(OptionHints, BadCredentialsPointAtTokenAndWhoami) {
  Error e = make_error(ErrorKind::auth, "checking the token", "check the token");
  e.http_status = 401;
  add_option_hints(e, "whoami");
  EXPECT_NE(e.hint.find("--token"), std::string::npos);
  add_option_hints(e, "whoami");
  EXPECT_EQ(e.hint.find("--token"), e.hint.rfind("--token")) << "added once: " << e.hint;
}

TEST(OptionHints, BillingAndRateLimits) {
  Error billing = make_error(ErrorKind::rate_limited, "x", "billing: add credits");
  billing.http_status = 402;
  add_option_hints(billing, "serverless");
  EXPECT_NE(billing.hint.find("--bill-to ORG"), std::string::npos);
  Error limited = make_error(ErrorKind::rate_limited, "x", "rate limit reached");
  limited.http_status = 429;
  add_option_hints(limited, "serverless");
  EXPECT_NE(limited.hint.find("--retries"), std::string::npos);
}

TEST(OptionHints, RejectedInputNamesTheCommandsHelp) {
  Error e = make_error(ErrorKind::rejected, "x", "check the input");
  e.http_status = 422;
  add_option_hints(e, "serverless");
  EXPECT_EQ(e.hint, "check the input; see `hfrun serverless --help`");
}

TEST(OptionHints, NotFoundGetsNothingAdded) {
  Error e = make_error(ErrorKind::not_found, "x", "check the name or URL");
  e.http_status = 404;
  add_option_hints(e, "serverless");
  EXPECT_EQ(e.hint, "check the name or URL");
}

} // namespace
} // namespace hfrun::cli
