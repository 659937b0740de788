// PRIVATE to the cli layer: hfrun's command line as data, read off the CLI11 tree that build_app
// builds (app_builder.hpp), and what is generated from it: the completion scripts of bash, zsh and
// fish (completion.cpp) and the man page hfrun(1) (manpage.cpp). docs/shell.md describes them.
#pragma once

#include <CLI/CLI.hpp>
#include <hfrun/error.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::cli {

struct OptionDoc {
  std::vector<std::string> names; // "--output", "-o" (long names first)
  bool takes_value = false;
  std::string value_name;           // "TEXT", "FLOAT" ... (CLI11's type name, without checks)
  std::vector<std::string> choices; // the IsMember set, when the option has one
  std::string description;
};

struct CommandDoc {
  std::string name;  // "ls"
  std::string path;  // "/cache/ls"; "" for hfrun itself
  std::string words; // "cache ls"
  std::string summary;
  std::string example;                         // the command table's example (top-level commands)
  std::vector<OptionDoc> options;              // its own options (the globals are the root's)
  std::vector<std::string> positionals;        // "repo", "models" ...
  std::vector<std::string> positional_choices; // the IsMember sets of its positionals
  std::vector<CommandDoc> subcommands;         // hidden ones (no group) are left out
  // A positional that names a repo or model: completed with the model ids in the cache.
  [[nodiscard]] bool takes_repo() const;
};

[[nodiscard]] CommandDoc describe_app(const CLI::App& app);

// Every command of the tree, depth first, the root first.
[[nodiscard]] std::vector<const CommandDoc*> all_commands(const CommandDoc& root);

// "bash", "zsh" or "fish"; another name is ErrorKind::usage.
[[nodiscard]] Result<std::string> completion_script(const CommandDoc& root, std::string_view shell);

// hfrun(1) in roff (man(7) macros).
[[nodiscard]] std::string man_page(const CommandDoc& root, std::string_view version);

} // namespace hfrun::cli
