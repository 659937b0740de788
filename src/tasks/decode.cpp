// Response body -> the task's normalized JSON (docs/outputs.md). Each decoder accepts every shape
// the services have been seen to send (protocols/serverless.md §2.2) and nothing else.
#include "detail.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::json_array;
using util::json_member;
using util::json_number;
using util::json_object;
using util::json_string;
using util::member_or;
using util::number_or_null;

// A decoder returns the normalized fields (without "task"), or a reason for bad_response.
struct Shape {
  json value;
  std::string why; // non-empty: not the task's shape
};
Shape ok(json value) {
  return Shape{std::move(value), {}};
}
Shape wrong(std::string why) {
  return Shape{json(), std::move(why)};
}

bool is_list_of(const json& value, const std::function<bool(const json&)>& pred) {
  return value.is_array() && std::all_of(value.begin(), value.end(), pred);
}

bool is_string(const json& v) {
  return v.is_string();
}
bool is_number(const json& v) {
  return v.is_number();
}

bool is_label(const json& item) {
  return json_string(item, "label") && json_number(item, "score");
}

json label_list(const json& items) {
  json out = json::array();
  for (const auto& item : items) {
    out.push_back(json{{"label", member_or(item, "label")}, {"score", member_or(item, "score")}});
  }
  return out;
}

// Several results (the input was a list): {"batch": [...]}; one result: itself.
json single_or_batch(std::vector<json> results) {
  if (results.size() == 1) {
    return std::move(results.front());
  }
  return json{{"batch", std::move(results)}};
}

