#include "params.hpp"

#include <unistd.h>

namespace hfrun::cli {

TempFile::~TempFile() {
  if (!m_path.empty()) {
    std::error_code ignored;
    std::filesystem::remove(m_path, ignored);
  }
}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    TempFile discard(std::move(*this));
    m_path = std::move(other.m_path);
    other.m_path.clear();
  }
  return *this;
}

Result<TempFile> spool_to_temp(std::FILE* in) {
  std::string pattern = (std::filesystem::temp_directory_path() / "hfrun-stdin-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    return fail(ErrorKind::usage, "cannot create a temporary file for stdin");
  }
  TempFile file{std::filesystem::path(pattern)};
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) {
    std::size_t written = 0;
    while (written < n) {
      const ssize_t w = ::write(fd, buffer + written, n - written);
      if (w <= 0) {
        ::close(fd);
        return fail(ErrorKind::usage, "cannot spool stdin to " + pattern);
      }
      written += static_cast<std::size_t>(w);
    }
  }
  ::close(fd);
  return file;
}

std::string read_all(std::FILE* in) {
  std::string text;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) {
    text.append(buffer, n);
  }
  return text;
}

} // namespace hfrun::cli
