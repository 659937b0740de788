// The testable entry point: parses argv, runs one command, maps any error to the exit code.
#pragma once

#include <cstdio>
#include <hfrun/config/config.hpp>
#include <string>
#include <vector>

namespace hfrun::cli {

// The process's streams, replaceable in tests.
struct Io {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  std::FILE* in = stdin;
  bool out_is_tty = false;
  bool err_is_tty = false;
  bool in_is_tty = false;
};

// The real process: argv, stdio, the environment.
[[nodiscard]] int run(int argc, char** argv);

// Same, with everything injectable. `args` excludes the program name.
[[nodiscard]] int
run_with(const std::vector<std::string>& args, const Io& io, const config::EnvLookup& env);

} // namespace hfrun::cli
