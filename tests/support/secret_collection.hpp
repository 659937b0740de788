// The suite's secret scan (docs/reliability.md, "Secrets"). When ctest sets HFRUN_SECRETS_DIR,
// every end-to-end program keeps, under DIR/pid-N/, a transcript of every child's stdout and stderr
// and, at its end, a copy of every file in its scratch folders (what hfrun wrote: results, the
// cache, logs, and the emulator's request log, which names any token that reached a server outside
// the credential headers). tests/e2e/secrets_scan.py then searches all of it for every token by
// value.
#pragma once

#include "subprocess.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <unistd.h>

namespace hfrun::test {

// Starts this process's transcript when the scan is on; the folder its files go to.
inline std::optional<std::filesystem::path> start_secret_collection() {
  const char* root = std::getenv("HFRUN_SECRETS_DIR");
  if (root == nullptr || *root == '\0') {
    return std::nullopt;
  }
  const auto dir = std::filesystem::path(root) / ("pid-" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  set_transcript(dir / "transcript.log");
  return dir;
}

// Keeps every regular file under `from` in `collection`/`name`/ (hard links where the file system
// allows, copies elsewhere), except the top-level entries named in `skip` (the emulator's own
// files). Symbolic links are not followed: what they point to is kept where it lies.
inline void keep_for_secret_scan(const std::filesystem::path& collection,
                                 const std::filesystem::path& from,
                                 const std::string& name,
                                 const std::set<std::string>& skip = {}) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(from, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const auto relative = it->path().lexically_relative(from);
    if (it.depth() == 0 && skip.contains(relative.string())) {
      if (it->is_directory(ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) {
      continue;
    }
    const auto target = collection / name / relative;
    fs::create_directories(target.parent_path(), ec);
    fs::create_hard_link(it->path(), target, ec);
    if (ec) {
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
    }
    ec.clear();
  }
}

} // namespace hfrun::test
