// render(): snapshots of the terminal output (no colour) for the main shapes.
#include "support.hpp"

#include <gtest/gtest.h>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/render.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;

std::string
rendered(std::string_view task_name, std::string_view body, RenderOptions options = {}) {
  const TaskSpec& spec = *find_task(task_name);
  auto normalized = decode(spec, "application/json", body);
  EXPECT_TRUE(normalized) << (normalized ? "" : normalized.error().message);
  return normalized ? render(spec, *normalized, options) : std::string();
}

TEST(TaskRender, LabelsAsATableWithBars) {
  EXPECT_EQ(rendered("text-classification",
                     R"([[{"label":"POSITIVE","score":0.75},{"label":"NEGATIVE","score":0.25}]])",
                     {false, 40, {}}),
            "POSITIVE  0.7500  ████████████████▌\n"
            "NEGATIVE  0.2500  █████▌\n");
  EXPECT_EQ(rendered("image-classification", R"([{"label":"tabby, tabby cat","score":0.5625}])",
                     {false, 36, {}}),
            "tabby, tabby cat  0.5625  █████▋\n");
}

TEST(TaskRender, EntitiesInlineInTheText) {
  const std::string body =
      R"([{"entity_group":"PER","score":0.9991,"word":"Sarah Jessica Parker","start":11,"end":31},{"entity_group":"PER","score":0.9979,"word":"Jessica","start":52,"end":59}])";
  EXPECT_EQ(
      rendered("token-classification", body,
               {false, 80, "My name is Sarah Jessica Parker but you can call me Jessica"}),
      "My name is [Sarah Jessica Parker](PER 1.00) but you can call me [Jessica](PER 1.00)\n");
  // Offsets count characters, not bytes.
  EXPECT_EQ(rendered("token-classification",
                     R"([{"entity_group":"LOC","score":0.5,"word":"Zürich","start":7,"end":13}])",
                     {false, 80, "Grüße, Zürich!"}),
            "Grüße, [Zürich](LOC 0.50)!\n");
  // Without the text: a table.
  EXPECT_EQ(rendered("token-classification", body, {false, 40, {}}),
            "Sarah Jessica Parker  0.9991  ██████████  PER [11:31]\n"
            "Jessica               0.9979  ██████████  PER [52:59]\n");
}

TEST(TaskRender, NoEscapesWithoutColourAndEscapesWithIt) {
  const std::string body = R"([{"label":"A","score":1.0}])";
  EXPECT_EQ(rendered("text-classification", body, {false, 80, {}}).find('\x1b'), std::string::npos);
  EXPECT_NE(rendered("text-classification", body, {true, 80, {}}).find("\x1b[36m"),
            std::string::npos);
}

TEST(TaskRender, AnswersObjectsAndText) {
  EXPECT_EQ(rendered("question-answering",
                     R"({"score":0.97034,"start":25,"end":30,"answer":"Paris"})", {false, 30, {}}),
            "Paris  0.9703  █████████▊  [25:30]\n");
  EXPECT_EQ(
      rendered("object-detection",
               R"([{"score":0.5,"label":"cat","box":{"xmin":1,"ymin":2,"xmax":30,"ymax":40}}])",
               {false, 20, {}}),
      "cat  0.5000  █████  box (1, 2) – (30, 40)\n");
  EXPECT_EQ(rendered("summarization", R"([{"summary_text":"Short."}])"), "Short.\n");
  EXPECT_EQ(rendered("automatic-speech-recognition", R"({"text":"hello world"})"), "hello world\n");
  EXPECT_EQ(
      rendered(
          "table-question-answering",
          R"({"answer":"AVERAGE > 36542","coordinates":[[0,1]],"cells":["36542"],"aggregator":"AVERAGE"})"),
      "AVERAGE > 36542\n  aggregator: AVERAGE\n  cells: 36542\n  coordinates: [[0,1]]\n");
}

TEST(TaskRender, EmbeddingsSummarised) {
  EXPECT_EQ(rendered("feature-extraction", "[3.0, 4.0, 0.0, 0.0, 0.0, 1.0]"),
            "embeddings: shape 1×6 (dimension 6)\n"
            "  [0] L2 norm 5.0990  first values: 3.0000, 4.0000, 0.0000, 0.0000, 0.0000, …\n");
}

TEST(TaskRender, BatchesAndBinaryMetadata) {
  EXPECT_EQ(
      rendered("translation", R"([{"translation_text":"Hallo"},{"translation_text":"Welt"}])"),
      "── 1 ──\nHallo\n── 2 ──\nWelt\n");
  const TaskSpec& tts = *find_task("text-to-speech");
  EXPECT_EQ(
      render(tts,
             json{{"task", "text-to-speech"}, {"content_type", "audio/flac"}, {"bytes", 1234}}),
      "audio/flac, 1234 bytes\n");
}

TEST(TaskRender, ChatContent) {
  EXPECT_EQ(
      rendered(
          "conversational",
          R"({"choices":[{"message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}]})"),
      "Hi there\n");
}

} // namespace
} // namespace hfrun::tasks
