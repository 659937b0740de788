#include "file_io.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace hfrun::cache {

int write_fully(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n == 0 ? EIO : errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

int pwrite_fully(int fd, std::string_view bytes, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n == 0 ? EIO : errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

Error cache_write_error(const fs::path& path, int err) {
  return make_error(ErrorKind::output_failed,
                    "cannot write " + path.string() + ": " + std::strerror(err),
                    "check free space and permissions of the cache folder (HF_HUB_CACHE)");
}

} // namespace hfrun::cache
