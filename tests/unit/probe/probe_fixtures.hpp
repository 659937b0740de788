// Test helpers for the probe layer: fixture loading. The report's schema is
// docs/schemas/probe.schema.json, checked with tests/support/json_schema.hpp.
#pragma once

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace hfrun::probe::testing {

inline std::string probe_data_path(const std::string& relative) {
  return std::string(HFRUN_TEST_DATA_DIR) + "/probe/" + relative;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Parses a file under tests/data/probe/; a discarded value when it is missing or malformed.
inline nlohmann::json load_json(const std::string& relative) {
  return nlohmann::json::parse(read_text(probe_data_path(relative)), nullptr, false);
}

// The recorded `/api/spaces/{id}/runtime` bodies, keyed by Space id.
inline std::map<std::string, nlohmann::json> load_runtimes() {
  std::map<std::string, nlohmann::json> out;
  nlohmann::json all = load_json("space-runtimes.json");
  if (all.is_object()) {
    for (const auto& [id, body] : all.items()) {
      out.emplace(id, body);
    }
  }
  return out;
}

} // namespace hfrun::probe::testing
