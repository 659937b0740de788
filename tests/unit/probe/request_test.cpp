#include <algorithm>
#include <gtest/gtest.h>
#include <hfrun/probe/commands.hpp>
#include <hfrun/probe/request.hpp>

namespace hfrun::probe {
namespace {

using nlohmann::json;

TEST(ExpandFields, NameEveryFieldTheRulesRead) {
  const auto& fields = expand_fields();
  for (std::string_view f :
       {"pipeline_tag", "library_name", "tags", "gguf", "config", "transformersInfo", "safetensors",
        "siblings", "spaces", "inference", "inferenceProviderMapping", "gated", "private",
        "disabled", "sha", "cardData"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  EXPECT_EQ(fields.size(), 16u);
}

TEST(ModelInfoTarget, RepeatsExpandForEachField) {
  std::string target = model_info_target("ggml-org/gemma-3-1b-it-GGUF");
  EXPECT_TRUE(target.starts_with(
      "/api/models/ggml-org/gemma-3-1b-it-GGUF?expand[]=pipeline_tag&expand[]=library_name&"))
      << target;
  EXPECT_TRUE(target.ends_with("&expand[]=sha&expand[]=cardData")) << target;
}

TEST(ModelInfoTarget, EncodesTheRevisionWhole) {
  std::string target = model_info_target("a/b", "refs/pr/1");
  EXPECT_TRUE(target.starts_with("/api/models/a/b/revision/refs%2Fpr%2F1?expand[]=")) << target;
}

TEST(SpacesToCheck, TakesTheFirstFewStrings) {
  json info = {{"spaces", {"o/1", 2, "o/2", "o/3", "o/4", "o/5", "o/6"}}};
  EXPECT_EQ(spaces_to_check(info), (std::vector<std::string>{"o/1", "o/2", "o/3", "o/4", "o/5"}));
  EXPECT_TRUE(spaces_to_check(json::parse(R"({"spaces":"o/1"})")).empty());
  EXPECT_TRUE(spaces_to_check(json::object()).empty());
  EXPECT_TRUE(spaces_to_check(json()).empty());
}

TEST(SpaceRuntimeTarget, PointsAtTheRuntimeRoute) {
  EXPECT_EQ(space_runtime_target("mteb/leaderboard"), "/api/spaces/mteb/leaderboard/runtime");
}

TEST(ShellQuote, LeavesSafeWordsAlone) {
  EXPECT_EQ(shell_quote("meta-llama/Llama-3.1-8B-Instruct"), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), R"('it'\''s')");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(SampleInput, FitsTheTask) {
  EXPECT_EQ(sample_input("conversational"), R"(--text "Hello")");
  EXPECT_EQ(sample_input("image-classification"), "--file image.png");
  EXPECT_EQ(sample_input("automatic-speech-recognition"), "--file audio.wav");
  EXPECT_EQ(sample_input("question-answering"),
            R"(question="Where do I live?" context="My name is Sarah and I live in London")");
  EXPECT_TRUE(sample_input("text-to-image").ends_with("-o image.png"));
  EXPECT_EQ(sample_input("something-new"), R"(--text "Hello")");
  EXPECT_EQ(sample_input(""), R"(--text "Hello")");
}

TEST(EndpointName, IsAValidEndpointName) {
  EXPECT_EQ(endpoint_name_for("meta-llama/Llama-3.1-8B-Instruct"), "llama-3-1-8b-instruct");
  EXPECT_EQ(endpoint_name_for("sentence-transformers/all-MiniLM-L6-v2"), "all-minilm-l6-v2");
  EXPECT_EQ(endpoint_name_for("gpt2"), "gpt2");
  EXPECT_EQ(endpoint_name_for("o/__x__"), "x");
  EXPECT_EQ(endpoint_name_for("o/___"), "my-endpoint");
  std::string long_name = endpoint_name_for("o/" + std::string(40, 'a') + "-b");
  EXPECT_EQ(long_name.size(), 32u);
  EXPECT_EQ(endpoint_name_for("o/" + std::string(31, 'a') + "-b"), std::string(31, 'a'));
}

} // namespace
} // namespace hfrun::probe
