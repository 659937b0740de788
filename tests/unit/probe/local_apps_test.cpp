// One case per branch of the displayOnModelPage table (hub.md §2.1).
#include <gtest/gtest.h>
#include <hfrun/probe/local_apps.hpp>
#include <set>
#include <string>

namespace hfrun::probe {
namespace {

using nlohmann::json;

// Names each parameterized case after its `name` field.
template <class Case> std::string case_name(const ::testing::TestParamInfo<Case>& p) {
  return p.param.name;
}

struct AppCase {
  const char* name;
  const char* model_info;
  std::set<std::string> expected;
};

std::set<std::string> shown_apps(const json& model) {
  std::set<std::string> out;
  for (const auto& app : local_apps()) {
    if (app.shown(model)) {
      out.emplace(app.key);
    }
  }
  return out;
}

const std::set<std::string> k_gguf_apps = {"llama.cpp",   "node-llama-cpp",
                                           "lmstudio",    "localai",
                                           "jan",         "backyard",
                                           "sanctum",     "msty",
                                           "ollama",      "recursechat",
                                           "atomic-chat", "jellybox",
                                           "unsloth",     "docker-model-runner",
                                           "lemonade"};

std::set<std::string> with(std::set<std::string> base, std::initializer_list<const char*> more) {
  for (const char* m : more) {
    base.emplace(m);
  }
  return base;
}

class LocalAppPredicates : public ::testing::TestWithParam<AppCase> {};

TEST_P(LocalAppPredicates, ShowExactlyTheAppsTheSiteShows) {
  const AppCase& c = GetParam();
  json model = json::parse(c.model_info);
  EXPECT_EQ(shown_apps(model), c.expected) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    LocalAppPredicates,
    ::testing::Values(
        AppCase{"EmptyModel", R"({"id":"a/b","tags":[]})", {}},
        AppCase{"GgufWithContextLength",
                R"({"tags":["gguf"],"gguf":{"total":1,"context_length":4096}})", k_gguf_apps},
        AppCase{"GgufTextGenerationAlsoVllm",
                R"({"pipeline_tag":"text-generation","tags":["gguf"],
                    "gguf":{"context_length":4096}})",
                with(k_gguf_apps, {"vllm"})},
        AppCase{"GgufWithoutContextLength",
                R"({"pipeline_tag":"text-generation","tags":["gguf"],
                    "gguf":{"total":1,"architecture":"flux"}})",
                {}},
        AppCase{
            "GgufContextLengthZeroIsFalsy", R"({"tags":["gguf"],"gguf":{"context_length":0}})", {}},
        AppCase{"AwqTextGeneration",
                R"({"pipeline_tag":"text-generation","tags":[],
                    "config":{"quantization_config":{"quant_method":"awq"}}})",
                {"vllm", "sglang", "docker-model-runner"}},
        AppCase{"GptqTextGeneration",
                R"({"pipeline_tag":"text-generation","tags":[],
                    "config":{"quantization_config":{"quant_method":"gptq"}}})",
                {"vllm", "sglang", "docker-model-runner"}},
        AppCase{"AqlmImageTextToText",
                R"({"pipeline_tag":"image-text-to-text","tags":[],
                    "config":{"quantization_config":{"quant_method":"aqlm"}}})",
                {"vllm", "sglang", "docker-model-runner"}},
        AppCase{"MarlinTextGeneration",
                R"({"pipeline_tag":"text-generation","tags":[],
                    "config":{"quantization_config":{"quant_method":"marlin"}}})",
                {"vllm", "sglang", "docker-model-runner"}},
        AppCase{"OtherQuantMethodIsNotEnough",
                R"({"pipeline_tag":"text-generation","tags":[],
                    "config":{"quantization_config":{"quant_method":"bitsandbytes"}}})",
                {}},
        AppCase{"AwqButNotGenerative",
                R"({"pipeline_tag":"text-classification","tags":[],
                    "config":{"quantization_config":{"quant_method":"awq"}}})",
                {}},
        AppCase{"TransformersTextGeneration",
                R"({"pipeline_tag":"text-generation","tags":["transformers"]})",
                {"vllm", "sglang", "docker-model-runner"}},
        AppCase{"TransformersLibraryNameWithoutTagIsNotEnough",
                R"({"pipeline_tag":"text-generation","library_name":"transformers","tags":[]})",
                {}},
        AppCase{"TransformersClassifier",
                R"({"pipeline_tag":"text-classification","tags":["transformers"]})",
                {}},
        AppCase{"TgiTag", R"({"tags":["text-generation-inference"]})", {"tgi"}},
        AppCase{"MlxTextGeneration",
                R"({"pipeline_tag":"text-generation","tags":["mlx"]})",
                {"mlx-lm", "lmstudio", "atomic-chat"}},
        AppCase{"MlxOtherTask",
                R"({"pipeline_tag":"automatic-speech-recognition","tags":["mlx"]})",
                {"lmstudio", "atomic-chat"}},
        AppCase{"DiffusersTextToImageWithSafetensors",
                R"({"library_name":"diffusers","pipeline_tag":"text-to-image",
                    "tags":["diffusers","safetensors"]})",
                {"jellybox", "drawthings", "diffusionbee"}},
        AppCase{
            "DiffusersTextToImageWithoutSafetensors",
            R"({"library_name":"diffusers","pipeline_tag":"text-to-image","tags":["diffusers"]})",
            {"drawthings", "diffusionbee"}},
        AppCase{"DiffusersLora",
                R"({"library_name":"diffusers","tags":["diffusers","safetensors","lora"]})",
                {"jellybox", "drawthings"}},
        AppCase{"DiffusersOtherTask",
                R"({"library_name":"diffusers","pipeline_tag":"image-to-image",
                    "tags":["diffusers","safetensors"]})",
                {}},
        AppCase{
            "TextToImageWithoutDiffusers",
            R"({"library_name":"transformers","pipeline_tag":"text-to-image","tags":["safetensors"]})",
            {}},
        AppCase{"JoyFusion",
                R"({"pipeline_tag":"text-to-image","tags":["coreml","joyfusion"]})",
                {"joyfusion"}},
        AppCase{"CoremlWithoutJoyfusionTag",
                R"({"pipeline_tag":"text-to-image","tags":["coreml"]})",
                {}},
        AppCase{"UnslothTag", R"({"tags":["unsloth"]})", {"unsloth"}},
        AppCase{"RyzenAiHybrid", R"({"tags":["ryzenai-hybrid"]})", {"lemonade"}},
        AppCase{"RyzenAiNpu", R"({"tags":["ryzenai-npu"]})", {"lemonade"}},
        AppCase{"GgufToolCallingAgent",
                R"({"tags":["gguf","conversational"],
                    "gguf":{"context_length":8192,"chat_template":"{% if tools %}...{% endif %}"}})",
                with(k_gguf_apps, {"pi", "hermes-agent", "openclaw"})},
        AppCase{"GgufConversationalWithoutTools",
                R"({"tags":["gguf","conversational"],
                    "gguf":{"context_length":8192,"chat_template":"{{ messages }}"}})",
                k_gguf_apps},
        AppCase{"GgufToolsButNotConversational",
                R"({"tags":["gguf"],"gguf":{"context_length":8192,"chat_template":"tools"}})",
                k_gguf_apps},
        AppCase{"MlxToolsFromTokenizerConfig",
                R"({"pipeline_tag":"text-generation","tags":["mlx","conversational"],
                    "config":{"tokenizer_config":{"chat_template":"{% if tools %}{% endif %}"}}})",
                {"mlx-lm", "lmstudio", "atomic-chat", "pi", "hermes-agent", "openclaw"}},
        AppCase{"MlxToolsFromChatTemplateJinja",
                R"({"tags":["mlx","conversational"],
                    "config":{"chat_template_jinja":"tools",
                              "tokenizer_config":{"chat_template":"plain"}}})",
                {"lmstudio", "atomic-chat", "pi", "hermes-agent", "openclaw"}},
        AppCase{"GgufTemplateWinsOverConfigTemplate",
                R"({"tags":["gguf","conversational"],
                    "gguf":{"context_length":8192,"chat_template":"plain"},
                    "config":{"chat_template_jinja":"tools"}})",
                k_gguf_apps},
        AppCase{"TemplateListIsAnArrayIncludes",
                R"({"tags":["mlx","conversational"],
                    "config":{"tokenizer_config":{"chat_template":
                      [{"name":"tool_use","template":"{% if tools %}{% endif %}"}]}}})",
                {"lmstudio", "atomic-chat"}},
        AppCase{"ToolsWithoutGgufOrMlx",
                R"({"tags":["transformers","conversational"],
                    "config":{"chat_template_jinja":"tools"}})",
                {}}),
    case_name<AppCase>);

