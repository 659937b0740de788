#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/config/config.hpp>

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
  auto env =
      map_env({{"HF_HOME", file.home()}, {"HF_TOKEN", "  \n"}, {"HUGGING_FACE_HUB_TOKEN", ""}});
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

TEST(TokenTest, NoTokenFileGivesNoWarning) {
  auto env = map_env({{"HF_HOME", "/nonexistent-hfrun-dir"}});
  EXPECT_TRUE(find_token(std::nullopt, env, load_config(env)).warnings.empty());
}

TEST(TokenTest, OversizedTokenFileIsIgnoredWithAWarning) {
  TokenFile file("hf_" + std::string(k_max_token_file_bytes, 'a'));
  auto env = map_env({{"HF_HOME", file.home()}});
  const auto token = find_token(std::nullopt, env, load_config(env));
  EXPECT_FALSE(token.present());
  ASSERT_EQ(token.warnings.size(), 1u);
  EXPECT_NE(token.warnings[0].find("too large"), std::string::npos) << token.warnings[0];
  EXPECT_NE(token.warnings[0].find(file.home() + "/token"), std::string::npos) << token.warnings[0];
}

TEST(TokenTest, TokenFileOfExactlyTheLimitIsRead) {
  const std::string value = "hf_" + std::string(k_max_token_file_bytes - 4, 'a');
  TokenFile file(value + "\n");
  auto env = map_env({{"HF_HOME", file.home()}});
  const auto token = find_token(std::nullopt, env, load_config(env));
  EXPECT_EQ(token.value, value);
  EXPECT_TRUE(token.warnings.empty());
}

TEST(TokenTest, UnreadableTokenFileIsSkippedWithAWarning) {
  TokenFile file("");
  const std::string dir_as_token = file.home() + "/token-dir";
  std::filesystem::create_directories(dir_as_token);
  auto env = map_env({{"HF_TOKEN_PATH", dir_as_token}});
  const auto token = find_token(std::nullopt, env, load_config(env));
  EXPECT_FALSE(token.present());
  ASSERT_EQ(token.warnings.size(), 1u);
  EXPECT_NE(token.warnings[0].find(dir_as_token), std::string::npos) << token.warnings[0];
}

TEST(TokenTest, AWarningDoesNotOutliveAnEarlierSource) {
  TokenFile file("hf_" + std::string(k_max_token_file_bytes, 'a'));
  auto env = map_env({{"HF_HOME", file.home()}, {"HF_TOKEN", "hf_fromenv"}});
  const auto token = find_token(std::nullopt, env, load_config(env));
  EXPECT_EQ(token.value, "hf_fromenv");
  EXPECT_TRUE(token.warnings.empty()); // the file was never read
}

TEST(ConfigTest, DumbTerminalMeansNoColour) {
  EXPECT_TRUE(load_config(map_env({{"TERM", "dumb"}})).no_color);
  EXPECT_FALSE(load_config(map_env({{"TERM", "xterm-256color"}})).no_color);
}

TEST(ConfigTest, BadServiceUrlNamesItsVariable) {
  EXPECT_TRUE(check_config(load_config(map_env({}))));
  EXPECT_TRUE(check_config(load_config(map_env({{"HF_ENDPOINT", "http://127.0.0.1:8080"}}))));
  auto bad = check_config(load_config(map_env({{"HF_ENDPOINT", "not a url"}})));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_EQ(bad.error().message, "HF_ENDPOINT is not an http(s) URL: 'not a url'");
  auto router = check_config(load_config(map_env({{"HFRUN_ROUTER_URL", "ftp://x"}})));
  ASSERT_FALSE(router);
  EXPECT_NE(router.error().message.find("HFRUN_ROUTER_URL"), std::string::npos);
  EXPECT_FALSE(check_config(load_config(map_env({{"HFRUN_ENDPOINTS_API_URL", "https://"}}))));
}

TEST(TokenTest, CleanTokenRemovesNewlinesInsideAndSpacesAround) {
  EXPECT_EQ(clean_token(" hf_ab\r\ncd \n"), "hf_abcd");
  EXPECT_EQ(clean_token("\n\n"), "");
}

} // namespace
} // namespace hfrun::config
