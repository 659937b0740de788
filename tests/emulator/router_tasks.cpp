#include "router_tasks.hpp"

#include "media.hpp"
#include "plausible.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace emulator::router {

namespace {

using json = nlohmann::ordered_json;

const std::vector<std::string> k_image_labels = {"tabby, tabby cat",
                                                 "Egyptian cat",
                                                 "tiger cat",
                                                 "golden retriever",
                                                 "cheetah, chetah, Acinonyx jubatus",
                                                 "leopard, Panthera pardus",
                                                 "sports car, sport car",
                                                 "daisy",
                                                 "volcano",
                                                 "lakeside, lakeshore"};
const std::vector<std::string> k_object_labels = {"cat",     "dog",    "person", "car",
                                                  "bicycle", "remote", "couch",  "bird"};
const std::vector<std::string> k_segment_labels = {"cat",   "dog",  "person",   "sky",
                                                   "grass", "wall", "LABEL_199"};
const std::vector<std::string> k_audio_labels = {"neu", "hap", "ang", "sad"};
const std::vector<std::string> k_text_labels = {"POSITIVE", "NEGATIVE"};
const std::vector<std::string> k_entity_groups = {"PER", "LOC", "ORG", "MISC"};
const std::vector<std::string> k_fill_words = {"capital", "center", "heart", "city", "pride",
                                               "home",    "best",   "the",   "a",    "hello",
                                               "this",    "world",  "part",  "jewel"};
const std::vector<std::string> k_vqa_answers = {"yes", "no",  "2",     "1",       "blue",
                                                "red", "cat", "woman", "outside", "3"};
const std::vector<std::string> k_speech_words = {
    "going", "along",     "slushy", "country", "roads", "and", "speaking", "to",
    "damp",  "audiences", "a",      "short",   "beep",  "in",  "the",      "hall"};

// A parsed request: JSON when the body is a JSON document, raw bytes otherwise.
struct Parsed {
  std::optional<json> doc;
  json parameters = json::object();
};

Parsed parse_body(const TaskRequest& request) {
  Parsed parsed;
  const auto first = request.body.find_first_not_of(" \t\r\n");
  const bool jsonish =
      first != std::string::npos && (request.body[first] == '{' || request.body[first] == '[');
  if (jsonish && !starts_with(request.content_type, "image/") &&
      !starts_with(request.content_type, "audio/")) {
    auto doc = json::parse(request.body, nullptr, false);
    if (!doc.is_discarded()) {
      if (doc.is_object() && doc.contains("parameters") && doc["parameters"].is_object()) {
        parsed.parameters = doc["parameters"];
      }
      parsed.doc = std::move(doc);
    }
  }
  return parsed;
}

std::vector<std::string> labels_of(const nlohmann::json& model,
                                   const std::vector<std::string>& fallback) {
  if (model.contains("_labels") && model["_labels"].is_array() && !model["_labels"].empty()) {
    std::vector<std::string> labels;
    for (const auto& label : model["_labels"]) {
      if (label.is_string())
        labels.push_back(label.get<std::string>());
    }
    if (!labels.empty())
      return labels;
  }
  return fallback;
}

// Softmax scores of labels seeded by the input; sorted best first.
std::vector<std::pair<std::string, double>> ranked(const std::vector<std::string>& labels,
                                                   std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> logits;
  for (std::size_t i = 0; i < labels.size(); ++i)
    logits.push_back(rng.uniform() * 6.0);
  const double top = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (double& l : logits)
    sum += (l = std::exp(l - top));
  std::vector<std::pair<std::string, double>> out;
  for (std::size_t i = 0; i < labels.size(); ++i)
    out.emplace_back(labels[i], round_score(logits[i] / sum));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::size_t top_k(const json& parameters, std::size_t fallback) {
  if (parameters.contains("top_k") && parameters["top_k"].is_number_integer()) {
    return static_cast<std::size_t>(
        std::max<std::int64_t>(1, parameters["top_k"].get<std::int64_t>()));
  }
  return fallback;
}

json score_label_list(const std::vector<std::pair<std::string, double>>& ranking, std::size_t k) {
  json out = json::array();
  for (std::size_t i = 0; i < std::min(k, ranking.size()); ++i) {
    out.push_back({{"score", ranking[i].second}, {"label", ranking[i].first}});
  }
  return out;
}

// The binary input of an image/audio task: raw bytes, or base64 in "inputs" (string or {image}).
struct Binary {
  std::string bytes;
  std::optional<Reply> error;
};

Binary binary_input(const TaskRequest& request, const Parsed& parsed, std::string_view key) {
  Binary out;
  if (!parsed.doc) {
    out.bytes = request.body;
  } else {
    const json& doc = *parsed.doc;
    const json* encoded = nullptr;
    if (doc.is_object() && doc.contains("inputs")) {
      const json& inputs = doc["inputs"];
      if (inputs.is_string())
        encoded = &inputs;
      if (inputs.is_object() && inputs.contains(key) && inputs[key].is_string())
        encoded = &inputs[key];
    }
    if (encoded == nullptr && doc.is_object() && doc.contains(key) && doc[key].is_string())
      encoded = &doc[key];
    if (encoded == nullptr) {
      out.error = error_list_reply(400, "Error in `inputs`: field required");
      return out;
    }
    std::string_view text = encoded->get_ref<const std::string&>();
    if (starts_with(text, "data:") && text.find(',') != std::string_view::npos)
      text = text.substr(text.find(',') + 1);
    auto decoded = base64_decode(text);
    if (!decoded) {
      out.error = error_list_reply(400, "Error in `inputs`: Invalid base64 data");
      return out;
    }
    out.bytes = std::move(*decoded);
  }
  if (out.bytes.empty())
    out.error = error_reply(400, "No input data was sent");
  return out;
}

std::optional<Reply> require_image(const std::string& bytes) {
  if (media::looks_like_image(bytes))
    return std::nullopt;
  return error_reply(400, "Invalid image: cannot identify image file");
}

// The text input of a text task, or an error reply in the service's list form.
std::optional<std::string> text_input(const Parsed& parsed) {
  if (parsed.doc && parsed.doc->is_object() && parsed.doc->contains("inputs") &&
      (*parsed.doc)["inputs"].is_string()) {
    return (*parsed.doc)["inputs"].get<std::string>();
  }
  return std::nullopt;
}

std::vector<std::string> text_list_input(const Parsed& parsed) {
  std::vector<std::string> texts;
  if (parsed.doc && parsed.doc->is_object() && parsed.doc->contains("inputs") &&
      (*parsed.doc)["inputs"].is_array()) {
    for (const auto& item : (*parsed.doc)["inputs"]) {
      if (item.is_string())
        texts.push_back(item.get<std::string>());
    }
  }
  return texts;
}

Reply missing_inputs() {
  return error_list_reply(400, "Error in `inputs`: field required");
}

std::size_t model_dimension(const nlohmann::json& model, std::size_t fallback) {
  if (model.contains("_embedding_dim") && model["_embedding_dim"].is_number_integer()) {
    return static_cast<std::size_t>(model["_embedding_dim"].get<std::int64_t>());
  }
  return fallback;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double dot = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    dot += a[i] * b[i];
  return dot;
}

json to_json_floats(const std::vector<double>& values) {
  json out = json::array();
  for (const double v : values)
    out.push_back(static_cast<float>(v));
  return out;
}

// --- text tasks ---------------------------------------------------------------------------------

// The seeded ranking, except that a text with an obvious sentiment puts the label meaning it first
// (with the score a confident model gives), so "I love this" reads POSITIVE.
std::vector<std::pair<std::string, double>> rank_text_labels(const std::vector<std::string>& labels,
                                                             const std::string& text) {
  auto ranking = ranked(labels, hash_bytes(text));
  const auto sentiment = plausible::sentiment_of(text);
  if (!sentiment)
    return ranking;
  const auto it = std::find_if(ranking.begin(), ranking.end(), [&](const auto& entry) {
    return plausible::label_means(entry.first, *sentiment);
  });
  if (it == ranking.end())
    return ranking;
  Rng rng(hash_bytes(text, 7));
  const double top = round_score(0.95 + 0.0499 * rng.uniform());
  const double rest_total = 1.0 - it->second;
  std::rotate(ranking.begin(), it, it + 1);
  for (std::size_t i = 1; i < ranking.size(); ++i) {
    const double share = rest_total > 0 ? ranking[i].second / rest_total : 0;
    ranking[i].second = round_score((1.0 - top) * share);
  }
  ranking[0].second = top;
  return ranking;
}

Reply text_classification(const TaskRequest& r, const Parsed& p) {
  const auto labels = labels_of(*r.model, k_text_labels);
  auto one = [&](const std::string& text) {
    return score_label_list(rank_text_labels(labels, text), top_k(p.parameters, labels.size()));
  };
  if (auto text = text_input(p))
    return json_reply(200, json::array({one(*text)}));
  const auto texts = text_list_input(p);
  if (texts.empty())
    return missing_inputs();
  json out = json::array();
  for (const auto& text : texts)
    out.push_back(one(text));
  return json_reply(200, out);
}

Reply token_classification(const TaskRequest&, const Parsed& p) {
  auto text = text_input(p);
  if (!text)
    return missing_inputs();
  json out = json::array();
  // Entities are runs of capitalised words that do not open a sentence.
  std::size_t at = 0;
  bool sentence_start = true;
  std::size_t run_start = std::string::npos;
  std::size_t run_end = 0;
  std::string last_word;     // the last word outside a run
  std::string previous_word; // the word before the current run: "in London", "is Sarah"
  auto flush = [&]() {
    if (run_start == std::string::npos)
      return;
    const std::string word = text->substr(run_start, run_end - run_start);
    Rng rng(hash_bytes(word));
    const std::size_t seeded = rng.below(k_entity_groups.size());
    const auto known = plausible::entity_group_of(word, previous_word);
    out.push_back({{"entity_group", known ? *known : k_entity_groups[seeded]},
                   {"score", round_score(0.9 + 0.099 * rng.uniform())},
                   {"word", word},
                   {"start", run_start},
                   {"end", run_end}});
    run_start = std::string::npos;
  };
  while (at < text->size()) {
    while (at < text->size() && (*text)[at] == ' ')
      ++at;
    std::size_t end = at;
    while (end < text->size() && (*text)[end] != ' ')
      ++end;
    if (end == at)
      break;
    std::size_t word_end = end;
    while (word_end > at &&
           std::string_view(".,;:!?").find((*text)[word_end - 1]) != std::string_view::npos) {
      --word_end;
    }
    const char first = (*text)[at];
    const bool capital = first >= 'A' && first <= 'Z' && word_end - at > 1;
    if (capital && !sentence_start) {
      if (run_start == std::string::npos) {
        run_start = at;
        previous_word = last_word;
      }
      run_end = word_end;
    } else {
      flush();
      last_word = text->substr(at, word_end - at);
    }
    if (word_end != end)
      flush();
    sentence_start =
        end > at && std::string_view(".!?").find((*text)[end - 1]) != std::string_view::npos;
    at = end;
  }
  flush();
  return json_reply(200, out);
}

Reply question_answering(const TaskRequest&, const Parsed& p) {
  if (!p.doc || !p.doc->is_object() || !p.doc->contains("inputs") ||
      !(*p.doc)["inputs"].is_object()) {
    return missing_inputs();
  }
  const json& inputs = (*p.doc)["inputs"];
  if (!inputs.contains("question") || !inputs["question"].is_string()) {
    return error_list_reply(400, "Error in `inputs.question`: field required");
  }
  if (!inputs.contains("context") || !inputs["context"].is_string()) {
    return error_list_reply(400, "Error in `inputs.context`: field required");
  }
  const auto context = inputs["context"].get<std::string>();
  const auto question = inputs["question"].get<std::string>();
  // Candidate answers: the capitalised words of the context (else every word), by start offset.
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::vector<std::pair<std::size_t, std::size_t>> any;
  std::size_t at = 0;
  while (at < context.size()) {
    while (at < context.size() && context[at] == ' ')
      ++at;
    std::size_t end = at;
    while (end < context.size() && context[end] != ' ')
      ++end;
    std::size_t word_end = end;
    while (word_end > at &&
           std::string_view(".,;:!?").find(context[word_end - 1]) != std::string_view::npos)
      --word_end;
    if (word_end > at) {
      any.emplace_back(at, word_end);
      if (context[at] >= 'A' && context[at] <= 'Z' && at > 0 && word_end - at > 1)
        spans.emplace_back(at, word_end);
    }
    at = end;
  }
  if (spans.empty())
    spans = any;
  if (spans.empty())
    return json_reply(200, json{{"score", 0.0}, {"start", 0}, {"end", 0}, {"answer", ""}});
  Rng rng(hash_bytes(context, hash_bytes(question)));
  const std::size_t k = std::min(top_k(p.parameters, 1), spans.size());
  json answers = json::array();
  double score = 0.6 + 0.39 * rng.uniform();
  const std::size_t first = rng.below(spans.size());
  for (std::size_t i = 0; i < k; ++i) {
    const auto [s, e] = spans[(first + i) % spans.size()];
    answers.push_back({{"score", round_score(score)},
                       {"start", s},
                       {"end", e},
                       {"answer", context.substr(s, e - s)}});
    score /= 3;
  }
  return json_reply(200, k == 1 && top_k(p.parameters, 1) == 1 ? answers[0] : answers);
}

Reply summarization(const TaskRequest&, const Parsed& p) {
  auto text = text_input(p);
  if (!text)
    return missing_inputs();
  auto words = split_words(*text);
  std::size_t limit = 30;
  if (p.parameters.contains("max_length") && p.parameters["max_length"].is_number_integer()) {
    limit = static_cast<std::size_t>(
        std::max<std::int64_t>(1, p.parameters["max_length"].get<std::int64_t>()));
  }
  // The first sentence, cut to max_length words.
  std::string summary;
  for (std::size_t i = 0; i < words.size() && i < limit; ++i) {
    if (!summary.empty())
      summary += ' ';
    summary += words[i];
    if (ends_with(words[i], "."))
      break;
  }
  return json_reply(200, json::array({{{"summary_text", summary}}}));
}

std::string translate(std::string_view text, std::string_view target) {
  // Not a translation: a reversible, visibly different rendering tagged with the target language.
  std::string out = "[" + std::string(target) + "]";
  for (const auto& word : split_words(text)) {
    out += ' ';
    std::string reversed(word.rbegin(), word.rend());
    out += reversed;
  }
  return out;
}

Reply translation(const TaskRequest& r, const Parsed& p) {
  std::string target = r.model->value("_target_lang", "de");
  if (p.parameters.contains("tgt_lang") && p.parameters["tgt_lang"].is_string()) {
    target = p.parameters["tgt_lang"].get<std::string>();
  }
  if (auto text = text_input(p))
    return json_reply(200, json::array({{{"translation_text", translate(*text, target)}}}));
  const auto texts = text_list_input(p);
  if (texts.empty())
    return missing_inputs();
  json out = json::array();
  for (const auto& text : texts)
    out.push_back({{"translation_text", translate(text, target)}});
  return json_reply(200, out);
}

Reply fill_mask(const TaskRequest& r, const Parsed& p) {
  auto text = text_input(p);
  if (!text)
    return missing_inputs();
  const std::string mask = r.model->value("_mask_token", "[MASK]");
  const auto where = text->find(mask);
  if (where == std::string::npos) {
    return error_reply(400, "No mask_token (" + mask + ") found on the input");
  }
  const bool uncased = r.model_id.find("uncased") != std::string::npos;
  const auto ranking = ranked(k_fill_words, hash_bytes(*text));
  json out = json::array();
  for (std::size_t i = 0; i < std::min(top_k(p.parameters, 5), ranking.size()); ++i) {
    std::string sequence =
        text->substr(0, where) + ranking[i].first + text->substr(where + mask.size());
    if (uncased)
      sequence = to_lower(sequence);
    out.push_back({{"score", ranking[i].second},
                   {"token", 1000 + hash_bytes(ranking[i].first) % 29000},
                   {"token_str", ranking[i].first},
                   {"sequence", sequence}});
  }
  return json_reply(200, out);
}

json embedding_of(const TaskRequest& r, const Parsed& p, const std::string& text) {
  std::size_t dim = model_dimension(*r.model, is_sentence_transformers(*r.model) ? 384 : 768);
  if (p.doc && p.doc->contains("dimensions") && (*p.doc)["dimensions"].is_number_integer()) {
    dim = std::clamp<std::size_t>(
        static_cast<std::size_t>((*p.doc)["dimensions"].get<std::int64_t>()), 1, dim);
  }
  if (is_sentence_transformers(*r.model))
    return to_json_floats(embed_text(text, dim));
  // A plain transformers model answers one vector per token (with the two special tokens).
  json tokens = json::array();
  const auto words = split_words(text);
  tokens.push_back(to_json_floats(embed_text("<s>", dim)));
  for (const auto& word : words)
    tokens.push_back(to_json_floats(embed_text(word, dim)));
  tokens.push_back(to_json_floats(embed_text("</s>", dim)));
  return json::array({tokens});
}

Reply feature_extraction(const TaskRequest& r, const Parsed& p) {
  if (auto text = text_input(p))
    return json_reply(200, embedding_of(r, p, *text));
  const auto texts = text_list_input(p);
  if (texts.empty())
    return missing_inputs();
  json out = json::array();
  for (const auto& text : texts)
    out.push_back(embedding_of(r, p, text));
  return json_reply(200, out);
}

Reply sentence_similarity(const TaskRequest& r, const Parsed& p) {
  if (!p.doc || !p.doc->is_object())
    return missing_inputs();
  // Current form: inputs{source_sentence, sentences}; the older one had them at the root.
  const json* holder =
      p.doc->contains("inputs") && (*p.doc)["inputs"].is_object() ? &(*p.doc)["inputs"] : &*p.doc;
  if (!holder->contains("source_sentence") || !(*holder)["source_sentence"].is_string()) {
    return error_list_reply(400, "Error in `inputs.source_sentence`: field required");
  }
  if (!holder->contains("sentences") || !(*holder)["sentences"].is_array()) {
    return error_list_reply(400, "Error in `inputs.sentences`: field required");
  }
  const std::size_t dim = model_dimension(*r.model, 384);
  const auto source = embed_text((*holder)["source_sentence"].get<std::string>(), dim);
  json out = json::array();
  for (const auto& sentence : (*holder)["sentences"]) {
    if (!sentence.is_string())
      return error_list_reply(400, "Error in `inputs.sentences`: str type expected");
    out.push_back(static_cast<float>(cosine(source, embed_text(sentence.get<std::string>(), dim))));
  }
  return json_reply(200, out);
}

Reply zero_shot_classification(const TaskRequest&, const Parsed& p) {
  auto text = text_input(p);
  if (!text) {
    const auto texts = text_list_input(p);
    if (texts.empty())
      return missing_inputs();
    text = texts.front();
  }
  if (!p.parameters.contains("candidate_labels") || !p.parameters["candidate_labels"].is_array() ||
      p.parameters["candidate_labels"].empty()) {
    return error_list_reply(400, "Error in `parameters.candidate_labels`: field required");
  }
  std::vector<std::string> labels;
  for (const auto& label : p.parameters["candidate_labels"]) {
    if (label.is_string())
      labels.push_back(label.get<std::string>());
  }
  const bool multi = p.parameters.value("multi_label", false);
  std::vector<std::pair<std::string, double>> ranking;
  if (multi) {
    for (const auto& label : labels) {
      Rng rng(hash_bytes(label, hash_bytes(*text)));
      ranking.emplace_back(label, round_score(rng.uniform()));
    }
    std::stable_sort(ranking.begin(), ranking.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  } else {
    ranking = ranked(labels, hash_bytes(*text));
  }
  json out = json::array();
  for (const auto& [label, score] : ranking)
    out.push_back({{"label", label}, {"score", score}});
  return json_reply(200, out);
}

Reply table_question_answering(const TaskRequest&, const Parsed& p) {
  const json* holder = nullptr;
  if (p.doc && p.doc->is_object()) {
    holder =
        p.doc->contains("inputs") && (*p.doc)["inputs"].is_object() ? &(*p.doc)["inputs"] : &*p.doc;
  }
  if (holder == nullptr || !holder->contains("query") || !(*holder)["query"].is_string()) {
    return error_list_reply(400, "Error in `inputs.query`: field required");
  }
  if (!holder->contains("table") || !(*holder)["table"].is_object() || (*holder)["table"].empty()) {
    return error_list_reply(400, "Error in `inputs.table`: field required");
  }
  const std::string query = (*holder)["query"].get<std::string>();
  const json& table = (*holder)["table"];
  std::size_t rows = 0;
  for (const auto& [name, column] : table.items()) {
    if (!column.is_array())
      return error_list_reply(400, "Error in `inputs.table`: columns must be lists");
    if (rows != 0 && column.size() != rows)
      return error_reply(400, "All columns of the table must have the same length");
    rows = column.size();
  }
  if (rows == 0)
    return error_reply(400, "The table is empty");
  // The column named in the query (else the last one), and a row chosen by the query.
  std::size_t column_index = table.size() - 1;
  std::size_t i = 0;
  const std::string lowered = to_lower(query);
  for (const auto& [name, column] : table.items()) {
    if (lowered.find(to_lower(name)) != std::string::npos)
      column_index = i;
    ++i;
  }
  const std::size_t row = hash_bytes(query) % rows;
  const json& column = std::next(table.begin(), static_cast<std::ptrdiff_t>(column_index)).value();
  const std::string cell =
      column[row].is_string() ? column[row].get<std::string>() : column[row].dump();
  const bool average =
      lowered.find("average") != std::string::npos || lowered.find("how many") != std::string::npos;
  const std::string aggregator = average ? "AVERAGE" : "NONE";
  return json_reply(200, json{{"answer", average ? "AVERAGE > " + cell : cell},
                              {"coordinates", json::array({json::array({row, column_index})})},
                              {"cells", json::array({cell})},
                              {"aggregator", aggregator}});
}

Reply tabular(const TaskRequest& r, const Parsed& p) {
  if (!p.doc || !p.doc->contains("inputs") || !(*p.doc)["inputs"].is_object() ||
      !(*p.doc)["inputs"].contains("data") || !(*p.doc)["inputs"]["data"].is_object()) {
    return error_list_reply(400, "Error in `inputs.data`: field required");
  }
  const json& data = (*p.doc)["inputs"]["data"];
  std::size_t rows = 0;
  for (const auto& [name, column] : data.items())
    rows = std::max(rows, column.is_array() ? column.size() : 0);
  json out = json::array();
  for (std::size_t row = 0; row < rows; ++row) {
    std::string key;
    for (const auto& [name, column] : data.items()) {
      if (column.is_array() && row < column.size())
        key += column[row].dump();
    }
    Rng rng(hash_bytes(key));
    if (r.task == "tabular-regression") {
      out.push_back(round_score(100 + 300 * rng.uniform()));
    } else {
      out.push_back(3 + static_cast<int>(rng.below(5)));
    }
  }
  return json_reply(200, out);
}

// --- vision and audio tasks ---------------------------------------------------------------------

Reply image_classification(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto labels = labels_of(*r.model, k_image_labels);
  return json_reply(
      200, score_label_list(ranked(labels, hash_bytes(input.bytes)), top_k(p.parameters, 5)));
}

Reply object_detection(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto size = media::image_size(input.bytes).value_or(media::Size{640, 480});
  const auto labels = labels_of(*r.model, k_object_labels);
  const double threshold = p.parameters.value("threshold", 0.5);
  Rng rng(hash_bytes(input.bytes));
  const std::size_t count = 1 + rng.below(3);
  json out = json::array();
  for (std::size_t i = 0; i < count; ++i) {
    const double score = round_score(0.55 + 0.449 * rng.uniform());
    const int x0 = static_cast<int>(rng.uniform() * size.width * 0.5);
    const int y0 = static_cast<int>(rng.uniform() * size.height * 0.5);
    const int x1 =
        std::min(size.width - 1, x0 + 1 + static_cast<int>(rng.uniform() * size.width * 0.5));
    const int y1 =
        std::min(size.height - 1, y0 + 1 + static_cast<int>(rng.uniform() * size.height * 0.5));
    const std::string& label = labels[rng.below(labels.size())];
    if (score < threshold)
      continue;
    out.push_back({{"score", score},
                   {"label", label},
                   {"box", {{"xmin", x0}, {"ymin", y0}, {"xmax", x1}, {"ymax", y1}}}});
  }
  return json_reply(200, out);
}

Reply image_segmentation(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto size = media::image_size(input.bytes).value_or(media::Size{64, 64});
  const auto labels = labels_of(*r.model, k_segment_labels);
  const auto ranking = ranked(labels, hash_bytes(input.bytes));
  json out = json::array();
  for (std::size_t i = 0; i < std::min<std::size_t>(2, ranking.size()); ++i) {
    const std::string mask = media::make_png_mask(
        size.width, size.height, hash_bytes(ranking[i].first, hash_bytes(input.bytes)));
    out.push_back({{"score", round_score(0.8 + 0.19 * ranking[i].second)},
                   {"label", ranking[i].first},
                   {"mask", base64_encode(mask)}});
  }
  return json_reply(200, out);
}

Reply image_to_text(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto ranking = ranked(k_image_labels, hash_bytes(input.bytes));
  std::string label = ranking.front().first.substr(0, ranking.front().first.find(','));
  const auto size = media::image_size(input.bytes);
  std::string caption = "a picture of a " + label;
  if (size)
    caption +=
        ", " + std::to_string(size->width) + " by " + std::to_string(size->height) + " pixels";
  // The current service answers one object (the JS client rejects the older one-element list).
  return json_reply(200, json{{"generated_text", caption}});
}

Reply image_to_image(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  auto size = media::image_size(input.bytes).value_or(media::Size{512, 512});
  if (p.parameters.contains("target_size") && p.parameters["target_size"].is_object()) {
    size.width = p.parameters["target_size"].value("width", size.width);
    size.height = p.parameters["target_size"].value("height", size.height);
  }
  std::uint64_t seed = hash_bytes(input.bytes);
  if (p.parameters.contains("prompt"))
    seed = hash_bytes(p.parameters["prompt"].dump(), seed);
  Reply reply;
  reply.content_type = "image/jpeg";
  reply.body = media::make_jpeg(size.width, size.height, seed);
  return reply;
}

Reply automatic_speech_recognition(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "audio");
  if (input.error)
    return *input.error;
  const double seconds =
      media::audio_seconds(input.bytes).value_or(static_cast<double>(input.bytes.size()) / 32000.0);
  Rng rng(hash_bytes(input.bytes));
  const std::size_t count = std::clamp<std::size_t>(static_cast<std::size_t>(seconds * 2.5), 2, 60);
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (!text.empty())
      text += ' ';
    text += k_speech_words[rng.below(k_speech_words.size())];
  }
  json out{{"text", text}};
  if (p.parameters.value("return_timestamps", false)) {
    out["chunks"] = json::array({{{"text", text}, {"timestamp", json::array({0.0, seconds})}}});
  }
  return json_reply(200, out);
}

Reply audio_classification(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "audio");
  if (input.error)
    return *input.error;
  const auto labels = labels_of(*r.model, k_audio_labels);
  return json_reply(
      200, score_label_list(ranked(labels, hash_bytes(input.bytes)), top_k(p.parameters, 5)));
}