TEST(LocalApps, TableHasUniqueKeysInSiteOrder) {
  std::set<std::string> keys;
  for (const auto& app : local_apps()) {
    EXPECT_TRUE(keys.emplace(app.key).second) << app.key;
    EXPECT_FALSE(app.label.empty());
    EXPECT_NE(app.shown, nullptr);
  }
  EXPECT_EQ(local_apps().front().key, "llama.cpp");
  EXPECT_EQ(keys.size(), 25u);
}

TEST(LocalApps, SnippetQuotesTheIdInCommandsOnly) {
  const LocalApp* ollama = nullptr;
  const LocalApp* lmstudio = nullptr;
  const LocalApp* localai = nullptr;
  for (const auto& app : local_apps()) {
    ollama = app.key == "ollama" ? &app : ollama;
    lmstudio = app.key == "lmstudio" ? &app : lmstudio;
    localai = app.key == "localai" ? &app : localai;
  }
  ASSERT_TRUE(ollama && lmstudio && localai);
  EXPECT_EQ(local_app_snippet(*ollama, "ggml-org/gemma-3-1b-it-GGUF"),
            "ollama run hf.co/ggml-org/gemma-3-1b-it-GGUF");
  EXPECT_EQ(local_app_snippet(*ollama, "a/b c"), "ollama run hf.co/'a/b c'");
  EXPECT_EQ(local_app_snippet(*lmstudio, "a/b"), "lmstudio://open_from_hf?model=a/b");
  EXPECT_EQ(local_app_snippet(*localai, "a/b"), "Use this model → LocalAI");
}

