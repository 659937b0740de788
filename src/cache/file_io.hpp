// PRIVATE to the cache layer: whole writes to a file descriptor, and the error a failed write to
// the cache becomes.
#pragma once

#include <cstdint>
#include <hfrun/cache/cache.hpp>
#include <string_view>

namespace hfrun::cache {

// write(2) until every byte is out, EINTR retried: 0, or the errno of the failure.
[[nodiscard]] int write_fully(int fd, std::string_view bytes);
// pwrite(2) of every byte at `offset`, the same way.
[[nodiscard]] int pwrite_fully(int fd, std::string_view bytes, std::uint64_t offset);

// ErrorKind::output_failed (exit 11): "cannot write PATH: REASON", with the cache folder's hint.
[[nodiscard]] Error cache_write_error(const fs::path& path, int err);

} // namespace hfrun::cache
