#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <hfrun/util/fd.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::util {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset(other.release());
  }
  return *this;
}

int UniqueFd::release() {
  const int fd = m_fd;
  m_fd = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
  m_fd = fd;
}

namespace {

unexpected<Error> unreadable(const std::filesystem::path& path, const char* reason) {
  return fail(ErrorKind::usage, "cannot read input file '" + path.string() + "': " + reason,
              "check the path and its permissions");
}

} // namespace

Result<UniqueFd> open_for_reading(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return unreadable(path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return unreadable(path, "it is a directory");
  }
  return fd;
}

Result<std::size_t>
read_some(int fd, char* buffer, std::size_t capacity, const std::filesystem::path& path) {
  while (true) {
    const ssize_t n = ::read(fd, buffer, capacity);
    if (n >= 0) {
      return static_cast<std::size_t>(n);
    }
    if (errno != EINTR) {
      return unreadable(path, std::strerror(errno));
    }
  }
}

} // namespace hfrun::util
