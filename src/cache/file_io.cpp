#include "file_io.hpp"

#include <cerrno>
#include <cstring>
#include <hfrun/cache/blob_sink.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cache {

int write_fully(int fd, std::string_view bytes, std::optional<std::uint64_t> offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = offset ? ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                                     static_cast<off_t>(*offset + done))
                          : ::write(fd, bytes.data() + done, bytes.size() - done);
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

Result<void> publish_blob(int& fd, const fs::path& temp, const fs::path& blob) {
  if (::fsync(fd) != 0) {
    return unexpected<Error>(cache_write_error(temp, errno));
  }
  (void)::fchmod(fd, static_cast<mode_t>(default_file_mode()));
  ::close(fd);
  fd = -1;
  if (::rename(temp.c_str(), blob.c_str()) != 0) {
    return unexpected<Error>(cache_write_error(blob, errno));
  }
  return {};
}

Error corrupt_blob_error(std::string_view etag, std::string_view what_is_wrong) {
  return make_error(ErrorKind::bad_response,
                    "the download of blob " + std::string(etag) +
                        " is corrupt: " + std::string(what_is_wrong),
                    "nothing was written to the cache; retry, and report it if it persists");
}

Error cache_write_error(const fs::path& path, int err) {
  return make_error(ErrorKind::output_failed,
                    "cannot write " + path.string() + ": " + std::strerror(err),
                    "check free space and permissions of the cache folder (HF_HUB_CACHE)");
}

} // namespace hfrun::cache
