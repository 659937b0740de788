// PRIVATE to the cli layer: the input options every "run a model" command shares (serverless,
// endpoint, local ...), and turning them into the task's inputs.
#pragma once

#include "command.hpp"
#include "params.hpp"

#include <hfrun/tasks/task.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cli {

struct InputOptions {
  std::string text;
  std::string file;
  std::string inputs_json;
  std::string system;
  std::string messages;
  std::string data;
  bool stream = false;
  bool no_stream = false;
};

void add_input_options(CLI::App& sub, InputOptions& options);

struct PreparedInputs {
  tasks::Inputs inputs;
  std::optional<TempFile> spooled;          // stdin or a FIFO spooled to disk, alive for the upload
  bool file_is_stdin = false;               // --file - (dry-run shows @-)
  std::optional<std::string> verbatim_body; // --data
};

// The task's inputs from the options, the positional INPUT, the parameters, or stdin (when no input
// option is given and stdin is not a terminal: spooled to a temp file for binary tasks).
[[nodiscard]] Result<PreparedInputs> prepare_inputs(CommandEnv& env,
                                                    const tasks::TaskSpec& task,
                                                    const InputOptions& options,
                                                    const std::vector<std::string>& args);

// Stream chat/text-generation? --stream/--no-stream, else on when stdout is a terminal and the
// parameters ask for nothing TGI cannot stream (best_of > 1, decoder_input_details).
[[nodiscard]] bool decide_stream(const CommandEnv& env,
                                 const tasks::TaskSpec& task,
                                 const InputOptions& options,
                                 const nlohmann::json& params = nlohmann::json::object());

} // namespace hfrun::cli
