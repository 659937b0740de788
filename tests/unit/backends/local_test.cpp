// The local backend's choices, from a model's file list: the runtime (auto: GGUF first, then ONNX),
// the GGUF picked by quantization or by memory, the ONNX dtype and the files fetched for it, the
// errors that name the way that can run the model, and the task from config.json's architectures.
#include <gtest/gtest.h>
#include <hfrun/backends/local.hpp>

namespace hfrun::backends {
namespace {

constexpr std::uint64_t k_gib = 1ull << 30;

std::vector<RepoFile> gguf_repo() {
  return {{"README.md", 100},
          {"model-Q2_K.gguf", 1 * k_gib},
          {"model-Q4_K_M.gguf", 2 * k_gib},
          {"model-Q4_K_S.gguf", 2 * k_gib - 1},
          {"model-Q8_0.gguf", 4 * k_gib},
          {"mmproj-model-f16.gguf", 1 * k_gib}};
}

std::vector<RepoFile> onnx_repo() {
  return {{"README.md", 100},
          {"config.json", 500},
          {"tokenizer.json", 5000},
          {"tokenizer_config.json", 300},
          {"vocab.txt", 2000},
          {"onnx/model.onnx", 90000},
          {"onnx/model_quantized.onnx", 30000},
          {"onnx/model_fp16.onnx", 45000},
          {"pytorch_model.bin", 100000}};
}

TEST(LocalChoice, AutoTakesTheLargestGgufThatFitsInMemory) {
  auto choice = choose_local_files(gguf_repo(), "auto", "", 3 * k_gib, "org/m-GGUF");
  ASSERT_TRUE(choice) << choice.error().message;
  EXPECT_EQ(choice->runtime->name, "llama.cpp");
  EXPECT_EQ(choice->files, std::vector<std::string>{"model-Q4_K_M.gguf"});
  EXPECT_EQ(choice->model_path, "model-Q4_K_M.gguf");
}

TEST(LocalChoice, NoGgufFitsTakesTheSmallestAndSaysSo) {
  auto choice = choose_local_files(gguf_repo(), "auto", "", k_gib / 2, "org/m-GGUF");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->model_path, "model-Q2_K.gguf");
  EXPECT_NE(choice->why.find("none fits"), std::string::npos) << choice->why;
}

TEST(LocalChoice, QuantPicksTheFileNamingItAsAWord) {
  auto choice = choose_local_files(gguf_repo(), "auto", "q4_k_s", k_gib, "org/m-GGUF");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->model_path, "model-Q4_K_S.gguf");
}

TEST(LocalChoice, UnknownQuantIsAUsageErrorListingTheFiles) {
  auto choice = choose_local_files(gguf_repo(), "llama.cpp", "Q5_K_M", k_gib, "org/m-GGUF");
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.error().kind, ErrorKind::usage);
  EXPECT_NE(choice.error().hint.find("model-Q4_K_M.gguf"), std::string::npos);
  EXPECT_EQ(choice.error().hint.find("mmproj"), std::string::npos) << choice.error().hint;
}

TEST(LocalChoice, SplitGgufFetchesEveryPartAndLoadsTheFirst) {
  const std::vector<RepoFile> files{{"Q8_0/big-Q8_0-00002-of-00002.gguf", 3 * k_gib},
                                    {"Q8_0/big-Q8_0-00001-of-00002.gguf", 3 * k_gib},
                                    {"big-Q4_K_M.gguf", 4 * k_gib}};
  auto choice = choose_local_files(files, "auto", "", 7 * k_gib, "org/big");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->files, (std::vector<std::string>{"Q8_0/big-Q8_0-00001-of-00002.gguf",
                                                     "Q8_0/big-Q8_0-00002-of-00002.gguf"}));
  EXPECT_EQ(choice->model_path, "Q8_0/big-Q8_0-00001-of-00002.gguf");
}

TEST(LocalChoice, OnnxFetchesTheConfigFilesAndOneWeightFile) {
  auto choice = choose_local_files(onnx_repo(), "auto", "", k_gib, "Xenova/m");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->runtime->name, "transformers.js");
  EXPECT_EQ(choice->dtype, "fp32");
  EXPECT_EQ(choice->files,
            (std::vector<std::string>{"config.json", "tokenizer.json", "tokenizer_config.json",
                                      "vocab.txt", "onnx/model.onnx"}));
}

TEST(LocalChoice, OnnxDtypeFromQuantAndItsExternalData) {
  auto files = onnx_repo();
  files.push_back({"onnx/model_quantized.onnx_data", 7});
  auto choice = choose_local_files(files, "transformers.js", "q8", k_gib, "Xenova/m");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->dtype, "q8");
  EXPECT_EQ(choice->files.back(), "onnx/model_quantized.onnx_data");
  EXPECT_EQ(choice->files[choice->files.size() - 2], "onnx/model_quantized.onnx");
}

TEST(LocalChoice, ForcedRuntimeWithoutItsWeightsNamesTheOther) {
  auto choice = choose_local_files(onnx_repo(), "llama.cpp", "", k_gib, "Xenova/m");
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.error().kind, ErrorKind::usage);
  EXPECT_NE(choice.error().hint.find("--runtime transformers.js"), std::string::npos);
}

TEST(LocalChoice, SafetensorsRunWithTransformers) {
  const std::vector<RepoFile> files{{"README.md", 1},           {"config.json", 1},
                                    {"tokenizer.json", 1},      {"model.safetensors", 100},
                                    {"pytorch_model.bin", 100}, {"onnx-not/model.onnx", 1}};
  auto choice = choose_local_files(files, "auto", "", k_gib, "org/pt");
  ASSERT_TRUE(choice) << choice.error().message;
  EXPECT_EQ(choice->runtime->name, "transformers");
  EXPECT_EQ(choice->files,
            (std::vector<std::string>{"config.json", "tokenizer.json", "model.safetensors"}));
}

TEST(LocalChoice, PytorchBinWhenThereIsNoSafetensors) {
  const std::vector<RepoFile> files{{"config.json", 1}, {"pytorch_model.bin", 100}};
  auto choice = choose_local_files(files, "transformers", "", k_gib, "org/pt");
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->files, (std::vector<std::string>{"config.json", "pytorch_model.bin"}));
}

TEST(LocalChoice, NoRunnableWeightsIsNotFoundPointingAtProbe) {
  const std::vector<RepoFile> files{{"config.json", 1}, {"tf_model.h5", 100}};
  auto choice = choose_local_files(files, "auto", "", k_gib, "org/pt-only");
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.error().kind, ErrorKind::not_found);
  EXPECT_NE(choice.error().hint.find("hfrun probe org/pt-only"), std::string::npos);
}

TEST(LocalChoice, TaskFromArchitectures) {
  EXPECT_EQ(task_from_architectures({{"architectures", {"BertForSequenceClassification"}}}),
            "text-classification");
  EXPECT_EQ(task_from_architectures({{"architectures", {"ViTForImageClassification"}}}),
            "image-classification");
  EXPECT_EQ(task_from_architectures({{"architectures", {"BertModel"}}}), "feature-extraction");
  EXPECT_EQ(task_from_architectures({{"architectures", {"LlamaForCausalLM"}}}), "text-generation");
  EXPECT_EQ(task_from_architectures({{"architectures", {"WhisperForConditionalGeneration"}}}), "");
  EXPECT_EQ(task_from_architectures({{"architectures", "BertModel"}}), "");
}

} // namespace
} // namespace hfrun::backends
