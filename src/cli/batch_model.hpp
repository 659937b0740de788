// PRIVATE to the cli layer: one batch item through a backend of the seam (serverless, endpoint,
// local). A line's keys are the command's options: `text`, `file`, `inputs`, `messages`,
// `system`, `params` (or flat keys, as key=value), `task`, `model` / `target`; what the command
// line gave is the default for every line. Each target+task is planned once for the whole batch
// (one lookup, one local worker), then encode and execute run for many lines at once.
#pragma once

#include "batch.hpp"
#include "inputs.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cli {

struct ModelBatchSpec {
  std::string backend;                        // a row of backends::backend_table()
  std::string target;                         // the positional target ("" : every line names one)
  std::string task;                           // --task
  InputOptions input;                         // the input options given
  std::vector<std::string> args;              // parameters key=value of the command line
  std::map<std::string, std::string> options; // the backend's own options
  std::optional<std::filesystem::path> output_dir; // --output-dir: binary results
};

[[nodiscard]] Result<batch::ItemRunner> make_model_item_runner(const ModelBatchSpec& spec,
                                                               client::Client& client);

} // namespace hfrun::cli
