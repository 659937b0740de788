// --resume: the output file of an earlier run (maybe killed mid-write) is made whole again before
// new rows are appended: the rows that succeeded are kept, failed rows and a torn last line are
// dropped (their lines run again), and their ids are skipped. The file is rewritten atomically
// (a temporary file renamed over it), so a crash during the rewrite loses nothing.
#pragma once

#include <cstddef>
#include <filesystem>
#include <hfrun/error.hpp>
#include <set>
#include <string>

namespace hfrun::batch {

struct ResumeState {
  std::set<std::string> done; // id_key() of every row kept
  std::size_t kept = 0;       // rows kept (ok)
  std::size_t dropped = 0;    // failed rows dropped, to run again
  bool torn_tail = false;     // the last line was cut off (a killed run) and dropped
};

// A missing file is an empty state (a first run with --resume). A file that holds lines that are
// not rows is a usage error: it is not this tool's output, and nothing is changed.
[[nodiscard]] Result<ResumeState> prepare_resume(const std::filesystem::path& output);

} // namespace hfrun::batch
