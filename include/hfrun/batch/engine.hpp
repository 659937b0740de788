// The batch engine: input lines in, one JSON row per line out, whatever runs each item (a backend
// of the seam, probe). It streams: a line is read only when a worker is free for it (memory flat
// in the number of lines), rows are written as they finish, or in input order through a bounded
// reorder window (--ordered). docs/batch.md is the user's side of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <hfrun/batch/lines.hpp>
#include <hfrun/batch/shard.hpp>
#include <hfrun/error.hpp>
#include <hfrun/util/cancel.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

namespace hfrun::batch {

// What running one item gave.
struct ItemResult {
  bool ok = false;
  nlohmann::json result;     // when ok
  Error error;               // when not
  std::optional<int> status; // the HTTP status of the reply the result came from
  std::size_t attempts = 0;  // requests sent for it (retries included)
  std::size_t retries = 0;   // of those, the same request sent again
};

// Runs one item; called from several threads at once.
using ItemRunner = std::function<ItemResult(const Item& item)>;

// Where rows go; called under the engine's lock, one complete line at a time (with its '\n').
using RowWriter = std::function<Result<void>(std::string_view line)>;

struct Counts {
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t in_flight = 0;
  std::size_t skipped = 0; // already done (--resume)
  std::size_t retries = 0; // requests sent again, summed
  std::chrono::milliseconds elapsed{0};
};

struct Summary {
  Counts counts;
  std::chrono::milliseconds p50{0};
  std::chrono::milliseconds p95{0};
  bool interrupted = false; // Ctrl-C / SIGTERM: rows of items not finished were not written
};

struct EngineOptions {
  std::size_t concurrency = 8;
  bool ordered = false;
  std::size_t reorder_window = 0; // --ordered: rows held at most (0: 4 x concurrency)
  Shard shard;
  const std::set<std::string>* skip = nullptr; // id_key()s already done (--resume)
  // Masks secrets in error text before it is written (the token by value).
  std::function<std::string(std::string_view)> mask;
  // Called under the engine's lock every `progress_every` and once at the end.
  std::function<void(const Counts&)> on_progress;
  std::chrono::milliseconds progress_every{250};
  const util::CancelToken* cancel = nullptr;
};

// Runs every line of `reader` this shard takes. An error only when the run itself failed: the
// input could not be read, or a row could not be written (the first such error; no more items
// start after it). Failed items are rows, counted in the summary.
[[nodiscard]] Result<Summary> run_batch(LineReader& reader,
                                        const EngineOptions& options,
                                        const ItemRunner& runner,
                                        const RowWriter& writer);

// The row of an item: {"id", "ok", "result" | "error", "status", "elapsed_ms", "attempts"}, one
// compact line with its '\n'.
[[nodiscard]] std::string row_line(const Item& item,
                                   const ItemResult& result,
                                   std::chrono::milliseconds elapsed,
                                   const std::function<std::string(std::string_view)>& mask);

} // namespace hfrun::batch
