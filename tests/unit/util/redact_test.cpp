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
  // A token with '_' or '-' after its first 8 characters goes whole, not just its head.
  EXPECT_EQ(redact("token hf_abcdefgh_ijkl-mnop rejected"), "token hf_*** rejected");
  EXPECT_EQ(redact("see hf_hub_download"), "see hf_hub_download"); // not a token
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
  EXPECT_EQ(redact_header("X-Auth-Token", "abcdef123"), "***");
  EXPECT_EQ(redact_header("X-Client-Secret", "abcdef123"), "***");
  EXPECT_EQ(redact_header("X-Amz-Security-Token", "abcdef123"), "***");
  EXPECT_EQ(redact_header("WWW-Authenticate", "Bearer realm=\"hf\""), "Bearer realm=\"hf\"");
}

TEST(Redact, CredentialHeaderNames) {
  EXPECT_TRUE(is_credential_header("Authorization"));
  EXPECT_TRUE(is_credential_header("x-api-key"));
  EXPECT_TRUE(is_credential_header("Cookie"));
  EXPECT_TRUE(is_credential_header("X-Provider-Token"));
  EXPECT_FALSE(is_credential_header("Content-Type"));
  EXPECT_FALSE(is_credential_header("X-HF-Bill-To"));
  EXPECT_FALSE(is_credential_header("WWW-Authenticate"));
}

TEST(Redactor, MasksTheActualSecretWhateverItsShape) {
  Redactor r;
  r.add_secret("api_org_abcdefghijklmnop"); // an org token: no hf_ shape
  r.add_secret("hf_abc_def_ghi");           // hf_ with underscores: the shape rule would miss it
  EXPECT_EQ(r.apply("bad token api_org_abcdefghijklmnop."), "bad token ***.");
  EXPECT_EQ(r.apply("token hf_abc_def_ghi is invalid"), "token *** is invalid");
  EXPECT_EQ(r.apply("other hf_zzzzzzzzzz"), "other hf_***"); // shapes still apply
}

TEST(Redactor, CredentialHeadersAddTheirValueAndTheBareCredential) {
  Redactor r;
  r.add_header("Authorization", "Bearer sk-provider-1234");
  r.add_header("X-Api-Key", " key-5678-abcd ");
  r.add_header("Accept", "application/json");
  EXPECT_EQ(r.apply("got 'Bearer sk-provider-1234'"), "got '***'");
  EXPECT_EQ(r.apply("key sk-provider-1234 unknown"), "key *** unknown");
  EXPECT_EQ(r.apply("key-5678-abcd"), "***");
  EXPECT_EQ(r.apply("application/json"), "application/json");
}

TEST(Redactor, IgnoresEmptyAndTinySecrets) {
  Redactor r;
  r.add_secret("");
  r.add_secret("a");
  EXPECT_FALSE(r.has_secrets());
  EXPECT_EQ(r.apply("a cat"), "a cat");
}

} // namespace
} // namespace hfrun::util
