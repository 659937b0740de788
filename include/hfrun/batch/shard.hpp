// --shard K/N: this worker takes input lines K, K+N, K+2N ... (physical line numbers counted from
// 0), so N workers of any job system split one file without talking to each other. `auto` reads
// the job system's own variables (docs/batch.md).
#pragma once

#include <cstddef>
#include <functional>
#include <hfrun/error.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::batch {

struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  // Whether 1-based physical line `number` belongs to this shard.
  [[nodiscard]] bool takes(std::size_t number) const { return (number - 1) % count == index; }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// "K/N" (0 <= K < N); "auto": Slurm (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
// SLURM_ARRAY_TASK_COUNT); "auto/N": N workers, this one's index from JOB_COMPLETION_INDEX
// (Kubernetes indexed jobs), SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, or PARALLEL_SEQ - 1
// (GNU parallel). A usage error saying what is missing otherwise.
[[nodiscard]] Result<Shard> parse_shard(std::string_view spec, const EnvLookup& env);

} // namespace hfrun::batch
