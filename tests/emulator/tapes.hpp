// The recorded exchanges of huggingface.js (tests/data/recordings/hfjs-tapes.tar.gz) that were sent
// to https://router.huggingface.co, indexed by method and path; a request whose body equals a
// tape's (as JSON when both parse, else byte for byte) is answered with the recorded status,
// content type and body.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emulator::router {

struct Tape {
  std::string request_body;
  int status = 200;
  std::string content_type;
  std::string body; // decoded when recorded as a data: URL
};

class TapeStore {
public:
  // Indexes the tapes of `text` (JSON); text that is not a JSON object leaves the store empty.
  void load(std::string_view text);
  // The first recorded answer for this request, if any.
  [[nodiscard]] const Tape*
  match(std::string_view method, std::string_view path, std::string_view body) const;
  [[nodiscard]] std::size_t size() const { return m_count; }

private:
  std::map<std::pair<std::string, std::string>, std::vector<Tape>> m_tapes;
  std::size_t m_count = 0;
};

} // namespace emulator::router
