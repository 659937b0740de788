// PRIVATE to the cli layer: the one builder of hfrun's command line. `hfrun` itself parses with
// it, and the completion scripts and the man page are generated from the tree it builds
// (completion.cpp, manpage.cpp), so a command or option added anywhere appears in all three.
#pragma once

#include "command.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace hfrun::cli {

struct RegisteredCommand {
  const CommandEntry* entry;
  CLI::App* sub;
  std::unique_ptr<Command> command;
};

// Names `app` "hfrun", adds the global options (bound to `global`, which must outlive `app`) and
// one subcommand per command_table() entry, each set up by its command.
[[nodiscard]] std::vector<RegisteredCommand> build_app(CLI::App& app, GlobalOptions& global);

} // namespace hfrun::cli
