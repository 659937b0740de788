#include <hfrun/config/config.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace hfrun::config {
namespace {

class TokenFile {
public:
  explicit TokenFile(const std::string& content) {
    m_dir = std::filesystem::temp_directory_path() /
            ("hfrun-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(s_counter++));
    std::filesystem::create_directories(m_dir);
    std::ofstream(m_dir / "token") << content;
  }
  ~TokenFile() { std::filesystem::remove_all(m_dir); }
  std::string home() const { return m_dir.string(); }

private:
  static inline int s_counter = 0;
  std::filesystem::path m_dir;
};

TEST(ConfigTest, DefaultsMatchHuggingfaceHub) {
  const auto c = load_config(map_env({{"HOME", "/home/u"}}));
  EXPECT_EQ(c.endpoint, "https://huggingface.co");
  EXPECT_EQ(c.router_url, "https://router.huggingface.co");
  EXPECT_EQ(c.endpoints_api_url, "https://api.endpoints.huggingface.cloud/v2");
  EXPECT_EQ(c.hf_home, "/home/u/.cache/huggingface");
  EXPECT_EQ(c.hub_cache, "/home/u/.cache/huggingface/hub");
  EXPECT_EQ(c.token_path, "/home/u/.cache/huggingface/token");
  EXPECT_FALSE(c.offline);
}

TEST(ConfigTest, EnvironmentOverridesEverything) {
  const auto c = load_config(map_env({{"HOME", "/home/u"},
                                      {"HF_ENDPOINT", "http://127.0.0.1:9/"},
                                      {"HFRUN_ROUTER_URL", "http://127.0.0.1:10"},
                                      {"HFRUN_ENDPOINTS_API_URL", "http://127.0.0.1:11/v2/"},
                                      {"XDG_CACHE_HOME", "/xdg"},
                                      {"HF_HUB_CACHE", "$HOME/hubcache"},
                                      {"HF_TOKEN_PATH", "~/tok"},
                                      {"HF_HUB_OFFLINE", "1"},
                                      {"HF_HUB_DISABLE_PROGRESS_BARS", "true"},
                                      {"NO_COLOR", "1"}}));
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(c.router_url, "http://127.0.0.1:10");
  EXPECT_EQ(c.endpoints_api_url, "http://127.0.0.1:11/v2");
  EXPECT_EQ(c.hf_home, "/xdg/huggingface");
  EXPECT_EQ(c.hub_cache, "/home/u/hubcache");
  EXPECT_EQ(c.token_path, "/home/u/tok");
  EXPECT_TRUE(c.offline);
  EXPECT_TRUE(c.disable_progress);
  EXPECT_TRUE(c.no_color);
}

TEST(ConfigTest, HfHomeWinsOverXdg) {
  const auto c = load_config(map_env({{"HF_HOME", "/data/hf"}, {"XDG_CACHE_HOME", "/xdg"}}));
  EXPECT_EQ(c.hf_home, "/data/hf");
  EXPECT_EQ(c.token_path, "/data/hf/token");
}

TEST(TokenTest, DiscoveryOrderIsFlagThenHfTokenThenLegacyThenFile) {
  TokenFile file("hf_fromfile\n");
  auto env_all = map_env({{"HF_HOME", file.home()},
                          {"HF_TOKEN", "hf_fromenv"},
                          {"HUGGING_FACE_HUB_TOKEN", "hf_legacy"}});
  auto config = load_config(env_all);
  EXPECT_EQ(find_token(std::string("hf_flag"), env_all, config).value, "hf_flag");
  EXPECT_EQ(find_token(std::string("hf_flag"), env_all, config).source, TokenSource::flag);
  EXPECT_EQ(find_token(std::nullopt, env_all, config).value, "hf_fromenv");

  auto env_legacy = map_env({{"HF_HOME", file.home()}, {"HUGGING_FACE_HUB_TOKEN", "hf_legacy"}});
  EXPECT_EQ(find_token(std::nullopt, env_legacy, config).value, "hf_legacy");
  EXPECT_EQ(find_token(std::nullopt, env_legacy, config).source, TokenSource::env_hub_token);

  auto env_file = map_env({{"HF_HOME", file.home()}});
  const auto from_file = find_token(std::nullopt, env_file, load_config(env_file));
  EXPECT_EQ(from_file.value, "hf_fromfile");
  EXPECT_EQ(from_file.source, TokenSource::file);
}

TEST(TokenTest, EmptyOrWhitespaceValuesAreSkipped) {
  TokenFile file("  hf_fromfile \r\n");
  auto env = map_env({{"HF_HOME", file.home()}, {"HF_TOKEN", "  \n"}, {"HUGGING_FACE_HUB_TOKEN", ""}});
  const auto token = find_token(std::string(""), env, load_config(env));
  EXPECT_EQ(token.value, "hf_fromfile");
}

TEST(TokenTest, TokenPathVariableIsHonoured) {
  TokenFile file("hf_elsewhere");
  auto env = map_env({{"HF_TOKEN_PATH", file.home() + "/token"}, {"HF_HOME", "/nonexistent"}});
  EXPECT_EQ(find_token(std::nullopt, env, load_config(env)).value, "hf_elsewhere");
}

TEST(TokenTest, NoTokenAnywhereIsNotAnError) {
  auto env = map_env({{"HF_HOME", "/nonexistent-hfrun-dir"}});
  const auto token = find_token(std::nullopt, env, load_config(env));
  EXPECT_FALSE(token.present());
  EXPECT_EQ(token.source, TokenSource::none);
}

TEST(TokenTest, CleanTokenRemovesNewlinesInsideAndSpacesAround) {
  EXPECT_EQ(clean_token(" hf_ab\r\ncd \n"), "hf_abcd");
  EXPECT_EQ(clean_token("\n\n"), "");
}

} // namespace
} // namespace hfrun::config
