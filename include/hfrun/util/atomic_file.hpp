// Writes a file so that readers see either the old content or the complete new one, never a
// partial file: a temp file beside the target, fsync'd and renamed over it on commit.
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

  // Appends `bytes` to the temp file.
  [[nodiscard]] Result<void> write(std::string_view bytes);
  // Flushes to disk, gives the file the usual 0666 & ~umask mode (the target's mode when it
  // exists) and renames it over the target. After a failure the temp file is removed.
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

} // namespace hfrun::util
