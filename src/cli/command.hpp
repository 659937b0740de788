// PRIVATE to the cli layer: what every command file implements, and what it is handed to run.
#pragma once

#include "output.hpp"

#include <CLI/CLI.hpp>
#include <hfrun/client/client.hpp>
#include <hfrun/config/config.hpp>
#include <hfrun/http/transport.hpp>
#include <hfrun/util/cancel.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hfrun::cli {

// The global options of product.md, shared by every command.
struct GlobalOptions {
  std::optional<std::string> token;
  bool json = false;
  bool raw = false;
  std::string output;
  int verbose = 0;
  bool quiet = false;
  double timeout_s = 0; // 0: none
  double connect_timeout_s = 10;
  int retries = 3;
  std::vector<std::string> headers;
  std::string bill_to;
  bool dry_run = false;
  bool no_progress = false;
  std::string color = "auto";
  bool insecure = false;
};

// What a command runs with: the parsed globals, configuration, the client and the output layer.
struct CommandEnv {
  const GlobalOptions& global;
  const config::Config& config;
  client::Client& client;
  Output& out;
  const util::CancelToken& cancel; // Ctrl-C / SIGTERM: long waits watch it
  // How the client's transport was set up (timeouts, TLS, -vv): batch mode builds its own client
  // with the same settings.
  const http::TransportOptions& transport;
};

class Command {
public:
  virtual ~Command() = default;
  // Add the command's own options and positionals to its subcommand.
  virtual void setup(CLI::App& sub) = 0;
  [[nodiscard]] virtual Result<void> run(CommandEnv& env) = 0;
};

struct CommandEntry {
  const char* name;
  const char* summary;
  const char* example; // shown at the end of the command's --help
  std::unique_ptr<Command> (*make)();
};

// Every registered command, in --help order. Only real commands are registered.
[[nodiscard]] std::span<const CommandEntry> command_table();

std::unique_ptr<Command> make_whoami_command();
std::unique_ptr<Command> make_serverless_command();
std::unique_ptr<Command> make_probe_command();
std::unique_ptr<Command> make_download_command();
std::unique_ptr<Command> make_cache_command();
std::unique_ptr<Command> make_space_command();
std::unique_ptr<Command> make_endpoint_command();
std::unique_ptr<Command> make_completion_command();
std::unique_ptr<Command> make_manpage_command();
std::unique_ptr<Command> make_doctor_command();
std::unique_ptr<Command> make_local_command();

} // namespace hfrun::cli
