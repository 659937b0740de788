// The variables `hfrun download` depends on, with huggingface_hub's names and precedence.
#include <gtest/gtest.h>
#include <hfrun/config/config.hpp>

namespace hfrun::config {
namespace {

TEST(CacheEnv, HubCachePrecedence) {
  EXPECT_EQ(load_config(map_env({{"HF_HOME", "/h"}})).hub_cache, "/h/hub");
  EXPECT_EQ(
      load_config(map_env({{"HF_HOME", "/h"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}})).hub_cache,
      "/legacy");
  EXPECT_EQ(load_config(map_env({{"HF_HUB_CACHE", "/new"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}}))
                .hub_cache,
            "/new");
}

TEST(CacheEnv, TransformersOfflineCountsAsOffline) {
  EXPECT_TRUE(load_config(map_env({{"TRANSFORMERS_OFFLINE", "1"}})).offline);
  EXPECT_TRUE(load_config(map_env({{"HF_HUB_OFFLINE", "yes"}})).offline);
  EXPECT_FALSE(load_config(map_env({{"TRANSFORMERS_OFFLINE", "0"}})).offline);
}

} // namespace
} // namespace hfrun::config
