// The exit-code table of docs/exit-codes.md, frozen: scripts branch on these numbers.
#include <gtest/gtest.h>
#include <hfrun/error.hpp>

namespace hfrun {
namespace {

TEST(ExitCodes, EveryKindHasItsDocumentedCodeAndName) {
  struct Row {
    ErrorKind kind;
    int code;
    const char* name;
  };
  const Row rows[] = {
      {ErrorKind::internal, 1, "internal"},
      {ErrorKind::usage, 2, "usage"},
      {ErrorKind::auth, 3, "auth"},
      {ErrorKind::not_found, 4, "not_found"},
      {ErrorKind::rate_limited, 5, "rate_limited"},
      {ErrorKind::rejected, 6, "rejected"},
      {ErrorKind::unavailable, 7, "unavailable"},
      {ErrorKind::network, 8, "network"},
      {ErrorKind::bad_response, 9, "bad_response"},
      {ErrorKind::batch_failed, 10, "batch_failed"},
      {ErrorKind::output_failed, 11, "output_failed"},
      {ErrorKind::interrupted, 130, "interrupted"},
      {ErrorKind::terminated, 143, "terminated"},
      {ErrorKind::stopped, 0, "stopped"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(exit_code_for(row.kind), row.code) << row.name;
    EXPECT_EQ(kind_name(row.kind), row.name);
  }
}

TEST(Describe, JoinsStatusServerMessageRequestIdAndHint) {
  Error e = make_error(ErrorKind::not_found, "model lookup", "check the name");
  e.http_status = 404;
  e.server_message = "Repository not found";
  e.request_id = "abc";
  EXPECT_EQ(describe(e), "model lookup: HTTP 404: Repository not found (request id: abc)\n"
                         "  hint: check the name");
}

} // namespace
} // namespace hfrun
