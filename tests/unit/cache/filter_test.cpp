#include <gtest/gtest.h>
#include <hfrun/cache/download.hpp>

namespace hfrun::cache {
namespace {

TEST(Filter, StarCrossesSlashAsPythonFnmatch) {
  EXPECT_TRUE(fnmatch_path("*.json", "config.json"));
  EXPECT_TRUE(fnmatch_path("*.json", "unet/config.json"));
  EXPECT_FALSE(fnmatch_path("*.json", "model.safetensors"));
  EXPECT_TRUE(fnmatch_path("model-0000?-of-*.safetensors", "model-00001-of-00002.safetensors"));
  EXPECT_TRUE(fnmatch_path("[!R]*", "config.json"));
  EXPECT_FALSE(fnmatch_path("[!R]*", "README.md"));
}

TEST(Filter, TrailingSlashMeansEverythingInside) {
  EXPECT_TRUE(fnmatch_path("unet/", "unet/config.json"));
  EXPECT_TRUE(fnmatch_path("unet/", "unet/a/b.bin"));
  EXPECT_FALSE(fnmatch_path("unet/", "vae/config.json"));
}

TEST(Filter, CaseMatters) {
  EXPECT_FALSE(fnmatch_path("readme.md", "README.md"));
}

TEST(Filter, IncludeThenExclude) {
  const std::vector<std::string> include{"*.json", "unet/"};
  const std::vector<std::string> exclude{"vae/*"};
  EXPECT_TRUE(keep_path("config.json", include, exclude));
  EXPECT_TRUE(keep_path("unet/model.bin", include, exclude));
  EXPECT_FALSE(keep_path("vae/config.json", include, exclude));
  EXPECT_FALSE(keep_path("model.bin", include, exclude));
  EXPECT_TRUE(keep_path("model.bin", {}, {}));
  EXPECT_FALSE(keep_path("model.bin", {}, {"*.bin"}));
}

} // namespace
} // namespace hfrun::cache
