// An owned POSIX file descriptor, and opening an input file with an error message a user can act
// on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <hfrun/error.hpp>

namespace hfrun::util {

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return m_fd; }
  [[nodiscard]] explicit operator bool() const { return m_fd >= 0; }
  int release();
  void reset(int fd = -1);

private:
  int m_fd = -1;
};

// Opens `path` read-only. ErrorKind::usage "cannot read input file 'PATH': REASON" when it is
// missing, unreadable or a directory.
[[nodiscard]] Result<UniqueFd> open_for_reading(const std::filesystem::path& path);

// read(2) that retries on EINTR; the byte count, 0 at the end, or ErrorKind::usage naming `path`.
[[nodiscard]] Result<std::size_t>
read_some(int fd, char* buffer, std::size_t capacity, const std::filesystem::path& path);

} // namespace hfrun::util
