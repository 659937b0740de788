#include <gtest/gtest.h>
#include <hfrun/batch/shard.hpp>
#include <map>
#include <string>
#include <vector>

namespace hfrun::batch {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
}

const EnvLookup no_env = env_of({});

TEST(ParseShard, KOverN) {
  const auto shard = parse_shard("2/5", no_env);
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 2U);
  EXPECT_EQ(shard->count, 5U);
}

TEST(ParseShard, ZeroOverOneTakesEverything) {
  const auto shard = parse_shard("0/1", no_env);
  ASSERT_TRUE(shard.has_value());
  for (std::size_t line = 1; line <= 10; ++line) {
    EXPECT_TRUE(shard->takes(line));
  }
}

TEST(ParseShard, IndexNotBelowCountIsAUsageError) {
  for (const char* spec : {"4/4", "5/4"}) {
    const auto shard = parse_shard(spec, no_env);
    ASSERT_FALSE(shard.has_value()) << spec;
    EXPECT_EQ(shard.error().kind, ErrorKind::usage);
    EXPECT_NE(shard.error().message.find(spec), std::string::npos) << shard.error().message;
  }
}

TEST(ParseShard, ZeroCountIsAUsageError) {
  const auto shard = parse_shard("0/0", no_env);
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
}

TEST(ParseShard, MalformedSpecsAreUsageErrors) {
  for (const char* spec : {"", "3", "a/4", "1/b", "/4", "1/", "-1/4", "1/-4", " 1/4", "1/4/5",
                           "1.0/4", "auto/", "auto/x", "automatic"}) {
    const auto shard = parse_shard(spec, no_env);
    ASSERT_FALSE(shard.has_value()) << "'" << spec << "'";
    EXPECT_EQ(shard.error().kind, ErrorKind::usage) << spec;
  }
}

TEST(ParseShard, AutoReadsTheSlurmArray) {
  const auto shard =
      parse_shard("auto", env_of({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 2U);
  EXPECT_EQ(shard->count, 4U);
}

TEST(ParseShard, AutoCountsSlurmTasksFromTheArraysFirstId) {
  // sbatch --array=1-4: ids 1..4 are shards 0..3.
  const auto shard = parse_shard("auto", env_of({{"SLURM_ARRAY_TASK_ID", "4"},
                                                 {"SLURM_ARRAY_TASK_MIN", "1"},
                                                 {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 3U);
  EXPECT_EQ(shard->count, 4U);
}

TEST(ParseShard, AutoWithoutSlurmIsAUsageErrorNamingTheVariables) {
  const auto shard = parse_shard("auto", no_env);
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
  EXPECT_NE(shard.error().message.find("SLURM_ARRAY_TASK_ID"), std::string::npos)
      << shard.error().message;
}

TEST(ParseShard, AutoWithoutTheSlurmCountIsAUsageError) {
  const auto shard = parse_shard("auto", env_of({{"SLURM_ARRAY_TASK_ID", "2"}}));
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
}

TEST(ParseShard, AutoIgnoresKubernetesWithoutACount) {
  // Only Slurm says how many workers there are; elsewhere --shard auto/N.
  const auto shard = parse_shard("auto", env_of({{"JOB_COMPLETION_INDEX", "1"}}));
  ASSERT_FALSE(shard.has_value());
  EXPECT_NE(shard.error().hint.find("auto/N"), std::string::npos) << shard.error().hint;
}

TEST(ParseShard, AutoOverNReadsTheKubernetesCompletionIndex) {
  const auto shard = parse_shard("auto/8", env_of({{"JOB_COMPLETION_INDEX", "5"}}));
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 5U);
  EXPECT_EQ(shard->count, 8U);
}

TEST(ParseShard, AutoOverNReadsTheSlurmArrayId) {
  const auto shard = parse_shard(
      "auto/3", env_of({{"SLURM_ARRAY_TASK_ID", "11"}, {"SLURM_ARRAY_TASK_MIN", "10"}}));
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 1U);
  EXPECT_EQ(shard->count, 3U);
}

TEST(ParseShard, AutoOverNReadsGnuParallelsSequenceFromOne) {
  const auto shard = parse_shard("auto/4", env_of({{"PARALLEL_SEQ", "1"}}));
  ASSERT_TRUE(shard.has_value()) << shard.error().message;
  EXPECT_EQ(shard->index, 0U);
  EXPECT_EQ(shard->count, 4U);
}

TEST(ParseShard, AutoOverNPrefersTheKubernetesIndex) {
  const auto shard =
      parse_shard("auto/4", env_of({{"JOB_COMPLETION_INDEX", "2"}, {"PARALLEL_SEQ", "1"}}));
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 2U);
}

TEST(ParseShard, AutoOverNWithAnIndexBeyondNIsAUsageError) {
  const auto shard = parse_shard("auto/4", env_of({{"PARALLEL_SEQ", "5"}}));
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
}

TEST(ParseShard, AutoOverNWithoutAnyIndexIsAUsageErrorNamingTheVariables) {
  const auto shard = parse_shard("auto/4", no_env);
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
  for (const char* name : {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "PARALLEL_SEQ"}) {
    EXPECT_NE(shard.error().message.find(name), std::string::npos) << shard.error().message;
  }
}

TEST(ParseShard, AutoOverNWithAnUnreadableIndexIsAUsageError) {
  const auto shard = parse_shard("auto/4", env_of({{"JOB_COMPLETION_INDEX", "two"}}));
  ASSERT_FALSE(shard.has_value());
  EXPECT_EQ(shard.error().kind, ErrorKind::usage);
}

TEST(ShardTakes, EveryFourthLineFromTheShardsIndex) {
  const Shard shard{1, 4};
  std::vector<std::size_t> taken;
  for (std::size_t line = 1; line <= 12; ++line) {
    if (shard.takes(line)) {
      taken.push_back(line);
    }
  }
  // Physical line numbers counted from 0: lines 1, 5, 9 (1-based 2, 6, 10).
  EXPECT_EQ(taken, (std::vector<std::size_t>{2, 6, 10}));
}

TEST(ShardTakes, NShardsTogetherTakeEveryLineExactlyOnce) {
  for (std::size_t count : {1U, 2U, 3U, 7U, 16U}) {
    for (std::size_t line = 1; line <= 100; ++line) {
      std::size_t takers = 0;
      for (std::size_t index = 0; index < count; ++index) {
        takers += Shard{index, count}.takes(line) ? 1 : 0;
      }
      EXPECT_EQ(takers, 1U) << "line " << line << " of " << count << " shards";
    }
  }
}

} // namespace
} // namespace hfrun::batch
