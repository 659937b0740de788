// The task table: one entry per Hugging Face pipeline task hfrun can run, shared by every backend
// (serverless router, dedicated endpoints, local). What a task is: its name, what input it takes,
// whether its result is binary, and which user parameters are input fields.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hfrun::tasks {

enum class TaskId {
  text_classification,
  token_classification,
  question_answering,
  summarization,
  translation,
  fill_mask,
  feature_extraction,
  sentence_similarity,
  text_ranking,
  zero_shot_classification,
  table_question_answering,
  text_generation,
  conversational,
  text_to_image,
  image_to_image,
  image_classification,
  object_detection,
  image_segmentation,
  image_to_text,
  automatic_speech_recognition,
  audio_classification,
  audio_to_audio,
  text_to_speech,
  zero_shot_image_classification,
  visual_question_answering,
  document_question_answering,
  tabular_classification,
  tabular_regression,
  text_to_video,
  image_to_video,
};

// What the task's primary input is.
enum class InputKind {
  text,       // --text
  binary,     // --file (image, audio, document)
  structured, // several fields (question + context, query + table, ...) or a table
};

struct TaskSpec {
  TaskId id;
  std::string_view name; // the pipeline tag, e.g. "image-classification"
  InputKind input;
  bool binary_output;                       // the result is an image, audio or video file
  std::span<const std::string_view> fields; // user parameter keys that are input fields
  std::string_view accept;                  // Accept header the task asks for ("" = none)
  std::string_view summary;                 // one line for --help and docs
  std::string_view example;                 // the input options of a typical call, for --help
};

// Every task, in the order of the docs.
[[nodiscard]] std::span<const TaskSpec> all_tasks();

// The task of that name, or an alias ("text-to-audio" = text-to-speech, "chat" = conversational);
// nullptr when unknown.
[[nodiscard]] const TaskSpec* find_task(std::string_view name);

// The task of that id (always exists).
[[nodiscard]] const TaskSpec& task(TaskId id);

// Chat or text generation: the tasks whose output is text that can arrive as a stream.
[[nodiscard]] bool is_generation(TaskId id);

// What the user gave for one run, already parsed by the CLI (or read from a batch line).
struct Inputs {
  std::optional<std::string> text;                  // --text
  std::optional<std::filesystem::path> file;        // --file (stdin already spooled to a file)
  std::optional<nlohmann::json> inputs;             // --inputs: replaces the whole "inputs" value
  nlohmann::json params = nlohmann::json::object(); // key=value pairs as JSON values
  // Chat only: --system TEXT and --messages (a JSON array, or @path of a file holding one).
  std::optional<std::string> system;
  std::optional<std::string> messages;
};

} // namespace hfrun::tasks
