// PRIVATE to the cli layer: the one command that runs a model through any backend. It owns what
// every way of running shares: the target and INPUT/params positionals, the input options, --task,
// --output-dir, reading stdin, the streaming decision, dry-run and -v notes, and printing the
// outcome. A backend's command file adds only its own options (serverless: --provider).
#pragma once

#include "batch.hpp"
#include "command.hpp"
#include "inputs.hpp"

#include <hfrun/backends/backend.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cli {

class RunModelCommand : public Command {
public:
  // `backend`: a row of backends::backend_table(); `target_help` describes the positional target.
  RunModelCommand(std::string backend, std::string target_name, std::string target_help);

  void setup(CLI::App& sub) final;
  [[nodiscard]] Result<void> run(CommandEnv& env) final;

protected:
  // The backend's own options, added after the shared ones.
  virtual void add_backend_options(CLI::App& sub) = 0;
  // Their values, by the names the backend reads (backends::Call::options).
  [[nodiscard]] virtual std::map<std::string, std::string> backend_options() const = 0;
  // Commands beside running a model (`hfrun endpoint list`), as subcommands; with any, the target
  // is optional on the command line and checked by run().
  virtual void add_backend_commands(CLI::App& sub) { (void)sub; }
  // Runs the subcommand that was parsed; nullopt when none was.
  [[nodiscard]] virtual std::optional<Result<void>> run_backend_command(CommandEnv& env) {
    (void)env;
    return std::nullopt;
  }

  // The positional target as given ("" when none).
  [[nodiscard]] const std::string& target() const { return m_target; }

private:
  std::string m_backend;
  std::string m_target_name;
  std::string m_target_help;
  std::string m_target;
  std::vector<std::string> m_args;
  InputOptions m_input;
  std::string m_task;
  std::string m_output_dir;
  BatchOptions m_batch;
};

} // namespace hfrun::cli
