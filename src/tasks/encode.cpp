// Inputs -> request body, per task, as the official clients send it (docs/outputs.md, "Requests").
// Where the Python and JS clients differ, the choice is noted beside the code.
#include "detail.hpp"
#include "sniff.hpp"

#include <algorithm>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/generation.hpp>
#include <sstream>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

std::string name_of(const TaskSpec& spec) {
  return std::string(spec.name);
}

bool is_field(const TaskSpec& spec, std::string_view key) {
  return std::find(spec.fields.begin(), spec.fields.end(), key) != spec.fields.end();
}

// The user's parameters that go into "parameters": not input fields, not null (Python drops
// None values before sending).
json parameters_of(const TaskSpec& spec, const Inputs& in) {
  json out = json::object();
  if (!in.params.is_object()) {
    return out;
  }
  for (auto it = in.params.begin(); it != in.params.end(); ++it) {
    if (!is_field(spec, it.key()) && !it.value().is_null()) {
      out[it.key()] = it.value();
    }
  }
  return out;
}

const json* param(const Inputs& in, std::string_view key) {
  if (!in.params.is_object()) {
    return nullptr;
  }
  const auto it = in.params.find(std::string(key));
  return it == in.params.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_param(const Inputs& in, std::string_view key) {
  const json* value = param(in, key);
  if (value == nullptr) {
    return std::nullopt;
  }
  return value->is_string() ? value->get<std::string>() : value->dump();
}

// The body {"inputs": value[, "parameters": {...}]}. "parameters" is left out when empty, as the JS
// client does (Python sends {}); servers treat both alike.
// A JSON body as it stands.
EncodedBody json_encoded(const ordered& body) {
  EncodedBody out;
  out.kind = BodyKind::json;
  out.json = body.dump();
  out.content_type = "application/json";
  return out;
}

EncodedBody json_body(const json& inputs_value, const json& parameters) {
  ordered body;
  body["inputs"] = inputs_value;
  if (!parameters.empty()) {
    body["parameters"] = parameters;
  }
  return json_encoded(body);
}

// `body` with the user's parameters beside its own fields, not under "parameters" (TEI,
// OpenAI embeddings, rerankers).
EncodedBody with_top_level_parameters(ordered body, const json& parameters) {
  for (auto it = parameters.begin(); it != parameters.end(); ++it) {
    body[it.key()] = it.value();
  }
  return json_encoded(body);
}

// The text of a text task: --text, else a text file given with --file.
Result<std::string> text_input(const TaskSpec& spec, const Inputs& in) {
  if (in.text) {
    return *in.text;
  }
  if (in.file) {
    return detail::read_text_file(*in.file, "input");
  }
  return fail(ErrorKind::usage, name_of(spec) + " needs --text TEXT", detail::example_hint(spec));
}

// The --inputs JSON when given, else the text input.
Result<json> text_or_inputs(const TaskSpec& spec, const Inputs& in) {
  if (in.inputs) {
    return *in.inputs;
  }
  HFRUN_TRY_ASSIGN(text, text_input(spec, in));
  return json(text);
}

// A value that may arrive as JSON or as a string holding JSON (key=@file.json gives the text).
json json_value(const json& value) {
  if (value.is_string()) {
    json parsed = detail::parse_json(value.get_ref<const std::string&>());
    if (!parsed.is_discarded()) {
      return parsed;
    }
  }
  return value;
}

// A list of strings given as a JSON array, a string holding one, or a comma-separated string.
Result<json> string_list(const TaskSpec& spec, const json& value, std::string_view key) {
  json list = json_value(value);
  if (list.is_string()) {
    json items = json::array();
    std::stringstream ss(list.get_ref<const std::string&>());
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto b = item.find_first_not_of(" \t");
      const auto e = item.find_last_not_of(" \t");
      if (b != std::string::npos) {
        items.push_back(item.substr(b, e - b + 1));
      }
    }
    list = items;
  }
  if (!list.is_array() ||
      !std::all_of(list.begin(), list.end(), [](const json& v) { return v.is_string(); })) {
    return fail(ErrorKind::usage,
                name_of(spec) + ": " + std::string(key) + " must be a list of strings",
                "give " + std::string(key) + ":='[\"a\",\"b\"]' or " + std::string(key) + "=a,b");
  }
  return list;
}

