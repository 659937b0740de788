// PRIVATE to the cache layer: whole writes to a file descriptor, and the error a failed write to
// the cache becomes.
#pragma once

#include <cstdint>
#include <hfrun/cache/cache.hpp>
#include <optional>
#include <string_view>

namespace hfrun::cache {

// Every byte written, EINTR retried: at `offset` (pwrite(2)), else at the file position
// (write(2)). 0, or the errno of the failure.
[[nodiscard]] int
write_fully(int fd, std::string_view bytes, std::optional<std::uint64_t> offset = std::nullopt);

// A verified partial file becomes blobs/<etag>: fsync, mode 0666 & ~umask, close (fd becomes -1),
// rename in the same folder (atomic; a blob already there has the same content by its name).
[[nodiscard]] Result<void> publish_blob(int& fd, const fs::path& temp, const fs::path& blob);

// ErrorKind::bad_response (exit 9) for a blob whose bytes do not match its name.
[[nodiscard]] Error corrupt_blob_error(std::string_view etag, std::string_view what_is_wrong);

// ErrorKind::output_failed (exit 11): "cannot write PATH: REASON", with the cache folder's hint.
[[nodiscard]] Error cache_write_error(const fs::path& path, int err);

} // namespace hfrun::cache
