// Masks secrets before anything reaches a log, an error message or a --dry-run line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hfrun::util {

// `text` with the user's own `token` replaced by "$HF_TOKEN" (so a printed command stays runnable
// with the variable set), any other Hugging Face token (hf_ + 8 or more letters/digits, with any
// letters, digits, '_' or '-' glued after them) by "hf_***", and URL credentials
// (scheme://user:password@) by "scheme://***@". A `token` shorter than 4 characters is not searched
// for: masking it would garble ordinary words.
[[nodiscard]] std::string redact(std::string_view text, std::string_view token = {});

// Whether header `name` carries a credential: its name contains "auth", "key", "token", "secret" or
// "cookie" (any case), e.g. Authorization, X-Api-Key, Cookie, X-Amz-Security-Token.
// WWW-Authenticate (a server's challenge, no secret) is not one.
[[nodiscard]] bool is_credential_header(std::string_view name);

// The value to show for header `name`: a credential header's value is masked, keeping the scheme of
// Authorization and Proxy-Authorization ("Bearer hf_***", "Basic ***"); any other value goes
// through redact().
[[nodiscard]] std::string redact_header(std::string_view name, std::string_view value);

// Masks the actual secret values this run knows (the token, credential -H values), whatever their
// shape, by "***"; then applies redact() for the shapes (other hf_ tokens, URL credentials).
class Redactor {
public:
  // Surrounding whitespace is stripped (a header value as sent). Secrets shorter than 4 characters
  // are ignored, as redact() ignores such a token: masking them would garble ordinary words.
  void add_secret(std::string_view secret);
  // A -H header: its value when is_credential_header(name), and for "Scheme credential" values
  // (Authorization: Bearer X) the credential alone too, as a server may echo just that.
  void add_header(std::string_view name, std::string_view value);
  [[nodiscard]] std::string apply(std::string_view text) const;
  [[nodiscard]] bool has_secrets() const { return !m_secrets.empty(); }

private:
  std::vector<std::string> m_secrets; // longest first, so a secret containing another goes whole
};

} // namespace hfrun::util
