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

// The destination was fine but the bytes did not get there (ENOSPC, EIO, EPIPE): exit code 11.
unexpected<Error> write_failed(const std::filesystem::path& path, int err) {
  return fail(
      ErrorKind::output_failed, "writing '" + path.string() + "' failed: " + std::strerror(err),
      err == ENOSPC ? "the disk is full" : "the result was received but not written; run again");
}

unexpected<Error> bad_destination(const std::filesystem::path& path, const std::string& why) {
  return fail(ErrorKind::usage, "cannot write '" + path.string() + "': " + why,
              "give a file path (or - for stdout)");
}

// Whether `dir` lies under /proc, where the fd links of this process live.
bool under_proc(const std::filesystem::path& dir) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(dir.empty() ? "." : dir, ec);
  if (ec) {
    return false;
  }
  auto it = real.begin();
  return it != real.end() && ++it != real.end() && *it == "proc";
}

Result<void> write_fd(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return write_failed(path, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
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
      return write_failed(m_target, errno);
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
    return write_failed(m_target, err);
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

namespace hfrun::util {

Result<OutputTarget> resolve_output_target(const std::filesystem::path& path) {
  if (path.empty()) {
    return bad_destination(path, "an empty path");
  }
  std::filesystem::path current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        return OutputTarget{OutputTarget::Kind::replace,
                            current}; // new, or a dangling link's target
      }
      return cannot_write(current, errno);
    }
    if (S_ISLNK(st.st_mode)) {
      if (under_proc(current.parent_path())) {
        return OutputTarget{OutputTarget::Kind::direct, current}; // an open fd: write through it
      }
      std::error_code ec;
      std::filesystem::path next = std::filesystem::read_symlink(current, ec);
      if (ec) {
        return cannot_write(current, ec.value());
      }
      current = next.is_absolute() ? next : current.parent_path() / next;
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      return OutputTarget{OutputTarget::Kind::replace, current};
    }
    if (S_ISDIR(st.st_mode)) {
      return bad_destination(path, "it is a directory");
    }
    if (S_ISSOCK(st.st_mode)) {
      return bad_destination(path, "it is a socket");
    }
    return OutputTarget{OutputTarget::Kind::direct, current}; // character or block device, FIFO
  }
  return bad_destination(path, std::strerror(ELOOP));
}

Result<void> check_output_writable(const std::filesystem::path& path) {
  HFRUN_TRY_ASSIGN(target, resolve_output_target(path));
  if (target.kind == OutputTarget::Kind::direct) {
    struct stat st {};
    if (::stat(target.path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
      if (::access(target.path.c_str(), W_OK) != 0) {
        return cannot_write(path, errno);
      }
      return {};
    }
    const int fd = ::open(target.path.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      return cannot_write(path, errno);
    }
    ::close(fd);
    return {};
  }
  const std::filesystem::path dir =
      target.path.parent_path().empty() ? std::filesystem::path(".") : target.path.parent_path();
  struct stat dir_st {};
  if (::stat(dir.c_str(), &dir_st) != 0) {
    return fail(ErrorKind::usage,
                "cannot write '" + path.string() + "': the directory '" + dir.string() +
                    "' does not exist",
                "create the directory first, or give another path");
  }
  if (!S_ISDIR(dir_st.st_mode)) {
    return cannot_write(path, ENOTDIR);
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return cannot_write(path, errno);
  }
  if (::access(target.path.c_str(), F_OK) == 0 && ::access(target.path.c_str(), W_OK) != 0) {
    return cannot_write(path, errno); // a read-only file stays protected, as with curl -o
  }
  return {};
}

Result<void> write_output_file(const std::filesystem::path& path, std::string_view bytes) {
  HFRUN_TRY_ASSIGN(target, resolve_output_target(path));
  if (target.kind == OutputTarget::Kind::replace) {
    if (::access(target.path.c_str(), F_OK) == 0 && ::access(target.path.c_str(), W_OK) != 0) {
      return cannot_write(path, errno);
    }
    HFRUN_TRY_ASSIGN(file, AtomicFile::create(target.path));
    HFRUN_TRY(file.write(bytes));
    return file.commit();
  }
  // O_TRUNC matters only for a regular file reached through /proc/self/fd/N; devices ignore it.
  const int fd = ::open(target.path.c_str(), O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return cannot_write(path, errno);
  }
  Result<void> written = write_fd(fd, bytes, path);
  if (::close(fd) != 0 && written) {
    return write_failed(path, errno);
  }
  return written;
}

} // namespace hfrun::util
