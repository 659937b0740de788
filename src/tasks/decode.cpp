// Response body -> the task's normalized JSON (docs/outputs.md). Each decoder accepts every shape
// the services have been seen to send (protocols/serverless.md §2.2) and nothing else.
#include "detail.hpp"

#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>

#include <algorithm>
#include <array>
#include <functional>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;

// A decoder returns the normalized fields (without "task"), or a reason for bad_response.
struct Shape {
  json value;
  std::string why; // non-empty: not the task's shape
};
Shape ok(json value) { return Shape{std::move(value), {}}; }
Shape wrong(std::string why) { return Shape{json(), std::move(why)}; }

bool is_list_of(const json& value, const std::function<bool(const json&)>& pred) {
  return value.is_array() && std::all_of(value.begin(), value.end(), pred);
}

json number_or_null(const json& obj, const char* key) {
  return obj.contains(key) && obj[key].is_number() ? obj[key] : json();
}

bool is_label(const json& item) {
  return item.is_object() && item.contains("label") && item["label"].is_string() &&
         item.contains("score") && item["score"].is_number();
}

json label_list(const json& items) {
  json out = json::array();
  for (const auto& item : items) {
    out.push_back(json{{"label", item["label"]}, {"score", item["score"]}});
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
  if (!body.empty() && is_list_of(body, [](const json& inner) { return is_list_of(inner, is_label); })) {
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
    return item.is_object() && item.contains("labels") && item["labels"].is_array() &&
           item.contains("scores") && item["scores"].is_array() &&
           item["labels"].size() == item["scores"].size();
  };
  auto from_legacy = [](const json& item) {
    json labels = json::array();
    for (std::size_t i = 0; i < item["labels"].size(); ++i) {
      labels.push_back(json{{"label", item["labels"][i]}, {"score", item["scores"][i]}});
    }
    json out = {{"labels", labels}};
    if (item.contains("sequence") && item["sequence"].is_string()) {
      out["sequence"] = item["sequence"];
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

bool is_entity(const json& item) {
  return item.is_object() && (item.contains("entity_group") || item.contains("entity")) &&
         item.contains("score") && item["score"].is_number();
}

json entity_list(const json& items) {
  json out = json::array();
  for (const auto& item : items) {
    const json& entity = item.contains("entity_group") ? item["entity_group"] : item["entity"];
    out.push_back(json{{"entity", entity},
                       {"word", item.value("word", "")},
                       {"score", item["score"]},
                       {"start", number_or_null(item, "start")},
                       {"end", number_or_null(item, "end")}});
  }
  return out;
}

Shape decode_entities(const json& body) {
  if (is_list_of(body, is_entity)) {
    return ok(json{{"entities", entity_list(body)}});
  }
  if (!body.empty() && is_list_of(body, [](const json& inner) { return is_list_of(inner, is_entity); })) {
    std::vector<json> results;
    for (const auto& inner : body) {
      results.push_back(json{{"entities", entity_list(inner)}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong("expected [{entity_group|entity, word, score, start, end}]");
}

bool is_answer(const json& item) {
  return item.is_object() && item.contains("answer") && item["answer"].is_string();
}

// QA-like answers: one object or a list; score/start/end optional (donut gives only "answer").
Shape decode_answers(const json& body, bool with_offsets) {
  json items = body.is_object() ? json::array({body}) : body;
  if (!is_list_of(items, is_answer)) {
    return wrong("expected {answer, score}");
  }
  json answers = json::array();
  for (const auto& item : items) {
    json answer = {{"answer", item["answer"]}, {"score", number_or_null(item, "score")}};
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
  auto has = [key](const json& item) {
    return item.is_object() && item.contains(key) && item[key].is_string();
  };
  if (has(body)) {
    return ok(json{{key, body[key]}});
  }
  if (!body.empty() && is_list_of(body, has)) {
    std::vector<json> results;
    for (const auto& item : body) {
      results.push_back(json{{key, item[key]}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  if (!body.empty() && is_list_of(body, [&](const json& inner) { return is_list_of(inner, has); })) {
    std::vector<json> results; // [[{...}]]: one list per input
    for (const auto& inner : body) {
      results.push_back(json{{key, inner.empty() ? json("") : inner[0][key]}});
    }
    return ok(single_or_batch(std::move(results)));
  }
  return wrong(std::string("expected [{") + key + "}]");
}

Shape decode_text_generation(const json& body) {
  if (body.is_object() && body.contains("choices")) {
    // OpenAI completions (hfrun's request), or a chat completion from a provider.
    const json& choices = body["choices"];
    if (!choices.is_array() || choices.empty() || !choices[0].is_object()) {
      return wrong("no choices");
    }
    const json& choice = choices[0];
    std::string text;
    if (choice.contains("text") && choice["text"].is_string()) {
      text = choice["text"].get<std::string>();
    } else if (choice.contains("message") && choice["message"].is_object() &&
               choice["message"].contains("content") && choice["message"]["content"].is_string()) {
      text = choice["message"]["content"].get<std::string>();
    } else {
      return wrong("choice without text");
    }
    return ok(json{{"generated_text", text},
                   {"finish_reason", choice.contains("finish_reason") ? choice["finish_reason"] : json()},
                   {"usage", body.contains("usage") ? body["usage"] : json()}});
  }
  // TGI / transformers: [{"generated_text", "details"?}] or one object.
  auto tgi = [](const json& item) {
    json finish;
    if (item.contains("details") && item["details"].is_object() &&
        item["details"].contains("finish_reason")) {
      finish = item["details"]["finish_reason"];
    }
    return json{{"generated_text", item["generated_text"]}, {"finish_reason", finish}, {"usage", json()}};
  };
  auto has = [](const json& item) {
    return item.is_object() && item.contains("generated_text") && item["generated_text"].is_string();
  };
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
    return item.is_object() && item.contains("score") && item["score"].is_number() &&
           item.contains("token_str");
  };
  auto list = [](const json& items) {
    json out = json::array();
    for (const auto& item : items) {
      out.push_back(json{{"token_str", item["token_str"]},
                         {"score", item["score"]},
                         {"token", number_or_null(item, "token")},
                         {"sequence", item.value("sequence", "")}});
    }
    return out;
  };
  if (is_list_of(body, is_candidate)) {
    return ok(json{{"candidates", list(body)}});
  }
  if (!body.empty() && is_list_of(body, [&](const json& inner) { return is_list_of(inner, is_candidate); })) {
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
  if (value[0].is_number()) {
    if (!std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); })) {
      return std::nullopt;
    }
    return std::vector<std::size_t>{value.size()};
  }
  auto first = shape_of(value[0]);
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
  if (body.is_object() && body.contains("data") && body["data"].is_array()) {
    embeddings = json::array(); // OpenAI embeddings (third-party providers)
    for (const auto& item : body["data"]) {
      if (!item.is_object() || !item.contains("embedding")) {
        return wrong("expected data[].embedding");
      }
      embeddings.push_back(item["embedding"]);
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
  if (body.is_array() && body.size() == 1 && body[0].is_array()) {
    scores = body[0];
  }
  if (!is_list_of(scores, [](const json& v) { return v.is_number(); })) {
    return wrong("expected [score, ...]");
  }
  return ok(json{{"scores", scores}});
}

Shape decode_table_qa(const json& body) {
  auto is_table_answer = [](const json& item) { return is_answer(item); };
  auto norm = [](const json& item) {
    return json{{"answer", item["answer"]},
                {"coordinates", item.value("coordinates", json::array())},
                {"cells", item.value("cells", json::array())},
                {"aggregator", item.contains("aggregator") ? item["aggregator"] : json()}};
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
  auto is_object_box = [](const json& item) {
    if (!is_label(item) || !item.contains("box") || !item["box"].is_object()) {
      return false;
    }
    const json& box = item["box"];
    constexpr std::array<const char*, 4> k_corners{"xmin", "ymin", "xmax", "ymax"};
    return std::all_of(k_corners.begin(), k_corners.end(),
                       [&](const char* k) { return box.contains(k) && box[k].is_number(); });
  };
  if (!is_list_of(body, is_object_box)) {
    return wrong("expected [{label, score, box:{xmin,ymin,xmax,ymax}}]");
  }
  json objects = json::array();
  for (const auto& item : body) {
    const json& box = item["box"];
    objects.push_back(json{{"label", item["label"]},
                           {"score", item["score"]},
                           {"box", {{"xmin", box["xmin"]}, {"ymin", box["ymin"]},
                                    {"xmax", box["xmax"]}, {"ymax", box["ymax"]}}}});
  }
  return ok(json{{"objects", objects}});
}

Shape decode_segments(const json& body) {
  auto is_segment = [](const json& item) {
    return item.is_object() && item.contains("label") && item["label"].is_string() &&
           item.contains("mask") && item["mask"].is_string();
  };
  if (!is_list_of(body, is_segment)) {
    return wrong("expected [{label, score?, mask}]");
  }
  json segments = json::array();
  for (const auto& item : body) {
    segments.push_back(
        json{{"label", item["label"]}, {"score", number_or_null(item, "score")}, {"mask", item["mask"]}});
  }
  return ok(json{{"segments", segments}});
}

Shape decode_asr(const json& body) {
  const json& item = body.is_array() && body.size() == 1 ? body[0] : body;
  if (!item.is_object() || !item.contains("text") || !item["text"].is_string()) {
    return wrong("expected {text}");
  }
  json out = {{"text", item["text"]}};
  if (item.contains("chunks") && item["chunks"].is_array()) {
    out["chunks"] = item["chunks"];
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
    break; // handled before
  }
  return wrong("no decoder");
}

Result<json> decode_binary_metadata(const TaskSpec& spec, std::string_view content_type,
                                    std::string_view body) {
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
  } else {
    out.update(outputs[0]);
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
        spec.name, "expected JSON, got " + (content_type.empty() ? std::string("no Content-Type")
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
  if (spec.id == TaskId::conversational) {
    return decode_chat_completion(parsed);
  }
  Shape shape = decode_json(spec, parsed);
  if (!shape.why.empty()) {
    return unexpected(detail::bad_response(spec.name, "unexpected response (" + shape.why + ")", body));
  }
  json out = std::move(shape.value);
  out["task"] = spec.name;
  return out;
}

} // namespace hfrun::tasks
