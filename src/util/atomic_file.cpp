#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <hfrun/util/atomic_file.hpp>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace hfrun::util {

namespace {

unexpected<Error> cannot_write(const std::filesystem::path& path, int err) {
  return fail(ErrorKind::usage, "cannot write '" + path.string() + "': " + std::strerror(err),
              "check that the directory exists and is writable, and that the disk has space");
}

// The process umask, read without the racy umask(0)/umask(old) dance (Linux >= 4.7 reports it).
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Umask:")) {
      return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    }
  }
  return 022;
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path target, std::filesystem::path temp, int fd)
    : m_target(std::move(target)), m_temp(std::move(temp)), m_fd(fd) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_target(std::move(other.m_target)), m_temp(std::move(other.m_temp)),
      m_fd(std::exchange(other.m_fd, -1)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    m_target = std::move(other.m_target);
    m_temp = std::move(other.m_temp);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

AtomicFile::~AtomicFile() {
  discard();
}

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target) {
  const std::filesystem::path name = target.filename();
  if (name.empty() || name == "." || name == "..") {
    return fail(ErrorKind::usage, "'" + target.string() + "' is not a file name",
                "give a path that ends with a file name");
  }
  std::filesystem::path dir = target.parent_path();
  std::string pattern =
      (dir.empty() ? std::filesystem::path(".") : dir) / ("." + name.string() + ".hfrun-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    return cannot_write(target, errno);
  }
  return AtomicFile(target, std::filesystem::path(buffer.data()), fd);
}

Result<void> AtomicFile::write(std::string_view bytes) {
  if (m_fd < 0) {
    return fail(ErrorKind::internal, "write to a closed AtomicFile");
  }
  while (!bytes.empty()) {
    const ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return cannot_write(m_target, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> AtomicFile::commit() {
  if (m_fd < 0) {
    return fail(ErrorKind::internal, "commit of a closed AtomicFile");
  }
  // mkstemp makes the file 0600; a result file should get the mode any other new file would get.
  struct stat existing {};
  const mode_t mode = ::stat(m_target.c_str(), &existing) == 0 ? (existing.st_mode & 07777)
                                                               : (0666 & ~current_umask());
  int err = 0;
  if (::fchmod(m_fd, mode) != 0 || ::fsync(m_fd) != 0) {
    err = errno;
  }
  if (::close(m_fd) != 0 && err == 0) {
    err = errno;
  }
  m_fd = -1;
  if (err == 0 && std::rename(m_temp.c_str(), m_target.c_str()) != 0) {
    err = errno;
  }
  if (err != 0) {
    ::unlink(m_temp.c_str());
    return cannot_write(m_target, err);
  }
  return {};
}

void AtomicFile::discard() {
  if (m_fd >= 0) {
    ::close(m_fd);
    ::unlink(m_temp.c_str());
    m_fd = -1;
  }
}

} // namespace hfrun::util
