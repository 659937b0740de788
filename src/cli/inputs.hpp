// PRIVATE to the cli layer: what every "run a model" command shares (serverless, endpoint, local):
// the input options, turning them into task inputs, and send -> decode -> output for one request.
#pragma once

#include "command.hpp"
#include "params.hpp"

#include <hfrun/http/message.hpp>
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
  std::optional<TempFile> spooled_stdin; // keeps the spooled file alive for the upload
  std::optional<std::string> verbatim_body; // --data
};

// The task's inputs from the options, the positional INPUT, the parameters, or stdin (when no input
// option is given and stdin is not a terminal: spooled to a temp file for binary tasks).
[[nodiscard]] Result<PreparedInputs> prepare_inputs(CommandEnv& env, const tasks::TaskSpec& task,
                                                    const InputOptions& options,
                                                    const std::vector<std::string>& args);

// Stream chat/text-generation? --stream/--no-stream, else on when stdout is a terminal.
[[nodiscard]] bool decide_stream(const CommandEnv& env, const tasks::TaskSpec& task,
                                 const InputOptions& options);
// The "stream" value to put in the body: true when streaming, else left out (as the JS client does).
[[nodiscard]] std::optional<bool> stream_flag(const tasks::TaskSpec& task, const InputOptions& options,
                                              bool stream);

// Send the request and print its result as the task and the output options say.
[[nodiscard]] Result<void> run_task_request(CommandEnv& env, const tasks::TaskSpec& task,
                                            http::Request& request, const PreparedInputs& prepared,
                                            bool stream);

} // namespace hfrun::cli