Reply audio_to_audio(const TaskRequest& r, const Parsed& p) {
  auto input = binary_input(r, p, "audio");
  if (input.error)
    return *input.error;
  const double seconds = media::audio_seconds(input.bytes).value_or(1.0);
  // A source-separation model (SepFormer) answers one blob per separated speaker; an enhancer one.
  const int sources = r.model_id.find("sepformer") != std::string::npos ? 2 : 1;
  json out = json::array();
  for (int i = 0; i < sources; ++i) {
    const auto samples =
        media::make_tone(seconds, hash_bytes(input.bytes) + static_cast<std::uint64_t>(i));
    out.push_back({{"label", "label_" + std::to_string(i)},
                   {"blob", base64_encode(media::make_flac(samples, 16000))},
                   {"content-type", "audio/flac"}});
  }
  return json_reply(200, out);
}

std::vector<std::string> candidate_labels(const Parsed& p) {
  std::vector<std::string> labels;
  if (p.parameters.contains("candidate_labels") && p.parameters["candidate_labels"].is_array()) {
    for (const auto& label : p.parameters["candidate_labels"]) {
      if (label.is_string())
        labels.push_back(label.get<std::string>());
    }
  }
  return labels;
}

Reply zero_shot_image_classification(const TaskRequest& r, const Parsed& p) {
  if (!p.doc)
    return error_reply(400,
                       "Zero-shot image classification expects a JSON body with candidate_labels");
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto labels = candidate_labels(p);
  if (labels.empty())
    return error_list_reply(400, "Error in `parameters.candidate_labels`: field required");
  return json_reply(200, score_label_list(ranked(labels, hash_bytes(input.bytes)), labels.size()));
}

