// parse_whoami / render_whoami: the whoami-v2 reply as `hfrun whoami` shows it, including replies
// whose optional fields have another type than the Hub's usual one.
#include "cli/whoami.hpp"

#include <gtest/gtest.h>

namespace hfrun::cli {
namespace {

using nlohmann::json;

constexpr const char* k_reply = R"({"type":"user","name":"julien","fullname":"Julien C",
    "email":"j@example.com","orgs":[{"name":"huggingface","email":"x"},{"name":"acme"}],
    "auth":{"type":"access_token","accessToken":{"displayName":"laptop","role":"read"}}})";

TEST(Whoami, KeepsTheStableFieldsAndDropsPersonalOnes) {
  auto who = parse_whoami(k_reply, "HF_TOKEN");
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(*who, json::parse(R"({"name":"julien","fullname":"Julien C","type":"user",
      "orgs":["huggingface","acme"],"token":{"source":"HF_TOKEN","type":"access_token",
      "name":"laptop","role":"read"}})"));
  EXPECT_EQ(render_whoami(*who), "julien (Julien C)\n  orgs:  huggingface, acme\n"
                                 "  token: laptop (read), from HF_TOKEN");
}

TEST(Whoami, NullFullnameReadsAsNoFullname) {
  auto who = parse_whoami(R"({"name":"julien","fullname":null,"type":"user"})", "HF_TOKEN");
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ((*who)["fullname"], "");
  EXPECT_EQ(render_whoami(*who), "julien\n  token: from HF_TOKEN");
}

TEST(Whoami, WrongTypedOptionalFieldsTakeTheirDefaults) {
  auto who = parse_whoami(R"({"name":"acme-bot","fullname":3,"type":null,
      "orgs":[null,7,{"name":null},{"name":"acme"}],
      "auth":{"type":[],"accessToken":{"displayName":{},"role":false}}})",
                          "the token file");
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(*who, json::parse(R"({"name":"acme-bot","fullname":"","type":"user","orgs":["acme"],
      "token":{"source":"the token file","type":"","name":"","role":""}})"));
  EXPECT_EQ(render_whoami(*who), "acme-bot\n  orgs:  acme\n  token: from the token file");

  auto no_lists = parse_whoami(R"({"name":"a","orgs":{"name":"x"},"auth":"token"})", "HF_TOKEN");
  ASSERT_TRUE(no_lists);
  EXPECT_EQ((*no_lists)["orgs"], json::array());
  EXPECT_EQ((*no_lists)["token"], json::parse(R"({"source":"HF_TOKEN"})"));
}

TEST(Whoami, ReplyWithoutAStringNameIsABadResponse) {
  for (const char* body : {R"({"name":null,"fullname":"X"})", R"({"name":42})", R"({})",
                           R"([{"name":"a"}])", R"("julien")", "null", "not json", ""}) {
    SCOPED_TRACE(body);
    auto who = parse_whoami(body, "HF_TOKEN");
    ASSERT_FALSE(who);
    EXPECT_EQ(who.error().kind, ErrorKind::bad_response);
  }
}

TEST(Whoami, RenderToleratesADocumentOfAnotherShape) {
  EXPECT_EQ(render_whoami(json::parse(R"({"name":1,"orgs":"x","token":[]})")), "\n  token: from ");
  EXPECT_EQ(render_whoami(json()), "\n  token: from ");
}

} // namespace
} // namespace hfrun::cli
