#include <algorithm>
#include <array>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::util {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_token_tail_char(char c) {
  return is_alnum(c) || c == '_' || c == '-';
}

bool is_scheme_char(char c) {
  return is_alnum(c) || c == '+' || c == '-' || c == '.';
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// hf_ followed by 8+ alphanumerics, not glued to a preceding word ("xhf_..." is no token). What is
// glued after those (letters, digits, '_', '-') goes too: a token's tail must not be left behind.
std::string mask_hf_tokens(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "hf_") == 0 && (i == 0 || !is_alnum(text[i - 1]))) {
      std::size_t end = i + 3;
      while (end < text.size() && is_alnum(text[end])) {
        ++end;
      }
      if (end - i - 3 >= 8) {
        while (end < text.size() && is_token_tail_char(text[end])) {
          ++end;
        }
        out += "hf_***";
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// scheme://user:password@host -> scheme://***@host. Only the authority part is examined, so an
// '@' later in a path or query is left alone.
std::string mask_url_credentials(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3)) {
    if (at == 0 || !is_scheme_char(text[at - 1])) {
      continue;
    }
    const std::size_t start = at + 3;
    std::size_t end = start;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           text[end] != ' ' && text[end] != '"' && text[end] != '\'' && text[end] != '\n') {
      ++end;
    }
    const std::size_t userinfo_end = text.rfind('@', end == 0 ? 0 : end - 1);
    if (userinfo_end == std::string::npos || userinfo_end < start || userinfo_end >= end) {
      continue;
    }
    out.append(text, copied, start - copied);
    out += "***";
    copied = userinfo_end;
  }
  out.append(text, copied);
  return out;
}

} // namespace

std::string redact(std::string_view text, std::string_view token) {
  std::string out(text);
  if (token.size() >= 4) {
    replace_all(out, token, "$HF_TOKEN");
  }
  return mask_url_credentials(mask_hf_tokens(out));
}

bool is_credential_header(std::string_view name) {
  static constexpr std::array<std::string_view, 5> k_parts{"auth", "key", "token", "secret",
                                                           "cookie"};
  const std::string lower_name = to_lower(trim(name));
  if (lower_name == "www-authenticate" || lower_name == "proxy-authenticate") {
    return false;
  }
  return std::any_of(k_parts.begin(), k_parts.end(), [&](std::string_view part) {
    return lower_name.find(part) != std::string::npos;
  });
}

std::string redact_header(std::string_view name, std::string_view value) {
  if (!is_credential_header(name)) {
    return redact(value);
  }
  const std::string lower_name = to_lower(trim(name));
  if (lower_name == "authorization" || lower_name == "proxy-authorization") {
    const std::string_view v = trim(value);
    const std::size_t space = v.find(' ');
    if (space != std::string_view::npos) {
      const std::string_view credential = trim(v.substr(space + 1));
      return std::string(v.substr(0, space + 1)) +
             (credential.starts_with("hf_") ? "hf_***" : "***");
    }
  }
  return "***";
}

void Redactor::add_secret(std::string_view secret) {
  const std::string_view cleaned = trim(secret);
  if (cleaned.size() < 4 ||
      std::find(m_secrets.begin(), m_secrets.end(), cleaned) != m_secrets.end()) {
    return;
  }
  m_secrets.emplace_back(cleaned);
  std::stable_sort(m_secrets.begin(), m_secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::add_header(std::string_view name, std::string_view value) {
  if (!is_credential_header(name)) {
    return;
  }
  const std::string_view v = trim(value);
  add_secret(v);
  if (const std::size_t space = v.rfind(' '); space != std::string_view::npos) {
    add_secret(v.substr(space + 1));
  }
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : m_secrets) {
    replace_all(out, secret, "***");
  }
  return redact(out);
}

} // namespace hfrun::util
