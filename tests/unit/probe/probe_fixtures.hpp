// Test helpers for the probe layer: fixture loading and a small JSON-Schema-subset validator.
#pragma once

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

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

inline bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "object")
    return value.is_object();
  if (type == "array")
    return value.is_array();
  if (type == "string")
    return value.is_string();
  if (type == "boolean")
    return value.is_boolean();
  if (type == "integer")
    return value.is_number_integer();
  if (type == "number")
    return value.is_number();
  if (type == "null")
    return value.is_null();
  return false;
}

// Checks `value` against the subset of JSON Schema that tests/data/probe/report.schema.json uses:
// type (one or a list), enum, required, properties, items. Appends one message per violation.
inline void validate(const nlohmann::json& schema,
                     const nlohmann::json& value,
                     const std::string& at,
                     std::vector<std::string>& errors) {
  if (auto t = schema.find("type"); t != schema.end()) {
    bool ok = false;
    if (t->is_string()) {
      ok = has_type(value, t->get<std::string>());
    } else {
      for (const auto& one : *t) {
        ok = ok || has_type(value, one.get<std::string>());
      }
    }
    if (!ok) {
      errors.push_back(at + ": expected type " + t->dump() + ", got " + value.dump());
      return;
    }
  }
  if (auto e = schema.find("enum"); e != schema.end()) {
    bool found = false;
    for (const auto& allowed : *e) {
      found = found || allowed == value;
    }
    if (!found) {
      errors.push_back(at + ": " + value.dump() + " not in " + e->dump());
    }
  }
  if (auto r = schema.find("required"); r != schema.end() && value.is_object()) {
    for (const auto& key : *r) {
      if (!value.contains(key.get<std::string>())) {
        errors.push_back(at + ": missing key " + key.dump());
      }
    }
  }
  if (auto p = schema.find("properties"); p != schema.end() && value.is_object()) {
    for (const auto& [key, sub] : p->items()) {
      if (auto v = value.find(key); v != value.end()) {
        validate(sub, *v, at + "." + key, errors);
      }
    }
  }
  if (auto i = schema.find("items"); i != schema.end() && value.is_array()) {
    for (std::size_t n = 0; n < value.size(); ++n) {
      validate(*i, value[n], at + "[" + std::to_string(n) + "]", errors);
    }
  }
}

} // namespace hfrun::probe::testing
