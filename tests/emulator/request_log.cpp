#include "request_log.hpp"

#include "content.hpp"
#include "router_util.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>

namespace emulator {
namespace {

constexpr std::size_t k_max_entries = 200000;

// Headers httplib adds to every request for the handlers; not sent by the client.
bool synthetic_header(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

// A token-shaped run ("hf_" and 8 or more letters and digits), found without a regex so that a
// large request body costs one pass.
bool has_token_shape(std::string_view text) {
  for (auto pos = text.find("hf_"); pos != std::string_view::npos;
       pos = text.find("hf_", pos + 1)) {
    std::size_t run = 0;
    for (auto i = pos + 3;
         i < text.size() && std::isalnum(static_cast<unsigned char>(text[i])) != 0; ++i) {
      ++run;
    }
    if (run >= 8) {
      return true;
    }
  }
  return false;
}

} // namespace

RequestLog::RequestLog(const std::string& path, std::vector<std::string> secrets)
    : m_path(path), m_secrets(std::move(secrets)) {
  m_secrets.erase(std::remove(m_secrets.begin(), m_secrets.end(), std::string()), m_secrets.end());
  if (!m_path.empty()) {
    m_file.open(m_path, std::ios::app);
  }
}

std::string RequestLog::mask(std::string value) const {
  for (const auto& secret : m_secrets) {
    for (auto pos = value.find(secret); pos != std::string::npos; pos = value.find(secret, pos)) {
      value.replace(pos, secret.size(), "<token>");
    }
  }
  // Anything shaped like a Hugging Face token, known to the world or not.
  static const std::regex k_token_shape("hf_[A-Za-z0-9]{8,}");
  return std::regex_replace(value, k_token_shape, "<token>");
}

bool RequestLog::holds_secret(std::string_view value) const {
  return std::any_of(m_secrets.begin(), m_secrets.end(),
                     [&](const std::string& secret) {
                       return value.find(secret) != std::string_view::npos;
                     }) ||
         has_token_shape(value);
}

nlohmann::json RequestLog::entry(std::string_view role,
                                 const httplib::Request& req,
                                 const httplib::Response& res) const {
  nlohmann::json headers = nlohmann::json::object();
  // Where a token reached this server other than in the credential headers: hfrun must never put
  // one there (the secret scan of tests/e2e/secrets_scan.py fails on this field).
  nlohmann::json token_in = nlohmann::json::array();
  for (const auto& [name, value] : req.headers) {
    if (synthetic_header(name)) {
      continue;
    }
    const auto key = router::to_lower(name);
    if (key == "authorization" || key == "proxy-authorization" || key == "cookie") {
      headers[key] = "<present>";
    } else {
      headers[key] = mask(value);
      // X-HF-Authorization is the Space proxy's credential header (shared/protocols/spaces.md):
      // logged masked, as the Gradio tests read it, but a token there is where it belongs.
      if (key != "x-hf-authorization" && holds_secret(value)) {
        token_in.push_back("header " + key);
      }
    }
  }
  if (holds_secret(req.target)) {
    token_in.push_back("url");
  }
  if (holds_secret(req.body)) {
    token_in.push_back("body");
  }
  const auto q = req.target.find('?');
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return {{"ts_ms", ms},
          {"role", role},
          {"method", req.method},
          {"path", mask(q == std::string::npos ? req.target : req.target.substr(0, q))},
          {"query", mask(q == std::string::npos ? std::string() : req.target.substr(q + 1))},
          {"headers", headers},
          {"body_size", req.body.size()},
          {"body_sha256", sha256_hex(req.body)},
          {"status", res.status},
          {"request_id", res.get_header_value("x-request-id")},
          {"fault", res.get_header_value("X-Emulator-Fault-Applied")},
          {"token_in", token_in}};
}

void RequestLog::record(std::string_view role,
                        const httplib::Request& req,
                        const httplib::Response& res) {
  auto e = entry(role, req, res);
  std::lock_guard lock(m_mutex);
  if (m_file.is_open()) {
    m_file << e.dump() << '\n';
    m_file.flush();
  }
  if (m_entries.size() < k_max_entries) {
    m_entries.push_back(std::move(e));
  }
}

std::string RequestLog::dump(std::string_view role) const {
  std::lock_guard lock(m_mutex);
  std::string out;
  for (const auto& e : m_entries) {
    if (role.empty() || e["role"] == role) {
      out += e.dump();
      out += '\n';
    }
  }
  return out;
}

void RequestLog::clear() {
  std::lock_guard lock(m_mutex);
  m_entries.clear();
}

} // namespace emulator