// A table as {"column": [values...]}: given as that object, as rows [{"col": v}, ...], as a string
// holding JSON, or as CSV text (header line first).
Result<json> table_value(const TaskSpec& spec, const json& given) {
  json value = json_value(given);
  if (value.is_string()) {
    // CSV: header, then rows; values stay strings, as the services expect.
    std::stringstream ss(value.get_ref<const std::string&>());
    std::string line;
    std::vector<std::string> header;
    json table = json::object();
    auto split = [](const std::string& row) {
      std::vector<std::string> cells;
      std::string cell;
      bool quoted = false;
      for (std::size_t i = 0; i < row.size(); ++i) {
        const char c = row[i];
        if (quoted) {
          if (c == '"' && i + 1 < row.size() && row[i + 1] == '"') {
            cell += '"';
            ++i;
          } else if (c == '"') {
            quoted = false;
          } else {
            cell += c;
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          cells.push_back(cell);
          cell.clear();
        } else if (c != '\r') {
          cell += c;
        }
      }
      cells.push_back(cell);
      return cells;
    };
    while (std::getline(ss, line)) {
      if (line.empty() || line == "\r") {
        continue;
      }
      auto cells = split(line);
      if (header.empty()) {
        header = cells;
        for (const auto& h : header) {
          table[h] = json::array();
        }
        continue;
      }
      if (cells.size() != header.size()) {
        return fail(ErrorKind::usage, name_of(spec) + ": CSV row has " +
                                          std::to_string(cells.size()) + " cells, header has " +
                                          std::to_string(header.size()));
      }
      for (std::size_t i = 0; i < cells.size(); ++i) {
        table[header[i]].push_back(cells[i]);
      }
    }
    value = table;
  }
  if (value.is_array()) { // rows -> columns
    json table = json::object();
    for (const auto& row : value) {
      if (!row.is_object()) {
        return fail(ErrorKind::usage,
                    name_of(spec) + ": a table given as a list must hold objects");
      }
      for (auto it = row.begin(); it != row.end(); ++it) {
        table[it.key()].push_back(it->is_string() ? it.value() : json(it->dump()));
      }
    }
    value = table;
  }
  if (!value.is_object() || value.empty()) {
    return fail(ErrorKind::usage, name_of(spec) + ": the table must be {\"column\": [values...]}",
                "give it as JSON or CSV, e.g. table=@table.json");
  }
  return value;
}

Result<EncodedBody> encode_question_answering(const TaskSpec& spec, const Inputs& in) {
  auto question = string_param(in, "question");
  auto context = string_param(in, "context");
  if (!context && in.text) {
    context = in.text;
  }
  if (!question || !context) {
    return fail(ErrorKind::usage, "question-answering needs question=TEXT and context=TEXT",
                detail::example_hint(spec));
  }
  json inputs = {{"question", *question}, {"context", *context}};
  return json_body(inputs, parameters_of(spec, in));
}

Result<EncodedBody> encode_table_qa(const TaskSpec& spec, const Inputs& in) {
  auto query = string_param(in, "query");
  if (!query && in.text) {
    query = in.text;
  }
  const json* table = param(in, "table");
  if (!query || table == nullptr) {
    return fail(ErrorKind::usage, "table-question-answering needs query=TEXT and table=@FILE",
                detail::example_hint(spec));
  }
  HFRUN_TRY_ASSIGN(columns, table_value(spec, *table));
  json inputs = {{"query", *query}, {"table", columns}};
  return json_body(inputs, parameters_of(spec, in));
}

Result<EncodedBody> encode_tabular(const TaskSpec& spec, const Inputs& in) {
  const json* given = param(in, "data");
  if (given == nullptr) {
    given = param(in, "table");
  }
  json from_file;
  if (given == nullptr && in.file) {
    HFRUN_TRY_ASSIGN(text, detail::read_text_file(*in.file, "table"));
    from_file = text;
    given = &from_file;
  }
  if (given == nullptr) {
    return fail(ErrorKind::usage, name_of(spec) + " needs --file TABLE.csv (or data=@table.json)",
                "the table is {\"column\": [values...]} as JSON, or CSV with a header line");
  }
  HFRUN_TRY_ASSIGN(columns, table_value(spec, *given));
  return json_body(json{{"data", columns}}, parameters_of(spec, in));
}

Result<EncodedBody> encode_similarity(const TaskSpec& spec, const Inputs& in) {
  auto source = string_param(in, "source_sentence");
  if (!source && in.text) {
    source = in.text;
  }
  const json* sentences = param(in, "sentences");
  if (!source || sentences == nullptr) {
    return fail(ErrorKind::usage,
                "sentence-similarity needs source_sentence=TEXT (or --text) and "
                "sentences:='[\"...\"]'",
                detail::example_hint(spec));
  }
  json list = json_value(*sentences);
  if (list.is_string()) { // a file of sentences, one a line
    json lines = json::array();
    std::stringstream ss(list.get_ref<const std::string&>());
    std::string line;
    while (std::getline(ss, line)) {
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (!line.empty()) {
        lines.push_back(line);
      }
    }
    list = lines;
  }
  HFRUN_TRY_ASSIGN(checked, string_list(spec, list, "sentences"));
  // Current form: both under "inputs" (the service rejects the old top-level form).
  return json_body(json{{"source_sentence", *source}, {"sentences", checked}},
                   parameters_of(spec, in));
}

// Two bodies (docs/outputs.md, "text-generation"): TGI's own {"inputs", "parameters", "stream"}
// (huggingface_hub's, to TGI's /generate and hf-inference's model route), or OpenAI completions
// {"model", "prompt", "max_tokens", ...} (huggingface.js since #2180, vLLM and the providers).
// Parameters get TGI's types either way (key=value text "20" is the number 20).
Result<EncodedBody>
encode_text_generation(const TaskSpec& spec, const Inputs& in, const EncodeOptions& options) {
  HFRUN_TRY_ASSIGN(prompt, text_or_inputs(spec, in));
  ordered body;
  if (options.generation_body == GenerationBody::inputs) {
    HFRUN_TRY_ASSIGN(params, tgi_parameters(parameters_of(spec, in)));
    // TGI's and the toolkit's own names: max_new_tokens, not OpenAI's max_tokens.
    ordered parameters = ordered::object();
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it.key() != "stream") {
        parameters[it.key() == "max_tokens" ? std::string("max_new_tokens") : it.key()] =
            it.value();
      }
    }
    body["inputs"] = prompt;
    if (!parameters.empty()) {
      body["parameters"] = parameters;
    }
    if (options.stream) {
      body["stream"] = *options.stream;
    }
    return json_encoded(body);
  }
  HFRUN_TRY_ASSIGN(params, completions_parameters(parameters_of(spec, in)));
  if (!options.model.empty()) {
    body["model"] = options.model;
  }
  if (options.stream) {
    body["stream"] = *options.stream;
  }
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (it.key() == "stream" && options.stream) {
      continue;
    }
    body[it.key()] = it.value();
  }
  body["prompt"] = prompt;
  return json_encoded(body);
}

