// The testable entry point: parses argv, runs one command, maps any error to the exit code.
#pragma once

namespace hfrun::cli {
[[nodiscard]] int run(int argc, char** argv);
} // namespace hfrun::cli
