// The task table. One row per task; aliases resolve to a row.
#include <array>
#include <hfrun/tasks/task.hpp>

namespace hfrun::tasks {
namespace {

using F = std::string_view;
constexpr std::array<F, 0> k_none{};
constexpr std::array<F, 2> k_qa{"question", "context"};
constexpr std::array<F, 2> k_table_qa{"query", "table"};
constexpr std::array<F, 2> k_similarity{"source_sentence", "sentences"};
constexpr std::array<F, 2> k_ranking{"query", "texts"};
constexpr std::array<F, 1> k_question{"question"};
constexpr std::array<F, 2> k_tabular{"data", "table"};

constexpr TaskSpec row(TaskId id,
                       F name,
                       InputKind input,
                       bool binary_output,
                       std::span<const F> fields,
                       F accept,
                       F summary,
                       F example) {
  return TaskSpec{id, name, input, binary_output, fields, accept, summary, example};
}

// Order: docs/outputs.md follows it. `accept`: Python's InferenceClient asks for image/png for the
// two image-producing tasks (servers may still answer image/jpeg).
constexpr std::array k_tasks{
    row(TaskId::text_classification,
        "text-classification",
        InputKind::text,
        false,
        k_none,
        "",
        "labels and scores for a text",
        "--text 'I like you'"),
    row(TaskId::token_classification,
        "token-classification",
        InputKind::text,
        false,
        k_none,
        "",
        "named entities in a text",
        "--text 'My name is Sarah and I live in London'"),
    row(TaskId::question_answering,
        "question-answering",
        InputKind::structured,
        false,
        k_qa,
        "",
        "extract an answer from a context",
        "question='What is my name?' context='My name is Clara.'"),
    row(TaskId::summarization,
        "summarization",
        InputKind::text,
        false,
        k_none,
        "",
        "summarize a text",
        "--text @article.txt"),
    row(TaskId::translation,
        "translation",
        InputKind::text,
        false,
        k_none,
        "",
        "translate a text",
        "--text 'My name is Wolfgang'"),
    row(TaskId::fill_mask,
        "fill-mask",
        InputKind::text,
        false,
        k_none,
        "",
        "candidates for a masked token",
        "--text 'Paris is the [MASK] of France.'"),
    row(TaskId::feature_extraction,
        "feature-extraction",
        InputKind::text,
        false,
        k_none,
        "",
        "embeddings of a text",
        "--text 'That is a happy person'"),
    row(TaskId::sentence_similarity,
        "sentence-similarity",
        InputKind::structured,
        false,
        k_similarity,
        "",
        "similarity of sentences to a source sentence",
        "source_sentence='That is a happy person' sentences:='[\"That is a happy dog\"]'"),
    row(TaskId::text_ranking,
        "text-ranking",
        InputKind::structured,
        false,
        k_ranking,
        "",
        "rank texts by relevance to a query (rerankers)",
        "query='What is Deep Learning?' texts:='[\"Deep learning is...\", \"cheese\"]'"),
    row(TaskId::zero_shot_classification,
        "zero-shot-classification",
        InputKind::text,
        false,
        k_none,
        "",
        "score a text against labels you choose",
        "--text 'I want my money back' candidate_labels:='[\"refund\",\"legal\"]'"),
    row(TaskId::table_question_answering,
        "table-question-answering",
        InputKind::structured,
        false,
        k_table_qa,
        "",
        "answer a question about a table",
        "query='How many stars?' table=@table.json"),
    row(TaskId::text_generation,
        "text-generation",
        InputKind::text,
        false,
        k_none,
        "",
        "continue a text (OpenAI completions)",
        "--text 'The answer to the universe is' max_new_tokens:=20"),
    row(TaskId::conversational,
        "conversational",
        InputKind::text,
        false,
        k_none,
        "",
        "chat completion (OpenAI-compatible)",
        "--text 'Hello' max_tokens:=64"),
    row(TaskId::text_to_image,
        "text-to-image",
        InputKind::text,
        true,
        k_none,
        "image/png",
        "generate an image from a prompt",
        "--text 'an astronaut riding a horse' -o out.png"),
    row(TaskId::image_to_image,
        "image-to-image",
        InputKind::binary,
        true,
        k_none,
        "image/png",
        "transform an image",
        "--file in.png prompt='make it blue' -o out.png"),
    row(TaskId::image_classification,
        "image-classification",
        InputKind::binary,
        false,
        k_none,
        "",
        "labels and scores for an image",
        "--file cat.png"),
    row(TaskId::object_detection,
        "object-detection",
        InputKind::binary,
        false,
        k_none,
        "",
        "objects and their boxes in an image",
        "--file street.jpg"),
    row(TaskId::image_segmentation,
        "image-segmentation",
        InputKind::binary,
        false,
        k_none,
        "",
        "segments (label, mask) of an image",
        "--file room.jpg"),
    row(TaskId::image_to_text,
        "image-to-text",
        InputKind::binary,
        false,
        k_none,
        "",
        "caption an image",
        "--file photo.jpg"),
    row(TaskId::automatic_speech_recognition,
        "automatic-speech-recognition",
        InputKind::binary,
        false,
        k_none,
        "",
        "transcribe speech",
        "--file speech.flac"),
    row(TaskId::audio_classification,
        "audio-classification",
        InputKind::binary,
        false,
        k_none,
        "",
        "labels and scores for a sound",
        "--file sample.wav"),
    row(TaskId::audio_to_audio,
        "audio-to-audio",
        InputKind::binary,
        true,
        k_none,
        "",
        "separate or enhance audio",
        "--file noisy.wav -o clean.flac"),
    row(TaskId::text_to_speech,
        "text-to-speech",
        InputKind::text,
        true,
        k_none,
        "",
        "speak a text",
        "--text 'Hello world' -o hello.flac"),
    row(TaskId::zero_shot_image_classification,
        "zero-shot-image-classification",
        InputKind::binary,
        false,
        k_none,
        "",
        "score an image against labels you choose",
        "--file cat.png candidate_labels:='[\"cat\",\"dog\"]'"),
    row(TaskId::visual_question_answering,
        "visual-question-answering",
        InputKind::binary,
        false,
        k_question,
        "",
        "answer a question about an image",
        "--file cat.png question='What colour is the cat?'"),
    row(TaskId::document_question_answering,
        "document-question-answering",
        InputKind::binary,
        false,
        k_question,
        "",
        "answer a question about a document image",
        "--file invoice.png question='What is the invoice number?'"),
    row(TaskId::tabular_classification,
        "tabular-classification",
        InputKind::structured,
        false,
        k_tabular,
        "",
        "classify the rows of a table",
        "--file wine.csv"),
    row(TaskId::tabular_regression,
        "tabular-regression",
        InputKind::structured,
        false,
        k_tabular,
        "",
        "predict a number for each row of a table",
        "--file fish.csv"),
    // Video: third-party providers only; they queue the job and hfrun polls it to completion.
    row(TaskId::text_to_video,
        "text-to-video",
        InputKind::text,
        true,
        k_none,
        "",
        "generate a video from a prompt (queued on the provider)",
        "--text 'a cat playing piano' -o cat.mp4"),
    row(TaskId::image_to_video,
        "image-to-video",
        InputKind::binary,
        true,
        k_none,
        "",
        "animate an image (queued on the provider)",
        "--file cat.png prompt='the cat turns its head' -o cat.mp4"),
};

struct Alias {
  F name;
  TaskId id;
};
constexpr std::array k_aliases{
    Alias{"text-to-audio", TaskId::text_to_speech},
    Alias{"chat", TaskId::conversational},
    Alias{"chat-completion", TaskId::conversational},
};

} // namespace

std::span<const TaskSpec> all_tasks() {
  return k_tasks;
}

const TaskSpec& task(TaskId id) {
  for (const auto& spec : k_tasks) {
    if (spec.id == id) {
      return spec;
    }
  }
  return k_tasks.front(); // unreachable: every id has a row (checked by a unit test)
}

bool is_generation(TaskId id) {
  return id == TaskId::conversational || id == TaskId::text_generation;
}

const TaskSpec* find_task(std::string_view name) {
  for (const auto& spec : k_tasks) {
    if (spec.name == name) {
      return &spec;
    }
  }
  for (const auto& alias : k_aliases) {
    if (alias.name == name) {
      return &task(alias.id);
    }
  }
  return nullptr;
}

} // namespace hfrun::tasks
