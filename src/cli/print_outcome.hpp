// PRIVATE to the cli layer: a run's outcome on stdout or in files, as the output options say: the
// task's rendering on a terminal, its normalized JSON with --json, the body with --raw, binary
// results (every one of them) to -o / --output-dir.
#pragma once

#include "command.hpp"
#include "inputs.hpp"

#include <filesystem>
#include <hfrun/backends/backend.hpp>
#include <optional>

namespace hfrun::cli {

struct PrintContext {
  const tasks::TaskSpec& task;
  const PreparedInputs& inputs;
  std::optional<std::filesystem::path> output_dir; // --output-dir
  bool printed_stream = false;                     // streamed tokens are already on stdout
};

[[nodiscard]] Result<void>
print_outcome(CommandEnv& env, const PrintContext& context, backends::Outcome& outcome);

// Where the files of a reply go: `-o out.flac` gets the first, `out-<label>.flac` the others;
// `--output-dir DIR` gets `<label or task>.<ext>` each. Pure, for tests.
[[nodiscard]] std::vector<std::filesystem::path>
result_paths(const std::vector<tasks::BinaryResult>& files,
             const std::string& task_name,
             const std::optional<std::filesystem::path>& output_file,
             const std::optional<std::filesystem::path>& output_dir);

// A batch item's files in `dir`: `<name>.<ext>` (name made safe for a file name), the others
// `<name>-<label or n>.<ext>`; the JSON describing them ({"path", "content_type", "bytes",
// "files": [...]}) as --json does.
[[nodiscard]] Result<nlohmann::json> write_item_files(const std::vector<tasks::BinaryResult>& files,
                                                      std::string_view name,
                                                      const std::filesystem::path& dir);

} // namespace hfrun::cli