Result<std::string> binary_file_required(const TaskSpec& spec, const Inputs& in) {
  if (!in.file) {
    const bool audio = spec.id == TaskId::automatic_speech_recognition ||
                       spec.id == TaskId::audio_classification || spec.id == TaskId::audio_to_audio;
    return fail(ErrorKind::usage, name_of(spec) + " needs --file " + (audio ? "AUDIO" : "IMAGE"),
                detail::example_hint(spec));
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*in.file, ec)) {
    return fail(ErrorKind::usage, "cannot read input file " + in.file->string(),
                "check the path given to --file");
  }
  return in.file->string();
}

EncodedBody base64_body(const std::filesystem::path& file, std::string prefix, std::string suffix) {
  EncodedBody out;
  out.kind = BodyKind::base64_json;
  out.file = file;
  out.content_type = "application/json";
  out.prefix = std::move(prefix);
  out.suffix = std::move(suffix);
  return out;
}

Result<EncodedBody> encode_binary(const TaskSpec& spec, const Inputs& in) {
  json params = parameters_of(spec, in);
  if (in.text) {
    if (spec.id != TaskId::image_to_image && spec.id != TaskId::image_to_video) {
      return fail(ErrorKind::usage, name_of(spec) + " takes --file, not --text",
                  detail::example_hint(spec));
    }
    if (!params.contains("prompt")) {
      params["prompt"] = *in.text; // image-to-image/-video: --text is the prompt
    }
  }
  if (in.inputs) { // the user built "inputs" (base64 or URL) themselves
    return json_body(*in.inputs, params);
  }
  HFRUN_TRY(binary_file_required(spec, in));
  if (params.empty()) {
    // Raw bytes, Content-Type from the content. The JS client sends the Blob's type (none for an
    // untyped Blob); Python guesses from the file name. Sniffing gives the right type either way.
    HFRUN_TRY_ASSIGN(type, sniff_content_type(*in.file));
    EncodedBody out;
    out.kind = BodyKind::raw_file;
    out.file = *in.file;
    out.content_type = type;
    return out;
  }
  // With parameters: {"inputs":"<base64>","parameters":{...}} (Python). The JS client drops the
  // parameters of image/audio classification and sends raw bytes; hfrun keeps them.
  return base64_body(*in.file, R"({"inputs":")", R"(","parameters":)" + params.dump() + "}");
}