// [{label,score}] or [[{label,score}], ...] (text-classification answers nested).
Shape decode_labels(const json& body) {
  if (is_list_of(body, is_label)) {
    return ok(json{{"labels", label_list(body)}});
  }
  if (!body.empty() &&
      is_list_of(body, [](const json& inner) { return is_list_of(inner, is_label); })) {
    std::vector<json> results;
    for (const auto& inner : body) {
      results.push_back(json{{"labels", label_list(inner)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected [{label, score}]");
}

Shape decode_zero_shot(const json& body) {
  // Legacy (until 2025): {"sequence","labels":[...],"scores":[...]}, a list of them for list input.
  auto legacy = [](const json& item) {
    const json* labels = json_array(item, "labels");
    const json* scores = json_array(item, "scores");
    return labels != nullptr && scores != nullptr && labels->size() == scores->size() &&
           is_list_of(*labels, is_string) && is_list_of(*scores, is_number);
  };
  auto from_legacy = [](const json& item) {
    const json& names = *json_array(item, "labels"); // checked by legacy()
    const json& scores = *json_array(item, "scores");
    json labels = json::array();
    for (std::size_t i = 0; i < names.size(); ++i) {
      labels.push_back(json{{"label", names[i]}, {"score", scores[i]}});
    }
    json out = {{"labels", labels}};
    if (auto sequence = json_string(item, "sequence")) {
      out["sequence"] = *sequence;
    }
    return out;
  };
  if (legacy(body)) {
    return ok(from_legacy(body));
  }
  if (!body.empty() && is_list_of(body, legacy)) {
    std::vector<json> results;
    for (const auto& item : body) {
      results.push_back(from_legacy(item));
    }
    return ok(single_or_batch(std::move(results)));
  }
  return decode_labels(body);
}

// The entity's class: "entity_group" (aggregated pipelines), else "entity" (per token).
std::optional<std::string> entity_of(const json& item) {
  if (auto group = json_string(item, "entity_group")) {
    return group;
  }
  return json_string(item, "entity");
}

bool is_entity(const json& item) {
  return entity_of(item) && json_number(item, "score");
}

json entity_list(const json& items) {
  json out = json::array();
  for (const auto& item : items) {
    out.push_back(json{{"entity", entity_of(item).value_or("")},
                       {"word", util::string_or(item, "word", "")}, // optional: null -> ""
                       {"score", member_or(item, "score")},
                       {"start", number_or_null(item, "start")},
                       {"end", number_or_null(item, "end")}});
  }
  return out;
}

Shape decode_entities(const json& body) {
  if (is_list_of(body, is_entity)) {
    return ok(json{{"entities", entity_list(body)}});
  }
  if (!body.empty() &&
      is_list_of(body, [](const json& inner) { return is_list_of(inner, is_entity); })) {
    std::vector<json> results;
    for (const auto& inner : body) {
      results.push_back(json{{"entities", entity_list(inner)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected [{entity_group|entity, word, score, start, end}]");
}

bool is_answer(const json& item) {
  return json_string(item, "answer").has_value();
}

// QA-like answers: one object or a list; score/start/end optional (donut gives only "answer").
Shape decode_answers(const json& body, bool with_offsets) {
  json items = body.is_object() ? json::array({body}) : body;
  if (!is_list_of(items, is_answer)) {
    return wrong("expected {answer, score}");
  }
  json answers = json::array();
  for (const auto& item : items) {
    json answer = {{"answer", member_or(item, "answer")}, {"score", number_or_null(item, "score")}};
    if (with_offsets) {
      answer["start"] = number_or_null(item, "start");
      answer["end"] = number_or_null(item, "end");
    }
    answers.push_back(answer);
  }
  return ok(json{{"answers", answers}});
}

// [{key: text}] or {key: text}; a list of several is a batch.
Shape decode_text_field(const json& body, const char* key) {
  auto has = [key](const json& item) { return json_string(item, key).has_value(); };
  if (has(body)) {
    return ok(json{{key, member_or(body, key)}});
  }
  if (!body.empty() && is_list_of(body, has)) {
    std::vector<json> results;
    for (const auto& item : body) {
      results.push_back(json{{key, member_or(item, key)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  if (!body.empty() &&
      is_list_of(body, [&](const json& inner) { return is_list_of(inner, has); })) {
    std::vector<json> results; // [[{...}]]: one list per input
    for (const auto& inner : body) {
      results.push_back(json{{key, inner.empty() ? json("") : member_or(inner.front(), key)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong(std::string("expected [{") + key + "}]");
}

Shape decode_text_generation(const json& body) {
  if (const json* choices_member = json_member(body, "choices")) {
    // OpenAI completions (hfrun's request), or a chat completion from a provider.
    const json& choices = *choices_member;
    if (!choices.is_array() || choices.empty() || !choices.front().is_object()) {
      return wrong("no choices");
    }
    const json& choice = choices.front();
    std::optional<std::string> text = json_string(choice, "text");
    if (!text) {
      if (const json* message = json_object(choice, "message")) {
        text = json_string(*message, "content");
      }
    }
    if (!text) {
      return wrong("choice without text");
    }
    return ok(json{{"generated_text", *text},
                   {"finish_reason", member_or(choice, "finish_reason")},
                   {"usage", member_or(body, "usage")},
                   {"details", json()}});
  }
  // TGI / transformers: [{"generated_text", "details"?}] or one object.
  auto tgi = [](const json& item) {
    const json* details = json_object(item, "details");
    const json normalized = details != nullptr ? normalize_tgi_details(*details) : json();
    return json{
        {"generated_text", member_or(item, "generated_text")},
        {"finish_reason", details != nullptr ? member_or(*details, "finish_reason") : json()},
        {"usage", details != nullptr ? usage_from_details(normalized) : json()},
        {"details", normalized}};
  };
  auto has = [](const json& item) { return json_string(item, "generated_text").has_value(); };
  if (has(body)) {
    return ok(tgi(body));
  }
  if (!body.empty() && is_list_of(body, has)) {
    std::vector<json> results;
    for (const auto& item : body) {
      results.push_back(tgi(item));
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected {choices:[{text}]} or [{generated_text}]");
}

Shape decode_fill_mask(const json& body) {
  auto is_candidate = [](const json& item) {
    return json_number(item, "score") && json_string(item, "token_str");
  };
  auto list = [](const json& items) {
    json out = json::array();
    for (const auto& item : items) {
      out.push_back(json{{"token_str", member_or(item, "token_str")},
                         {"score", member_or(item, "score")},
                         {"token", number_or_null(item, "token")},
                         {"sequence", util::string_or(item, "sequence", "")}});
    }
    return out;
  };
  if (is_list_of(body, is_candidate)) {
    return ok(json{{"candidates", list(body)}});
  }
  if (!body.empty() &&
      is_list_of(body, [&](const json& inner) { return is_list_of(inner, is_candidate); })) {
    std::vector<json> results;
    for (const auto& inner : body) {
      results.push_back(json{{"candidates", list(inner)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected [{token_str, score, token, sequence}]");
}

// Nested arrays of numbers, all vectors at the same depth and of the same length. Token-level
// outputs are ragged (one row per token, inputs of different lengths), so only the innermost length
// must agree. Returns the dims along the first element of each level, or nullopt.
std::optional<std::vector<std::size_t>> shape_of(const json& value) {
  if (!value.is_array() || value.empty()) {
    return std::nullopt;
  }
  if (value.front().is_number()) {
    if (!std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); })) {
      return std::nullopt;
    }
    return std::vector<std::size_t>{value.size()};
  }
  auto first = shape_of(value.front());
  if (!first) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < value.size(); ++i) {
    auto other = shape_of(value[i]);
    if (!other || other->size() != first->size() || other->back() != first->back()) {
      return std::nullopt;
    }
  }
  first->insert(first->begin(), value.size());
  return first;
}

Shape decode_embeddings(const json& body) {
  json embeddings = body;
  if (const json* ollama = json_array(body, "embeddings")) {
    embeddings = *ollama; // Ollama's /api/embed: {"model", "embeddings": [[...]]}
  }
  if (const json* data = json_array(body, "data")) {
    embeddings = json::array(); // OpenAI embeddings (third-party providers)
    for (const auto& item : *data) {
      const json* embedding = json_member(item, "embedding");
      if (embedding == nullptr) {
        return wrong("expected data[].embedding");
      }
      embeddings.push_back(*embedding);
    }
  }
  auto shape = shape_of(embeddings);
  if (!shape || shape->size() > 4) {
    return wrong("expected a (nested) array of numbers");
  }
  if (shape->size() == 1) { // one pooled vector: always at least one row
    embeddings = json::array({embeddings});
    shape->insert(shape->begin(), 1);
  }
  return ok(json{{"embeddings", embeddings}, {"shape", *shape}, {"dimension", shape->back()}});
}

Shape decode_similarity(const json& body) {
  json scores = body;
  if (body.is_array() && body.size() == 1 && body.front().is_array()) {
    scores = body.front();
  }
  if (!is_list_of(scores, [](const json& v) { return v.is_number(); })) {
    return wrong("expected [score, ...]");
  }
  return ok(json{{"scores", scores}});
}

// [{"index", "score", "text"?}] (TEI /rerank, llama.cpp /rerank's "results"), best first.
Shape decode_ranking(const json& body) {
  const json* list = &body;
  if (const json* results = json_array(body, "results")) {
    list = results;
  }
  auto is_ranked = [](const json& item) {
    return util::json_int(item, "index").has_value() &&
           (json_number(item, "score").has_value() ||
            json_number(item, "relevance_score").has_value());
  };
  if (!is_list_of(*list, is_ranked)) {
    return wrong("expected [{index, score}]");
  }
  std::vector<json> ranking;
  for (const auto& item : *list) {
    const auto score = json_number(item, "score");
    ranking.push_back(json{{"index", *util::json_int(item, "index")},
                           {"score", score ? *score : *json_number(item, "relevance_score")},
                           {"text", member_or(item, "text")}});
  }
  std::stable_sort(ranking.begin(), ranking.end(), [](const json& a, const json& b) {
    return util::number_or(a, "score", 0) > util::number_or(b, "score", 0);
  });
  return ok(json{{"ranking", ranking}});
}

Shape decode_table_qa(const json& body) {
  auto is_table_answer = [](const json& item) { return is_answer(item); };
  auto list_or_empty = [](const json& item, const char* key) {
    const json* list = json_array(item, key);
    return list != nullptr ? *list : json::array();
  };
  auto norm = [&](const json& item) {
    return json{{"answer", member_or(item, "answer")},
                {"coordinates", list_or_empty(item, "coordinates")},
                {"cells", list_or_empty(item, "cells")},
                {"aggregator", member_or(item, "aggregator")}};
  };
  if (is_table_answer(body)) {
    return ok(norm(body));
  }
  if (!body.empty() && is_list_of(body, is_table_answer)) {
    std::vector<json> results;
    for (const auto& item : body) {
      results.push_back(norm(item));
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected {answer, coordinates, cells, aggregator}");
}

Shape decode_tabular(const json& body) {
  if (!is_list_of(body, [](const json& v) { return v.is_number() || v.is_string(); })) {
    return wrong("expected [prediction, ...]");
  }
  return ok(json{{"predictions", body}});
}

Shape decode_objects(const json& body) {
  constexpr std::array<const char*, 4> k_corners{"xmin", "ymin", "xmax", "ymax"};
  auto is_object_box = [&](const json& item) {
    const json* box = json_object(item, "box");
    return is_label(item) && box != nullptr &&
           std::all_of(k_corners.begin(), k_corners.end(),
                       [&](const char* k) { return json_number(*box, k).has_value(); });
  };
  if (!is_list_of(body, is_object_box)) {
    return wrong("expected [{label, score, box:{xmin,ymin,xmax,ymax}}]");
  }
  json objects = json::array();
  for (const auto& item : body) {
    const json& box = *json_object(item, "box"); // checked by is_object_box
    json corners = json::object();
    for (const char* k : k_corners) {
      corners[k] = member_or(box, k);
    }
    objects.push_back(json{{"label", member_or(item, "label")},
                           {"score", member_or(item, "score")},
                           {"box", std::move(corners)}});
  }
  return ok(json{{"objects", objects}});
}

Shape decode_segments(const json& body) {
  auto is_segment = [](const json& item) {
    return json_string(item, "label") && json_string(item, "mask");
  };
  if (!is_list_of(body, is_segment)) {
    return wrong("expected [{label, score?, mask}]");
  }
  json segments = json::array();
  for (const auto& item : body) {
    segments.push_back(json{{"label", member_or(item, "label")},
                            {"score", number_or_null(item, "score")},
                            {"mask", member_or(item, "mask")}});
  }
  return ok(json{{"segments", segments}});
}

Shape decode_asr(const json& body) {
  const json& item = body.is_array() && body.size() == 1 ? body.front() : body;
  auto text = json_string(item, "text");
  if (!text) {
    return wrong("expected {text}");
  }
  json out = {{"text", *text}};
  if (const json* chunks = json_array(item, "chunks")) {
    out["chunks"] = *chunks; // passed through: render() reads them with the safe readers
  }
  return ok(out);
}

Shape decode_json(const TaskSpec& spec, const json& body) {
  switch (spec.id) {
  case TaskId::text_classification:
  case TaskId::image_classification:
  case TaskId::audio_classification:
  case TaskId::zero_shot_image_classification:
    return decode_labels(body);
  case TaskId::zero_shot_classification:
    return decode_zero_shot(body);
  case TaskId::token_classification:
    return decode_entities(body);
  case TaskId::question_answering:
  case TaskId::document_question_answering:
    return decode_answers(body, true);
  case TaskId::visual_question_answering:
    return decode_answers(body, false);
  case TaskId::summarization:
    return decode_text_field(body, "summary_text");
  case TaskId::translation:
    return decode_text_field(body, "translation_text");
  case TaskId::image_to_text:
    return decode_text_field(body, "generated_text");
  case TaskId::text_generation:
    return decode_text_generation(body);
  case TaskId::fill_mask:
    return decode_fill_mask(body);
  case TaskId::feature_extraction:
    return decode_embeddings(body);
  case TaskId::sentence_similarity:
    return decode_similarity(body);
  case TaskId::text_ranking:
    return decode_ranking(body);
  case TaskId::table_question_answering:
    return decode_table_qa(body);
  case TaskId::tabular_classification:
  case TaskId::tabular_regression:
    return decode_tabular(body);
  case TaskId::object_detection:
    return decode_objects(body);
  case TaskId::image_segmentation:
    return decode_segments(body);
  case TaskId::automatic_speech_recognition:
    return decode_asr(body);
  case TaskId::conversational:
  case TaskId::text_to_image:
  case TaskId::image_to_image:
  case TaskId::text_to_speech:
  case TaskId::audio_to_audio:
  case TaskId::text_to_video:
  case TaskId::image_to_video:
    break; // handled before
  }
  return wrong("no decoder");
}

Result<json>
decode_binary_metadata(const TaskSpec& spec, std::string_view content_type, std::string_view body) {
  HFRUN_TRY_ASSIGN(payloads, binary_result(spec, content_type, body));
  json out = {{"task", spec.name}};
  json outputs = json::array();
  for (const auto& p : payloads) {
    json item = {{"content_type", p.content_type}};
    if (p.kind == BinaryResult::Kind::url) {
      item["url"] = p.url;
    } else {
      item["bytes"] = p.bytes.size();
    }
    if (!p.label.empty()) {
      item["label"] = p.label;
    }
    outputs.push_back(item);
  }
  if (spec.id == TaskId::audio_to_audio) {
    out["outputs"] = outputs;
  } else if (!outputs.empty()) { // binary_result gives at least one payload or an error
    out.update(outputs.front());
  }
  return out;
}

} // namespace

Result<json> decode(const TaskSpec& spec, std::string_view content_type, std::string_view body) {
  if (spec.binary_output) {
    return decode_binary_metadata(spec, content_type, body);
  }
  if (!detail::is_json_body(content_type, body)) {
    return unexpected(detail::bad_response(
        spec.name,
        "expected JSON, got " + (content_type.empty() ? std::string("no Content-Type")
                                                      : detail::media_type(content_type)),
        body));
  }
  const json parsed = detail::parse_json(body);
  if (parsed.is_discarded()) {
    return unexpected(detail::bad_response(spec.name, "invalid JSON", body));
  }
  if (const std::string error = detail::error_message(parsed); !error.empty()) {
    return unexpected(detail::bad_response(spec.name, "error in a success reply: " + error, body));
  }
  if (is_generation(spec.id) && util::json_bool(parsed, "done").value_or(false)) {
    // Ollama's whole reply is its stream's one last line (/api/chat, /api/generate).
    ChatStreamAssembler whole(std::string(spec.name));
    HFRUN_TRY(whole.feed(parsed));
    return whole.result();
  }
  if (spec.id == TaskId::conversational) {
    return decode_chat_completion(parsed);
  }
  Shape shape = decode_json(spec, parsed);
  if (!shape.why.empty()) {
    return unexpected(
        detail::bad_response(spec.name, "unexpected response (" + shape.why + ")", body));
  }
  json out = std::move(shape.value);
  out["task"] = spec.name;
  return out;
}

} // namespace hfrun::tasks
