// PRIVATE to the cli layer: --batch FILE|- for every run command and probe (docs/batch.md). The
// command says how one item runs (an ItemRunner); this file owns the rest the commands share:
// the options, the input and output files, --resume and --shard, the client every item sends
// through (one connection pool, one rate limiter), the progress line and the summary, exit 10.
#pragma once

#include "command.hpp"

#include <cstddef>
#include <functional>
#include <hfrun/batch/engine.hpp>
#include <string>

namespace hfrun::cli {

struct BatchOptions {
  std::string file; // --batch FILE, "-" for stdin; empty: not a batch
  std::size_t concurrency = 0;
  bool ordered = false;
  bool resume = false;
  std::string shard;
};

void add_batch_options(CLI::App& sub, BatchOptions& options);

// Builds the runner of one item; `client` is the batch's client, safe to share between items.
using MakeItemRunner = std::function<Result<batch::ItemRunner>(client::Client& client)>;

// Runs the batch. `default_concurrency`: -j when not given (the command's own sensible number).
[[nodiscard]] Result<void> run_batch(CommandEnv& env,
                                     const BatchOptions& options,
                                     std::size_t default_concurrency,
                                     const MakeItemRunner& make_runner);

} // namespace hfrun::cli
