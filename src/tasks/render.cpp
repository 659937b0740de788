// Terminal renderings of normalized results. Layout only: every value shown comes from the JSON.
#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <hfrun/tasks/render.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::json_array;
using util::json_member;
using util::member_or;

// Normalized results carry fields passed through from the server (ASR chunks, tool calls, usage),
// and render() takes any JSON: every read here tolerates a missing or wrong-typed field.
const json k_null;
const json k_empty_list = json::array();

// The member at `key`, or null.
const json& at_or_null(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v != nullptr ? *v : k_null;
}

// The list at `key`, or an empty list.
const json& list_at(const json& obj, std::string_view key) {
  const json* v = json_array(obj, key);
  return v != nullptr ? *v : k_empty_list;
}

struct Style {
  bool color;
  [[nodiscard]] std::string bold(std::string_view s) const {
    return color ? fmt::format("\x1b[1m{}\x1b[0m", s) : std::string(s);
  }
  [[nodiscard]] std::string bar(std::string_view s) const {
    return color ? fmt::format("\x1b[36m{}\x1b[0m", s) : std::string(s);
  }
  [[nodiscard]] std::string dim(std::string_view s) const {
    return color ? fmt::format("\x1b[2m{}\x1b[0m", s) : std::string(s);
  }
};

// Code points in a UTF-8 string (close enough to columns for labels).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Byte offset of the n-th code point (servers count characters, not bytes).
std::size_t byte_offset(std::string_view s, std::size_t code_points) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == code_points) {
        return i;
      }
      ++seen;
    }
  }
  return seen == code_points ? s.size() : std::string_view::npos;
}

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t cols = columns(s);
  if (cols < width) {
    out.append(width - cols, ' ');
  }
  return out;
}

std::string truncate(std::string_view s, std::size_t width) {
  if (columns(s) <= width || width < 2) {
    return std::string(s);
  }
  const std::size_t cut = byte_offset(s, width - 1);
  return std::string(s.substr(0, cut)) + "…";
}

