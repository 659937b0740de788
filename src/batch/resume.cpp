#include <fstream>
#include <hfrun/batch/lines.hpp>
#include <hfrun/batch/resume.hpp>
#include <hfrun/util/atomic_file.hpp>
#include <hfrun/util/json.hpp>
#include <sstream>

namespace hfrun::batch {

namespace fs = std::filesystem;

Result<ResumeState> prepare_resume(const fs::path& output) {
  ResumeState state;
  std::error_code ec;
  if (!fs::exists(output, ec)) {
    return state;
  }
  std::ifstream in(output, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "--resume: cannot read " + output.string());
  }
  std::string kept;
  std::string line;
  std::size_t number = 0;
  bool changed = false;
  while (std::getline(in, line)) {
    ++number;
    const bool complete = !in.eof(); // getline stopped at a '\n'
    if (!complete) {
      state.torn_tail = true; // a killed run's last, half-written row
      changed = true;
      break;
    }
    if (line.empty()) {
      changed = true;
      continue;
    }
    const nlohmann::json row = util::parse_untrusted(line);
    const auto ok = util::json_bool(row, "ok");
    const auto* id = util::json_member(row, "id");
    if (!ok || id == nullptr) {
      return fail(ErrorKind::usage,
                  "--resume: line " + std::to_string(number) + " of " + output.string() +
                      " is not a batch row",
                  "resume into the output file of an earlier hfrun --batch run (it is left as "
                  "it is)");
    }
    if (!*ok) {
      ++state.dropped;
      changed = true;
      continue;
    }
    if (!state.done.insert(id_key(*id)).second) {
      changed = true; // a duplicate row is kept once
      continue;
    }
    ++state.kept;
    kept += line;
    kept += '\n';
  }
  if (changed) {
    HFRUN_TRY(util::write_output_file(output, kept));
  }
  return state;
}

} // namespace hfrun::batch