Result<EncodedBody> encode_zero_shot_image(const TaskSpec& spec, const Inputs& in) {
  json params = parameters_of(spec, in);
  if (!params.contains("candidate_labels")) {
    return fail(ErrorKind::usage,
                "zero-shot-image-classification needs candidate_labels (at least two)",
                detail::example_hint(spec));
  }
  HFRUN_TRY_ASSIGN(labels, string_list(spec, params["candidate_labels"], "candidate_labels"));
  if (labels.size() < 2) {
    return fail(ErrorKind::usage,
                "zero-shot-image-classification needs at least two candidate_labels",
                "for example: candidate_labels:='[\"cat\",\"dog\"]'");
  }
  params["candidate_labels"] = labels;
  if (in.inputs) {
    return json_body(*in.inputs, params);
  }
  HFRUN_TRY(binary_file_required(spec, in));
  // JS form {"inputs":{"image":"<b64>"},...}; Python sends {"inputs":"<b64>",...}. Both accepted.
  return base64_body(*in.file, R"({"inputs":{"image":")",
                     R"("},"parameters":)" + params.dump() + "}");
}

Result<EncodedBody> encode_image_question(const TaskSpec& spec, const Inputs& in) {
  auto question = string_param(in, "question");
  if (!question && in.text) {
    question = in.text;
  }
  const json params = parameters_of(spec, in);
  if (in.inputs) {
    return json_body(*in.inputs, params);
  }
  if (!question) {
    return fail(ErrorKind::usage, name_of(spec) + " needs --file IMAGE and question=TEXT",
                detail::example_hint(spec));
  }
  HFRUN_TRY(binary_file_required(spec, in));
  // Both clients (JS exactly so) send {"inputs":{"question":...,"image":"<b64>"}}, question first.
  std::string suffix = "\"}";
  if (!params.empty()) {
    suffix += ",\"parameters\":" + params.dump();
  }
  suffix += "}";
  return base64_body(
      *in.file, R"({"inputs":{"question":)" + json(*question).dump() + R"(,"image":")", suffix);
}

