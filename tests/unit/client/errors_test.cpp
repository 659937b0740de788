// Hugging Face's meaning of an error status, on top of the transport's (http/server_error).
#include "unit/http/reply.hpp"

#include <gtest/gtest.h>
#include <hfrun/client/errors.hpp>

namespace hfrun::client {
namespace {

using http::Response;

using http::reply;
TEST(HubErrors, GatedRepoAndForbiddenPointAtTheModelTerms) {
  Response gated = reply(403, "");
  gated.headers.add("X-Error-Code", "GatedRepo");
  const Error e = error_from_response(gated, "fetching model info");
  EXPECT_EQ(e.kind, ErrorKind::auth);
  EXPECT_NE(e.hint.find("accept its conditions"), std::string::npos);
  const Error forbidden = error_from_response(reply(403, ""), "x");
  EXPECT_NE(forbidden.hint.find("accept its terms"), std::string::npos);
}

TEST(HubErrors, RepoNotFoundOn401SaysItMayBePrivate) {
  Response r = reply(401, R"({"error":"Repository not found"})");
  r.headers.add("X-Error-Code", "RepoNotFound");
  const Error e = error_from_response(r, "fetching model info");
  EXPECT_EQ(e.kind, ErrorKind::auth);
  EXPECT_EQ(e.hint,
            "the repository does not exist, or it is private/gated and needs a token with access");
  r.headers.add("X-Error-Message", "Invalid credentials in Authorization header");
  EXPECT_NE(error_from_response(r, "x").hint.find("HF_TOKEN"), std::string::npos);
}

TEST(HubErrors, KindSpecificHints) {
  EXPECT_NE(error_from_response(reply(410, ""), "x").hint.find("router.huggingface.co"),
            std::string::npos);
  EXPECT_NE(error_from_response(reply(402, ""), "x").hint.find("billing"), std::string::npos);
  EXPECT_NE(error_from_response(reply(413, ""), "x").hint.find("too large"), std::string::npos);
  Response limited = reply(429, "429 Client Error: Too Many Requests", "text/plain");
  limited.headers.add("Retry-After", "30");
  EXPECT_NE(error_from_response(limited, "x").hint.find("wait 30 s"), std::string::npos);
}

} // namespace
} // namespace hfrun::client