TEST(LocalAppFacts, GgufFilesAreSeenWithoutAParsedContextLength) {
  EXPECT_TRUE(
      facts::has_gguf_files(json::parse(R"({"siblings":[{"rfilename":"m-Q4_K_M.gguf"}]})")));
  EXPECT_TRUE(facts::has_gguf_files(json::parse(R"({"tags":["gguf"]})")));
  EXPECT_TRUE(facts::has_gguf_files(json::parse(R"({"gguf":{"total":1}})")));
  EXPECT_FALSE(
      facts::has_gguf_files(json::parse(R"({"siblings":[{"rfilename":"model.safetensors"}]})")));
  EXPECT_FALSE(facts::is_llamacpp_gguf(json::parse(R"({"gguf":{"total":1}})")));
}

TEST(LocalAppFacts, MistypedFieldsReadAsAbsent) {
  json odd = json::parse(R"({"tags":"gguf","gguf":[],"config":{"quantization_config":"awq"},
                            "pipeline_tag":7})");
  EXPECT_FALSE(facts::has_tag(odd, "gguf"));
  EXPECT_FALSE(facts::is_llamacpp_gguf(odd));
  EXPECT_FALSE(facts::has_quant_method(odd, "awq"));
  EXPECT_EQ(facts::string_field(odd, "pipeline_tag"), "");
  EXPECT_TRUE(shown_apps(odd).empty());
  EXPECT_TRUE(shown_apps(json::array()).empty());
}

} // namespace
} // namespace hfrun::probe
