#include <charconv>
#include <hfrun/batch/shard.hpp>

namespace hfrun::batch {

namespace {

std::optional<std::size_t> number(std::string_view text) {
  std::size_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::size_t> env_number(const EnvLookup& env, const std::string& name) {
  const auto value = env(name);
  return value ? number(*value) : std::nullopt;
}

// The index of a Slurm array task, counted from the array's first id.
std::optional<std::size_t> slurm_index(const EnvLookup& env) {
  const auto id = env_number(env, "SLURM_ARRAY_TASK_ID");
  if (!id) {
    return std::nullopt;
  }
  const std::size_t min = env_number(env, "SLURM_ARRAY_TASK_MIN").value_or(0);
  return *id >= min ? std::optional(*id - min) : std::nullopt;
}

Result<Shard> checked(std::size_t index, std::size_t count, std::string_view spec) {
  if (count == 0 || index >= count) {
    return fail(ErrorKind::usage,
                "--shard " + std::string(spec) +
                    ": the index must be below the count (K/N with 0 "
                    "<= K < N) and N at least 1",
                "e.g. --shard 0/4 ... --shard 3/4 for four workers");
  }
  return Shard{index, count};
}

} // namespace

Result<Shard> parse_shard(std::string_view spec, const EnvLookup& env) {
  if (spec == "auto") {
    const auto index = slurm_index(env);
    const auto count = env_number(env, "SLURM_ARRAY_TASK_COUNT");
    if (!index || !count) {
      return fail(ErrorKind::usage,
                  "--shard auto found no Slurm array (SLURM_ARRAY_TASK_ID, "
                  "SLURM_ARRAY_TASK_COUNT)",
                  "elsewhere give the worker count: --shard auto/N (Kubernetes indexed jobs, GNU "
                  "parallel), or --shard K/N");
    }
    return checked(*index, *count, spec);
  }
  const auto slash = spec.find('/');
  if (slash == std::string_view::npos) {
    return fail(ErrorKind::usage, "--shard " + std::string(spec) + " is not K/N",
                "e.g. --shard 0/4, --shard auto or --shard auto/4");
  }
  const auto count = number(spec.substr(slash + 1));
  if (!count) {
    return fail(ErrorKind::usage, "--shard " + std::string(spec) + ": N is not a number",
                "e.g. --shard 0/4");
  }
  const std::string_view first = spec.substr(0, slash);
  if (first == "auto") {
    std::optional<std::size_t> index = env_number(env, "JOB_COMPLETION_INDEX");
    if (!index) {
      index = slurm_index(env);
    }
    if (!index) {
      if (const auto seq = env_number(env, "PARALLEL_SEQ"); seq && *seq > 0) {
        index = *seq - 1;
      }
    }
    if (!index) {
      return fail(ErrorKind::usage,
                  "--shard " + std::string(spec) +
                      " found no worker index (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, "
                      "PARALLEL_SEQ)",
                  "give it yourself: --shard K/N");
    }
    return checked(*index, *count, spec);
  }
  const auto index = number(first);
  if (!index) {
    return fail(ErrorKind::usage, "--shard " + std::string(spec) + ": K is not a number",
                "e.g. --shard 0/4");
  }
  return checked(*index, *count, spec);
}

} // namespace hfrun::batch
