// PRIVATE to the cli layer: httpie-style parameters and the run commands' inputs.
#pragma once

#include <cstdio>
#include <filesystem>
#include <hfrun/error.hpp>
#include <hfrun/tasks/task.hpp>
#include <hfrun/util/params.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cli {

// The parameters' parser lives below every layer (include/hfrun/util/params.hpp).
using util::is_param;
using util::parse_params;

// Owns a temporary file (stdin spooled to disk so an upload can be streamed and retried); removed
// on destruction.
class TempFile {
public:
  TempFile() = default;
  explicit TempFile(std::filesystem::path path) : m_path(std::move(path)) {}
  ~TempFile();
  TempFile(TempFile&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// Copy a stream (stdin) to a new temporary file.
[[nodiscard]] Result<TempFile> spool_to_temp(std::FILE* in);

// Read a whole stream as text.
[[nodiscard]] std::string read_all(std::FILE* in);

} // namespace hfrun::cli