// A horizontal bar of `width` cells for a score in [0, 1], in eighths of a block.
std::string bar(double score, std::size_t width) {
  static constexpr std::array<std::string_view, 8> k_eighths{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const double clamped = std::clamp(score, 0.0, 1.0);
  const auto eighths =
      static_cast<std::size_t>(std::lround(clamped * static_cast<double>(width) * 8));
  std::string out;
  for (std::size_t i = 0; i < eighths / 8; ++i) {
    out += "█";
  }
  out += k_eighths[eighths % 8];
  return out;
}

double number(const json& v) {
  return util::as_number(v).value_or(0.0);
}

std::string score_text(const json& v) {
  const auto n = util::as_number(v);
  return n ? fmt::format("{:.4f}", *n) : "    -";
}

std::string text(const json& v) {
  return util::as_string(v).value_or(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The text at `key`, "" when absent or null; other types as JSON.
std::string text_at(const json& obj, std::string_view key) {
  const json& v = at_or_null(obj, key);
  return v.is_null() ? std::string() : text(v);
}

// Rows of (name, score, extra) as an aligned table with bars.
struct Row {
  std::string name;
  json score;
  std::string extra;
};

std::string score_table(const std::vector<Row>& rows, const RenderOptions& options) {
  const Style style{options.color};
  std::size_t name_width = 0;
  std::size_t extra_width = 0;
  for (const auto& r : rows) {
    name_width = std::max(name_width, std::min<std::size_t>(columns(r.name), 40));
    extra_width = std::max(extra_width, r.extra.empty() ? 0 : columns(r.extra) + 2);
  }
  // name, 2 spaces, score (6), 2 spaces, bar, extra: the bar takes what the line leaves.
  const int room = options.width - static_cast<int>(name_width + 10 + extra_width);
  const auto bar_width = static_cast<std::size_t>(std::clamp(room, 10, 40));
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string name = pad(truncate(r.name, 40), name_width);
    out += i == 0 ? style.bold(name) : name;
    out += "  " + score_text(r.score);
    if (r.score.is_number()) {
      out += "  " + style.bar(bar(number(r.score), bar_width));
    }
    if (!r.extra.empty()) {
      out += "  " + style.dim(r.extra);
    }
    // No trailing spaces in a line.
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    out += "\n";
  }
  return out;
}

std::string render_labels(const json& labels, const RenderOptions& options) {
  std::vector<Row> rows;
  for (const auto& l : labels) {
    rows.push_back({text(at_or_null(l, "label")), at_or_null(l, "score"), {}});
  }
  return rows.empty() ? std::string("(no labels)\n") : score_table(rows, options);
}

std::string render_entities(const json& entities, const RenderOptions& options) {
  const Style style{options.color};
  const std::string_view input = options.input_text;
  // Inline when every entity has offsets inside the text.
  // Inline when every entity has offsets (in code points) inside the text.
  struct Span {
    const json* entity;
    std::size_t begin; // byte offsets in input
    std::size_t end;
  };
  std::vector<Span> spans;
  bool inline_ok = !input.empty() && !entities.empty();
  for (const auto& e : entities) {
    const auto start = util::json_int(e, "start");
    const auto stop = util::json_int(e, "end");
    if (!start || !stop || *start < 0 || *start > *stop) {
      inline_ok = false;
      break;
    }
    const std::size_t begin = byte_offset(input, static_cast<std::size_t>(*start));
    const std::size_t end = byte_offset(input, static_cast<std::size_t>(*stop));
    if (begin == std::string_view::npos || end == std::string_view::npos) {
      inline_ok = false;
      break;
    }
    spans.push_back({&e, begin, end});
  }
  if (inline_ok) {
    std::stable_sort(spans.begin(), spans.end(),
                     [](const Span& a, const Span& b) { return a.begin < b.begin; });
    std::string out;
    std::size_t at = 0; // byte position in input
    for (const auto& span : spans) {
      if (span.begin < at) {
        continue; // overlapping entity: keep the first
      }
      out += input.substr(at, span.begin - at);
      out += style.bold("[" + std::string(input.substr(span.begin, span.end - span.begin)) + "]");
      out += style.dim(fmt::format("({} {:.2f})", text_at(*span.entity, "entity"),
                                   number(at_or_null(*span.entity, "score"))));
      at = span.end;
    }
    out += input.substr(at);
    return out + "\n";
  }
  std::vector<Row> rows;
  for (const auto& e : entities) {
    std::string extra = text_at(e, "entity");
    const json& start = at_or_null(e, "start");
    const json& end = at_or_null(e, "end");
    if (start.is_number() && end.is_number()) {
      extra += fmt::format(" [{}:{}]", start.dump(), end.dump());
    }
    rows.push_back({text_at(e, "word"), at_or_null(e, "score"), extra});
  }
  return rows.empty() ? std::string("(no entities)\n") : score_table(rows, options);
}

std::string render_answers(const json& answers, const RenderOptions& options) {
  std::vector<Row> rows;
  for (const auto& a : answers) {
    std::string extra;
    const json& start = at_or_null(a, "start");
    const json& end = at_or_null(a, "end");
    if (start.is_number() && end.is_number()) {
      extra = fmt::format("[{}:{}]", start.dump(), end.dump());
    }
    rows.push_back({text_at(a, "answer"), at_or_null(a, "score"), extra});
  }
  return rows.empty() ? std::string("(no answer)\n") : score_table(rows, options);
}

std::string with_newline(std::string s) {
  if (s.empty() || s.back() != '\n') {
    s += '\n';
  }
  return s;
}

std::string render_embeddings(const json& r) {
  std::string shape;
  for (const auto& d : list_at(r, "shape")) {
    shape += (shape.empty() ? "" : "×") + d.dump();
  }
  std::string out = fmt::format("embeddings: shape {} (dimension {})\n", shape,
                                at_or_null(r, "dimension").dump());
  // The vectors are the innermost arrays; summarise the first few.
  std::vector<const json*> vectors;
  auto collect = [&](auto&& self, const json& node) -> void {
    if (vectors.size() >= 3) {
      return;
    }
    if (!node.is_array()) {
      return;
    }
    if (!node.empty() && node.front().is_number()) {
      vectors.push_back(&node);
      return;
    }
    for (const auto& child : node) {
      self(self, child);
    }
  };
  collect(collect, list_at(r, "embeddings"));
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const json& v = *vectors[i];
    double sum = 0;
    for (const auto& x : v) {
      sum += number(x) * number(x);
    }
    std::string first;
    for (std::size_t k = 0; k < std::min<std::size_t>(v.size(), 5); ++k) {
      first += fmt::format("{}{:.4f}", k == 0 ? "" : ", ", number(v[k]));
    }
    out += fmt::format("  [{}] L2 norm {:.4f}  first values: {}{}\n", i, std::sqrt(sum), first,
                       v.size() > 5 ? ", …" : "");
  }
  return out;
}

// A token's text as JSON (quotes show its spaces, escapes its newlines).
std::string token_text(const json& token) {
  return at_or_null(token, "text").dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string logprob_of(const json& token) {
  const json& lp = at_or_null(token, "logprob");
  return lp.is_number() ? fmt::format("{:.4f}", number(lp)) : "-";
}

std::string without_trailing_spaces(std::string line) {
  while (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
  return line;
}

std::string render_tokens(const json& tokens, const json& top, const Style& style) {
  std::string out = style.dim(without_trailing_spaces(
                        fmt::format("  {:>4}  {:<20} {:>8} {:>9}  {}", "#", "token", "id",
                                    "logprob", top.empty() ? "" : "top alternatives"))) +
                    "\n";
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const json& t = tokens[i];
    const json& id = at_or_null(t, "id");
    std::string alternatives;
    if (i < top.size() && top[i].is_array()) {
      for (const auto& alt : top[i]) {
        alternatives +=
            (alternatives.empty() ? "" : "  ") + token_text(alt) + " " + logprob_of(alt);
      }
    }
    const bool special = util::bool_or(t, "special", false);
    out += without_trailing_spaces(fmt::format("  {:>4}  {:<20} {:>8} {:>9}  {}{}", i + 1,
                                               token_text(t), id.is_number() ? id.dump() : "-",
                                               logprob_of(t), alternatives,
                                               special ? style.dim(" (special)") : "")) +
           "\n";
  }
  return out;
}

std::string render_one(const TaskSpec& spec, const json& r, const RenderOptions& options) {
  const Style style{options.color};
  switch (spec.id) {
  case TaskId::text_classification:
  case TaskId::image_classification:
  case TaskId::audio_classification:
  case TaskId::zero_shot_classification:
  case TaskId::zero_shot_image_classification:
    return render_labels(list_at(r, "labels"), options);
  case TaskId::token_classification:
    return render_entities(list_at(r, "entities"), options);
  case TaskId::question_answering:
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
    return render_answers(list_at(r, "answers"), options);
  case TaskId::summarization:
    return with_newline(text_at(r, "summary_text"));
  case TaskId::translation:
    return with_newline(text_at(r, "translation_text"));
  case TaskId::image_to_text:
    return with_newline(text_at(r, "generated_text"));
  case TaskId::text_generation:
    return with_newline(text_at(r, "generated_text")) +
           (options.details ? render_generation_details(r, options) : std::string());
  case TaskId::automatic_speech_recognition: {
    std::string out = with_newline(text_at(r, "text"));
    for (const auto& c : list_at(r, "chunks")) {
      const json& ts = list_at(c, "timestamp");
      out += style.dim(
          ts.size() == 2 ? fmt::format("[{} – {}] ", ts.front().dump(), ts.back().dump()) : "");
      out += with_newline(text_at(c, "text"));
    }
    return out;
  }
  case TaskId::conversational: {
    std::string out;
    if (const json* reasoning = json_member(r, "reasoning")) {
      out += style.dim(with_newline(text(*reasoning)));
    }
    out += with_newline(text_at(r, "content"));
    for (const auto& call : list_at(r, "tool_calls")) {
      const json& function = at_or_null(call, "function");
      out += fmt::format("tool call: {}({})\n", text_at(function, "name"),
                         text_at(function, "arguments"));
    }
    return out;
  }
  case TaskId::fill_mask: {
    std::vector<Row> rows;
    for (const auto& c : list_at(r, "candidates")) {
      rows.push_back({text_at(c, "token_str"), at_or_null(c, "score"), text_at(c, "sequence")});
    }
    return score_table(rows, options);
  }
  case TaskId::feature_extraction:
    return render_embeddings(r);
  case TaskId::sentence_similarity: {
    std::vector<Row> rows;
    std::size_t i = 0;
    for (const auto& s : list_at(r, "scores")) {
      rows.push_back({fmt::format("sentence {}", ++i), s, {}});
    }
    return score_table(rows, options);
  }
  case TaskId::text_ranking: {
    std::vector<Row> rows;
    for (const auto& item : list_at(r, "ranking")) {
      const json& text_value = at_or_null(item, "text");
      rows.push_back({text_value.is_string()
                          ? text(text_value)
                          : fmt::format("text {}", text(at_or_null(item, "index"))),
                      at_or_null(item, "score"),
                      {}});
    }
    return rows.empty() ? std::string("(no texts)\n") : score_table(rows, options);
  }
  case TaskId::table_question_answering: {
    std::string out = style.bold(text_at(r, "answer")) + "\n";
    if (const json& aggregator = at_or_null(r, "aggregator"); !aggregator.is_null()) {
      out += "  aggregator: " + text(aggregator) + "\n";
    }
    std::string cells;
    for (const auto& c : list_at(r, "cells")) {
      cells += (cells.empty() ? "" : ", ") + text(c);
    }
    out += "  cells: " + cells + "\n";
    out += "  coordinates: " + list_at(r, "coordinates").dump() + "\n";
    return out;
  }
  case TaskId::tabular_classification:
  case TaskId::tabular_regression: {
    std::string out;
    std::size_t i = 0;
    for (const auto& p : list_at(r, "predictions")) {
      out += fmt::format("row {}: {}\n", ++i,
                         p.is_number_float() ? fmt::format("{:.4f}", number(p)) : text(p));
    }
    return out;
  }
  case TaskId::object_detection: {
    std::vector<Row> rows;
    for (const auto& o : list_at(r, "objects")) {
      const json& b = at_or_null(o, "box");
      rows.push_back({text_at(o, "label"), at_or_null(o, "score"),
                      fmt::format("box ({}, {}) – ({}, {})", at_or_null(b, "xmin").dump(),
                                  at_or_null(b, "ymin").dump(), at_or_null(b, "xmax").dump(),
                                  at_or_null(b, "ymax").dump())});
    }
    return rows.empty() ? std::string("(no objects)\n") : score_table(rows, options);
  }
  case TaskId::image_segmentation: {
    std::vector<Row> rows;
    for (const auto& s : list_at(r, "segments")) {
      rows.push_back({text_at(s, "label"), at_or_null(s, "score"),
                      fmt::format("mask: {} bytes of base64 PNG", text_at(s, "mask").size())});
    }
    return rows.empty() ? std::string("(no segments)\n") : score_table(rows, options);
  }
  case TaskId::text_to_image:
  case TaskId::image_to_image:
  case TaskId::text_to_speech:
  case TaskId::audio_to_audio:
  case TaskId::text_to_video:
  case TaskId::image_to_video: {
    const json* listed = json_array(r, "outputs");
    const json outputs = listed != nullptr ? *listed : json::array({r});
    std::string out;
    for (const auto& o : outputs) {
      std::string line = json_member(o, "label") != nullptr ? text_at(o, "label") + ": " : "";
      const std::string type = util::string_or(o, "content_type", "");
      line += type.empty() ? "binary" : type;
      if (const json* bytes = json_member(o, "bytes")) {
        line += fmt::format(", {} bytes", bytes->dump());
      }
      if (const json* url = json_member(o, "url")) {
        line += ", " + text(*url);
      }
      if (const json* path = json_member(o, "path")) {
        line += " -> " + text(*path);
      }
      out += line + "\n";
    }
    return out;
  }
  }
  return r.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace

std::string render_generation_details(const json& normalized, const RenderOptions& options) {
  const json* d = util::json_object(normalized, "details");
  if (d == nullptr) {
    return "";
  }
  const Style style{options.color};
  const json& seed = at_or_null(*d, "seed");
  const json& count = at_or_null(*d, "generated_tokens");
  std::string out =
      style.bold("details") + fmt::format(": finish_reason {}, {} generated tokens, seed {}\n",
                                          text(at_or_null(*d, "finish_reason")),
                                          count.is_number() ? count.dump() : "?",
                                          seed.is_number() ? seed.dump() : "none");
  out += render_tokens(list_at(*d, "tokens"), list_at(*d, "top_tokens"), style);
  if (const json& prefill = list_at(*d, "prefill"); !prefill.empty()) {
    out += style.bold("prefill") + fmt::format(" ({} tokens)\n", prefill.size());
    out += render_tokens(prefill, k_empty_list, style);
  }
  std::size_t n = 1;
  for (const auto& seq : list_at(*d, "best_of_sequences")) {
    const json& generated = at_or_null(seq, "generated_tokens");
    out +=
        style.bold(fmt::format("best_of sequence {}", ++n)) +
        fmt::format(
            ": {} (finish_reason {}, {} tokens)\n",
            at_or_null(seq, "generated_text").dump(-1, ' ', false, json::error_handler_t::replace),
            text(at_or_null(seq, "finish_reason")), generated.is_number() ? generated.dump() : "?");
  }
  return out;
}

std::string render(const TaskSpec& spec, const json& normalized, const RenderOptions& options) {
  if (!normalized.is_object()) {
    return normalized.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  if (const json* batch = json_array(normalized, "batch")) {
    const Style style{options.color};
    std::string out;
    std::size_t i = 0;
    for (const auto& item : *batch) {
      out += style.dim(fmt::format("── {} ──", ++i)) + "\n";
      RenderOptions each = options;
      each.input_text = {}; // the offsets refer to one of several inputs
      out += render_one(spec, item, each);
    }
    return out;
  }
  return render_one(spec, normalized, options);
}

} // namespace hfrun::tasks