std::optional<std::string> question_of(const Parsed& p) {
  if (!p.doc || !p.doc->is_object())
    return std::nullopt;
  const json& doc = *p.doc;
  if (doc.contains("inputs") && doc["inputs"].is_object() && doc["inputs"].contains("question") &&
      doc["inputs"]["question"].is_string()) {
    return doc["inputs"]["question"].get<std::string>();
  }
  if (doc.contains("question") && doc["question"].is_string())
    return doc["question"].get<std::string>();
  return std::nullopt;
}

Reply visual_question_answering(const TaskRequest& r, const Parsed& p) {
  auto question = question_of(p);
  if (!question)
    return error_list_reply(400, "Error in `inputs.question`: field required");
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  const auto ranking = ranked(k_vqa_answers, hash_bytes(*question, hash_bytes(input.bytes)));
  json out = json::array();
  for (std::size_t i = 0; i < std::min(top_k(p.parameters, 5), ranking.size()); ++i) {
    out.push_back({{"score", ranking[i].second}, {"answer", ranking[i].first}});
  }
  return json_reply(200, out);
}

Reply document_question_answering(const TaskRequest& r, const Parsed& p) {
  auto question = question_of(p);
  if (!question)
    return error_list_reply(400, "Error in `inputs.question`: field required");
  auto input = binary_input(r, p, "image");
  if (input.error)
    return *input.error;
  if (auto bad = require_image(input.bytes))
    return *bad;
  Rng rng(hash_bytes(*question, hash_bytes(input.bytes)));
  const std::string answer = "us-" + std::to_string(100 + rng.below(900));
  if (r.model->value("_answer_only", false))
    return json_reply(200, json::array({{{"answer", answer}}}));
  const int start = static_cast<int>(rng.below(40));
  return json_reply(200, json::array({{{"score", round_score(0.5 + 0.49 * rng.uniform())},
                                       {"answer", answer},
                                       {"start", start},
                                       {"end", start}}}));
}

