// What reached each role, one JSON object per request, kept in memory (GET /_emulator/log) and
// appended to a JSON Lines file (--log). Secrets never enter it: Authorization becomes a presence
// marker and token-shaped values are masked; `token_in` names where a token arrived outside the
// credential headers (the URL, another header, the body), which a client must never do.
#pragma once

#include <fstream>
#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace emulator {

class RequestLog {
public:
  // `path` empty: memory only. `secrets` are masked wherever they appear in a logged value.
  RequestLog(const std::string& path, std::vector<std::string> secrets);

  [[nodiscard]] bool ok() const { return m_path.empty() || m_file.good(); }
  // Records one exchange on `role` ("hub", "router", "cdn").
  void record(std::string_view role, const httplib::Request& req, const httplib::Response& res);
  // The entries so far, optionally only those of one role, as JSON Lines.
  [[nodiscard]] std::string dump(std::string_view role) const;
  // Forgets the in-memory entries (the file keeps them).
  void clear();

  // The entry `record` would write (exposed for tests of the masking).
  [[nodiscard]] nlohmann::json
  entry(std::string_view role, const httplib::Request& req, const httplib::Response& res) const;
  [[nodiscard]] std::string mask(std::string value) const;
  // A known secret or a token-shaped value anywhere in `value`.
  [[nodiscard]] bool holds_secret(std::string_view value) const;

private:
  std::string m_path;
  std::vector<std::string> m_secrets;
  mutable std::mutex m_mutex;
  std::ofstream m_file;
  std::vector<nlohmann::json> m_entries;
};

} // namespace emulator
