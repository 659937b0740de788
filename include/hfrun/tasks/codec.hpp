// The task codec: how a task's inputs become a request body, and how a response body becomes the
// task's normalized JSON (the schemas of docs/outputs.md). Pure functions of their arguments, apart
// from reading the input file's first bytes to sniff its type and reading files named by @path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <hfrun/error.hpp>
#include <hfrun/http/message.hpp>
#include <hfrun/tasks/task.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::tasks {

// How the body is made. The transport streams files: nothing here reads a whole input file.
enum class BodyKind {
  json,        // `json` is the whole body (Content-Type: application/json)
  raw_file,    // the bytes of `file`, Content-Type `content_type` (sniffed; empty = unknown)
  base64_json, // prefix + base64(file) + suffix (Content-Type: application/json)
};

struct EncodedBody {
  BodyKind kind = BodyKind::json;
  std::string json;           // json: the whole body
  std::filesystem::path file; // raw_file, base64_json
  std::string content_type;   // the request's Content-Type
  std::string prefix;         // base64_json
  std::string suffix;         // base64_json
  std::string accept;         // Accept header to send ("" = none)

  // The same body as the transport's dry-run description (curl rendering).
  [[nodiscard]] http::BodyDescription describe() const;
};

// How text-generation is asked for.
enum class GenerationBody {
  openai, // OpenAI completions: {"model", "prompt", "max_tokens", ...} (the router, vLLM, ...)
  inputs, // {"inputs": prompt, "parameters": {...}}: TGI's /generate and the Inference Toolkit
};

struct EncodeOptions {
  // The model as the server wants it in the body (chat, text-generation): the Hub id, the
  // provider's id, or the endpoint URL. Unused by the other tasks.
  std::string model;
  // Sets "stream" in chat/text-generation bodies when given; a `stream` parameter the user passed
  // is otherwise sent untouched.
  std::optional<bool> stream;
  // How a usage hint shows a call ("hfrun endpoint URL"): the task's example follows it. Empty:
  // the hint shows the task's options alone.
  std::string example;
  // text-generation only: which body the server speaks.
  GenerationBody generation_body = GenerationBody::openai;
  // feature-extraction only: OpenAI's embeddings body {"model", "input"} instead of hf-inference's
  // {"inputs"}.
  bool openai_embeddings = false;
  // Ollama's own routes: /api/chat {"model", "messages", "stream", "options"}, /api/generate
  // {"model", "prompt", "stream", "options"} (sampling parameters under "options", max_tokens as
  // num_predict) and /api/embed {"model", "input"}.
  bool ollama = false;
};

// The request the official clients send for this task and these inputs. Missing or malformed
// input is ErrorKind::usage, with a message naming the option to give.
[[nodiscard]] Result<EncodedBody>
encode(const TaskSpec& spec, const Inputs& inputs, const EncodeOptions& options = {});

// The normalized JSON of a 2xx response, tolerant of every shape the services have used. A body
// that is not the task's result (including a 200 carrying {"error": ...}) is
// ErrorKind::bad_response with a short snippet of the body. For binary-output tasks it is metadata
// only
// ({"task","content_type","bytes"} or {"task","url"}); use binary_result for the payload.
[[nodiscard]] Result<nlohmann::json>
decode(const TaskSpec& spec, std::string_view content_type, std::string_view body);

// Whether a Content-Type names a binary payload (image/*, audio/*, video/*, octet-stream).
[[nodiscard]] bool is_binary_content_type(std::string_view content_type);

// The binary payload of an image/audio task's reply, whatever form the provider chose.
struct BinaryResult {
  enum class Kind {
    bytes, // `bytes` holds the payload (raw reply body, or decoded base64 / data: URL)
    url,   // the payload must be fetched from `url` (fal-ai, Replicate)
  };
  Kind kind = Kind::bytes;
  std::string bytes;
  std::string url;
  std::string content_type; // known type ("" when the provider does not say)
  std::string label;        // audio-to-audio: the source's label
};

// Every payload in the reply, in order (usually one; audio-to-audio may return several sources).
// Handles raw bytes, {"data":[{"b64_json"}]}, {"images":[{"url"}]} (incl. data: URLs),
// {"output": url | [url]}, {"audio": {"url"}}, and [{"label","blob","content-type"}].
[[nodiscard]] Result<std::vector<BinaryResult>>
binary_result(const TaskSpec& spec, std::string_view content_type, std::string_view body);

// The media type of common image/audio payloads told by their first bytes (JPEG, PNG, WebP, WAV,
// FLAC, MP4, WebM); "" when none matches. For payloads that arrive without a type (base64 fields).
[[nodiscard]] std::string type_from_magic(std::string_view bytes);

// A <=200-byte printable excerpt of a body, for error messages.
[[nodiscard]] std::string snippet(std::string_view body);

} // namespace hfrun::tasks