// --- generation of media from text ---------------------------------------------------------------

Reply text_to_image(const TaskRequest&, const Parsed& p) {
  auto prompt = text_input(p);
  if (!prompt)
    return missing_inputs();
  const int width = p.parameters.value("width", 512);
  const int height = p.parameters.value("height", 512);
  std::uint64_t seed = hash_bytes(*prompt);
  if (p.parameters.contains("seed"))
    seed = hash_bytes(p.parameters["seed"].dump(), seed);
  Reply reply;
  reply.content_type = "image/jpeg";
  reply.body = media::make_jpeg(width, height, seed);
  return reply;
}

Reply text_to_speech(const TaskRequest&, const Parsed& p) {
  auto text = text_input(p);
  if (!text)
    return missing_inputs();
  const double seconds = std::clamp(0.06 * static_cast<double>(text->size()), 0.3, 10.0);
  Reply reply;
  reply.content_type = "audio/flac";
  reply.body = media::make_flac(media::make_tone(seconds, hash_bytes(*text)), 16000);
  return reply;
}

} // namespace

std::vector<double> embed_text(std::string_view text, std::size_t dimensions) {
  std::vector<double> vector(dimensions, 0.0);
  auto words = split_words(to_lower(text));
  if (words.empty())
    words.emplace_back("");
  for (auto word : words) {
    while (!word.empty() &&
           std::string_view(".,;:!?\"'").find(word.back()) != std::string_view::npos)
      word.pop_back();
    Rng rng(hash_bytes(word));
    for (double& v : vector)
      v += rng.uniform() * 2.0 - 1.0;
  }
  double norm = 0;
  for (const double v : vector)
    norm += v * v;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (double& v : vector)
      v /= norm;
  }
  return vector;
}

