// Test helpers for the task codec: shared fixtures and body materialisation.
#pragma once

#include <filesystem>
#include <fstream>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/util/base64.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace hfrun::tasks::test {
using util::base64_decode;
using util::base64_encode;

// Fixtures copied into tests/data (tests/data/README.md names each origin).
inline std::filesystem::path shared_dir() {
  return std::filesystem::path(HFRUN_TEST_DATA_DIR);
}
inline std::filesystem::path data_dir() {
  return std::filesystem::path(HFRUN_TEST_DATA_DIR) / "tasks";
}
inline std::filesystem::path tiny_png() {
  return shared_dir() / "peer-captures" / "tiny.png";
}
inline std::filesystem::path tiny_wav() {
  return shared_dir() / "peer-captures" / "tiny.wav";
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The bytes the transport would send for an encoded body (the file read whole: test inputs are
// tiny).
inline std::string materialize(const EncodedBody& body) {
  switch (body.kind) {
  case BodyKind::json:
    return body.json;
  case BodyKind::raw_file:
    return read_file(body.file);
  case BodyKind::base64_json:
    return body.prefix + base64_encode(read_file(body.file)) + body.suffix;
  }
  return {};
}

inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      out.push_back(nlohmann::json::parse(line));
    }
  }
  return out;
}

} // namespace hfrun::tasks::test