// OpenAI's embeddings body (vLLM, llama.cpp, Ollama, TEI's /v1/embeddings): {"model", "input",
// ...parameters such as "dimensions" or "encoding_format"}.
Result<EncodedBody>
encode_openai_embeddings(const TaskSpec& spec, const Inputs& in, const EncodeOptions& options) {
  ordered body;
  body["model"] = options.model;
  HFRUN_TRY_ASSIGN(input, text_or_inputs(spec, in));
  body["input"] = input;
  return with_top_level_parameters(body, parameters_of(spec, in));
}

// Rerankers (TEI's /rerank): {"query", "texts": [...], "return_text": true, ...parameters at the
// top level}; the texts come back with their scores.
Result<EncodedBody> encode_ranking(const TaskSpec& spec, const Inputs& in) {
  auto query = string_param(in, "query");
  if (!query && in.text) {
    query = in.text;
  }
  const json* texts = param(in, "texts");
  if (!query || texts == nullptr) {
    return fail(ErrorKind::usage,
                "text-ranking needs query=TEXT (or --text) and texts:='[\"...\", \"...\"]'",
                detail::example_hint(spec));
  }
  HFRUN_TRY_ASSIGN(checked, string_list(spec, json_value(*texts), "texts"));
  ordered body;
  body["query"] = *query;
  body["texts"] = checked;
  body["return_text"] = true;
  return with_top_level_parameters(body, parameters_of(spec, in));
}

Result<EncodedBody> encode_text_task(const TaskSpec& spec, const Inputs& in) {
  json params = parameters_of(spec, in);
  if (spec.id == TaskId::zero_shot_classification) {
    if (!params.contains("candidate_labels")) {
      return fail(ErrorKind::usage, "zero-shot-classification needs candidate_labels",
                  detail::example_hint(spec));
    }
    HFRUN_TRY_ASSIGN(labels, string_list(spec, params["candidate_labels"], "candidate_labels"));
    params["candidate_labels"] = labels;
  }
  if (in.inputs) {
    return json_body(*in.inputs, params);
  }
  HFRUN_TRY_ASSIGN(text, text_input(spec, in));
  if (spec.id == TaskId::feature_extraction) {
    // Parameters at the top level, not under "parameters" (HFInferenceFeatureExtractionTask).
    ordered body;
    body["inputs"] = text;
    return with_top_level_parameters(body, params);
  }
  return json_body(text, params);
}

} // namespace

http::BodyDescription EncodedBody::describe() const {
  http::BodyDescription d;
  switch (kind) {
  case BodyKind::json:
    d.kind = http::BodyDescription::Kind::bytes;
    d.bytes = json;
    break;
  case BodyKind::raw_file:
    d.kind = http::BodyDescription::Kind::file;
    d.path = file.string();
    break;
  case BodyKind::base64_json:
    d.kind = http::BodyDescription::Kind::base64_json;
    d.path = file.string();
    d.prefix = prefix;
    d.suffix = suffix;
    break;
  }
  return d;
}

// Ollama's own bodies (/api/chat, /api/generate): an OpenAI-style body whose sampling parameters
// move under "options" (max_tokens is num_predict there), and "stream" always said: Ollama
// streams unless told not to.
template <typename Json> EncodedBody ollama_body(const Json& openai_style, bool stream) {
  static constexpr std::array<std::string_view, 9> k_top_level{
      "model", "messages", "prompt", "format", "keep_alive", "tools", "think", "system", "images"};
  ordered body;
  ordered options = ordered::object();
  for (auto it = openai_style.begin(); it != openai_style.end(); ++it) {
    const std::string& key = it.key();
    if (key == "stream") {
      continue;
    }
    if (std::find(k_top_level.begin(), k_top_level.end(), key) != k_top_level.end()) {
      body[key] = it.value();
    } else {
      options[key == "max_tokens" || key == "max_new_tokens" ? std::string("num_predict") : key] =
          it.value();
    }
  }
  body["stream"] = stream;
  if (!options.empty()) {
    body["options"] = options;
  }
  return json_encoded(body);
}