Reply run_task(const TaskRequest& request) {
  const Parsed parsed = parse_body(request);
  const std::string& task = request.task;
  if (task == "text-classification" || task == "sentiment-analysis")
    return text_classification(request, parsed);
  if (task == "token-classification")
    return token_classification(request, parsed);
  if (task == "question-answering")
    return question_answering(request, parsed);
  if (task == "summarization")
    return summarization(request, parsed);
  if (task == "translation")
    return translation(request, parsed);
  if (task == "fill-mask")
    return fill_mask(request, parsed);
  if (task == "feature-extraction")
    return feature_extraction(request, parsed);
  if (task == "sentence-similarity")
    return sentence_similarity(request, parsed);
  if (task == "zero-shot-classification")
    return zero_shot_classification(request, parsed);
  if (task == "table-question-answering")
    return table_question_answering(request, parsed);
  if (task == "tabular-classification" || task == "tabular-regression")
    return tabular(request, parsed);
  if (task == "image-classification")
    return image_classification(request, parsed);
  if (task == "object-detection")
    return object_detection(request, parsed);
  if (task == "image-segmentation")
    return image_segmentation(request, parsed);
  if (task == "image-to-text")
    return image_to_text(request, parsed);
  if (task == "image-to-image")
    return image_to_image(request, parsed);
  if (task == "automatic-speech-recognition")
    return automatic_speech_recognition(request, parsed);
  if (task == "audio-classification")
    return audio_classification(request, parsed);
  if (task == "audio-to-audio")
    return audio_to_audio(request, parsed);
  if (task == "zero-shot-image-classification")
    return zero_shot_image_classification(request, parsed);
  if (task == "visual-question-answering")
    return visual_question_answering(request, parsed);
  if (task == "document-question-answering")
    return document_question_answering(request, parsed);
  if (task == "text-to-image")
    return text_to_image(request, parsed);
  if (task == "text-to-speech" || task == "text-to-audio")
    return text_to_speech(request, parsed);
  return error_reply(400, "Task " + task + " is not supported by hf-inference for model " +
                              request.model_id);
}

} // namespace emulator::router
