// Writes a file so that readers see either the old content or the complete new one, never a
// partial file: a temp file beside the target, fsync'd and renamed over it on commit. And the rules
// of -o (docs/output.md): which paths are replaced that way and which are written in place.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <string_view>

namespace hfrun::util {

class AtomicFile {
public:
  // Creates ".<name>.hfrun-XXXXXX" in the target's directory (same filesystem, so the final rename
  // is atomic). ErrorKind::usage naming the path when the directory is missing or not writable.
  [[nodiscard]] static Result<AtomicFile> create(const std::filesystem::path& target);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Removes the temp file unless commit() succeeded.
  ~AtomicFile();

  // Appends `bytes` to the temp file. ErrorKind::output_failed when the disk is full or fails.
  [[nodiscard]] Result<void> write(std::string_view bytes);
  // Flushes to disk, gives the file the usual 0666 & ~umask mode (the target's mode when it
  // exists) and renames it over the target. After a failure (ErrorKind::output_failed) the temp
  // file is removed.
  [[nodiscard]] Result<void> commit();
  // Removes the temp file now; the target is untouched.
  void discard();

  [[nodiscard]] const std::filesystem::path& target() const { return m_target; }
  [[nodiscard]] const std::filesystem::path& temp_path() const { return m_temp; }

private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, int fd);

  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  int m_fd = -1; // -1 once committed or discarded
};

// Where writing an output path really goes.
struct OutputTarget {
  enum class Kind {
    replace, // a new or regular file: AtomicFile on `path`
    direct,  // a device, FIFO, /dev/stdout, /proc/self/fd/N: opened and written in place, as curl
             // does
  };
  Kind kind = Kind::replace;
  std::filesystem::path path; // symbolic links resolved: the file that is replaced or opened
};

// Follows symbolic links to the file they name (which is replaced; the link stays a link; a
// dangling link's target is created). A link into /proc (/dev/stdout, /dev/fd/N, /proc/self/fd/N)
// names an open file of this process: written in place. ErrorKind::usage for a directory, a socket
// or a link loop.
[[nodiscard]] Result<OutputTarget> resolve_output_target(const std::filesystem::path& path);

// Whether `path` can be written, checked before anything is sent so that a typo costs no request:
// for a new or regular file its directory exists and is writable (and an existing file is
// writable); a device opens for writing; a FIFO is writable (opening it would wait for a reader).
// ErrorKind::usage naming the path.
[[nodiscard]] Result<void> check_output_writable(const std::filesystem::path& path);

// Writes `bytes` to `path` as resolve_output_target() says: never a half-written regular file, and
// never a device or FIFO replaced by a regular file. A bad destination is ErrorKind::usage; a
// failure while writing (disk full, I/O error, closed pipe) is ErrorKind::output_failed.
[[nodiscard]] Result<void> write_output_file(const std::filesystem::path& path,
                                             std::string_view bytes);

} // namespace hfrun::util