Result<EncodedBody> encode(const TaskSpec& spec, const Inputs& in, const EncodeOptions& options) {
  if (!in.params.is_object()) {
    return fail(ErrorKind::internal, "parameters must be a JSON object");
  }
  if (options.ollama && spec.id == TaskId::conversational) {
    HFRUN_TRY_ASSIGN(chat, detail::chat_body(options.model, in, std::nullopt));
    return ollama_body(chat, options.stream.value_or(false));
  }
  if (options.ollama && spec.id == TaskId::text_generation) {
    json generate = parameters_of(spec, in);
    generate["model"] = options.model;
    HFRUN_TRY_ASSIGN(prompt, text_or_inputs(spec, in));
    generate["prompt"] = prompt;
    return ollama_body(generate, options.stream.value_or(false));
  }
  if (spec.id == TaskId::feature_extraction && (options.openai_embeddings || options.ollama)) {
    // Ollama's /api/embed takes the same {"model", "input"}.
    return encode_openai_embeddings(spec, in, options);
  }
  Result<EncodedBody> out = fail(ErrorKind::internal, "unhandled task " + name_of(spec));
  switch (spec.id) {
  case TaskId::conversational: {
    auto body = detail::chat_body(options.model, in, options.stream);
    if (!body) {
      return unexpected(std::move(body.error()));
    }
    EncodedBody chat;
    chat.json = body->dump();
    chat.content_type = "application/json";
    out = std::move(chat);
    break;
  }
  case TaskId::text_generation:
    out = encode_text_generation(spec, in, options);
    break;
  case TaskId::question_answering:
    out = in.inputs ? Result<EncodedBody>(json_body(*in.inputs, parameters_of(spec, in)))
                    : encode_question_answering(spec, in);
    break;
  case TaskId::table_question_answering:
    out = in.inputs ? Result<EncodedBody>(json_body(*in.inputs, parameters_of(spec, in)))
                    : encode_table_qa(spec, in);
    break;
  case TaskId::tabular_classification:
  case TaskId::tabular_regression:
    out = in.inputs ? Result<EncodedBody>(json_body(*in.inputs, parameters_of(spec, in)))
                    : encode_tabular(spec, in);
    break;
  case TaskId::sentence_similarity:
    out = in.inputs ? Result<EncodedBody>(json_body(*in.inputs, parameters_of(spec, in)))
                    : encode_similarity(spec, in);
    break;
  case TaskId::text_ranking:
    out = in.inputs ? Result<EncodedBody>(json_body(*in.inputs, parameters_of(spec, in)))
                    : encode_ranking(spec, in);
    break;
  case TaskId::zero_shot_image_classification:
    out = encode_zero_shot_image(spec, in);
    break;
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
    out = encode_image_question(spec, in);
    break;
  case TaskId::image_to_image:
  case TaskId::image_to_video:
  case TaskId::image_classification:
  case TaskId::object_detection:
  case TaskId::image_segmentation:
  case TaskId::image_to_text:
  case TaskId::automatic_speech_recognition:
  case TaskId::audio_classification:
  case TaskId::audio_to_audio:
    out = encode_binary(spec, in);
    break;
  case TaskId::text_classification:
  case TaskId::token_classification:
  case TaskId::summarization:
  case TaskId::translation:
  case TaskId::fill_mask:
  case TaskId::feature_extraction:
  case TaskId::zero_shot_classification:
  case TaskId::text_to_image:
  case TaskId::text_to_video:
  case TaskId::text_to_speech:
    out = encode_text_task(spec, in);
    break;
  }
  if (out) {
    out->accept = std::string(spec.accept);
  } else {
    // The codec speaks of tasks; the command that runs one says how a call looks.
    out.error().hint = detail::with_call(out.error().hint, options.example);
  }
  return out;
}

} // namespace hfrun::tasks
