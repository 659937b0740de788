#include <gtest/gtest.h>
#include <hfrun/util/redact.hpp>

namespace hfrun::util {
namespace {

TEST(Redact, ReplacesTheKnownTokenWithTheVariableName) {
  EXPECT_EQ(redact("curl -H 'Authorization: Bearer hf_testtoken' url", "hf_testtoken"),
            "curl -H 'Authorization: Bearer $HF_TOKEN' url");
  EXPECT_EQ(redact("sk-providerkey and sk-providerkey", "sk-providerkey"),
            "$HF_TOKEN and $HF_TOKEN");
}

TEST(Redact, MasksOtherHfTokens) {
  EXPECT_EQ(redact("bad token hf_abcdEFGH1234 here"), "bad token hf_*** here");
  EXPECT_EQ(redact("hf_short"), "hf_short");             // 5 characters after hf_: not a token
  EXPECT_EQ(redact("xhf_abcdefghij"), "xhf_abcdefghij"); // part of another word
  EXPECT_EQ(redact("hf_abcdefgh,hf_ijklmnop"), "hf_***,hf_***");
}

TEST(Redact, IgnoresTooShortTokens) {
  EXPECT_EQ(redact("a cat", "a"), "a cat");
}

TEST(Redact, MasksUrlCredentialsOnly) {
  EXPECT_EQ(redact("proxy http://user:secret@proxy.local:3128/x"),
            "proxy http://***@proxy.local:3128/x");
  EXPECT_EQ(redact("https://host/path?email=a@b.c"), "https://host/path?email=a@b.c");
  EXPECT_EQ(redact("a https://u:p@h1/ and https://h2/"), "a https://***@h1/ and https://h2/");
}

TEST(Redact, HeaderKeepsTheSchemeAndMasksTheCredential) {
  EXPECT_EQ(redact_header("Authorization", "Bearer hf_testtoken"), "Bearer hf_***");
  EXPECT_EQ(redact_header("authorization", "Key provider-key"), "Key ***");
  EXPECT_EQ(redact_header("Proxy-Authorization", "Basic dXNlcjpwdw=="), "Basic ***");
  EXPECT_EQ(redact_header("Cookie", "session=abc"), "***");
  EXPECT_EQ(redact_header("X-Api-Key", "k"), "***");
  EXPECT_EQ(redact_header("Content-Type", "application/json"), "application/json");
  EXPECT_EQ(redact_header("Location", "https://u:p@h/"), "https://***@h/");
}

} // namespace
} // namespace hfrun::util
