// Terminal renderings of normalized results. Layout only: every value shown comes from the JSON.
#include <hfrun/tasks/render.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;

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
  const auto eighths = static_cast<std::size_t>(std::lround(clamped * static_cast<double>(width) * 8));
  std::string out;
  for (std::size_t i = 0; i < eighths / 8; ++i) {
    out += "█";
  }
  out += k_eighths[eighths % 8];
  return out;
}

double number(const json& v) { return v.is_number() ? v.get<double>() : 0.0; }

std::string score_text(const json& v) { return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : "    -"; }

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

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
    rows.push_back({text(l.value("label", json())), l.value("score", json()), {}});
  }
  return rows.empty() ? std::string("(no labels)\n") : score_table(rows, options);
}

std::string render_entities(const json& entities, const RenderOptions& options) {
  const Style style{options.color};
  const std::string_view input = options.input_text;
  // Inline when every entity has offsets inside the text.
  bool inline_ok = !input.empty() && !entities.empty();
  for (const auto& e : entities) {
    if (!e["start"].is_number_integer() || !e["end"].is_number_integer() ||
        byte_offset(input, e["end"].get<std::size_t>()) == std::string_view::npos ||
        e["start"].get<long long>() < 0 || e["start"].get<long long>() > e["end"].get<long long>()) {
      inline_ok = false;
    }
  }
  if (inline_ok) {
    std::vector<json> sorted(entities.begin(), entities.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const json& a, const json& b) { return a["start"].get<long long>() < b["start"].get<long long>(); });
    std::string out;
    std::size_t at = 0; // byte position in input
    for (const auto& e : sorted) {
      const std::size_t begin = byte_offset(input, e["start"].get<std::size_t>());
      const std::size_t end = byte_offset(input, e["end"].get<std::size_t>());
      if (begin < at) {
        continue; // overlapping entity: keep the first
      }
      out += input.substr(at, begin - at);
      out += style.bold("[" + std::string(input.substr(begin, end - begin)) + "]");
      out += style.dim(fmt::format("({} {:.2f})", text(e["entity"]), number(e["score"])));
      at = end;
    }
    out += input.substr(at);
    return out + "\n";
  }
  std::vector<Row> rows;
  for (const auto& e : entities) {
    std::string extra = text(e["entity"]);
    if (e["start"].is_number() && e["end"].is_number()) {
      extra += fmt::format(" [{}:{}]", e["start"].dump(), e["end"].dump());
    }
    rows.push_back({text(e["word"]), e["score"], extra});
  }
  return rows.empty() ? std::string("(no entities)\n") : score_table(rows, options);
}

std::string render_answers(const json& answers, const RenderOptions& options) {
  std::vector<Row> rows;
  for (const auto& a : answers) {
    std::string extra;
    if (a.contains("start") && a["start"].is_number() && a["end"].is_number()) {
      extra = fmt::format("[{}:{}]", a["start"].dump(), a["end"].dump());
    }
    rows.push_back({text(a["answer"]), a.value("score", json()), extra});
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
  for (const auto& d : r["shape"]) {
    shape += (shape.empty() ? "" : "×") + d.dump();
  }
  std::string out = fmt::format("embeddings: shape {} (dimension {})\n", shape, r["dimension"].dump());
  // The vectors are the innermost arrays; summarise the first few.
  std::vector<const json*> vectors;
  auto collect = [&](auto&& self, const json& node) -> void {
    if (vectors.size() >= 3) {
      return;
    }
    if (!node.empty() && node[0].is_number()) {
      vectors.push_back(&node);
      return;
    }
    for (const auto& child : node) {
      self(self, child);
    }
  };
  collect(collect, r["embeddings"]);
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

std::string render_one(const TaskSpec& spec, const json& r, const RenderOptions& options) {
  const Style style{options.color};
  switch (spec.id) {
  case TaskId::text_classification:
  case TaskId::image_classification:
  case TaskId::audio_classification:
  case TaskId::zero_shot_classification:
  case TaskId::zero_shot_image_classification:
    return render_labels(r.value("labels", json::array()), options);
  case TaskId::token_classification:
    return render_entities(r.value("entities", json::array()), options);
  case TaskId::question_answering:
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
    return render_answers(r.value("answers", json::array()), options);
  case TaskId::summarization:
    return with_newline(text(r.value("summary_text", json(""))));
  case TaskId::translation:
    return with_newline(text(r.value("translation_text", json(""))));
  case TaskId::image_to_text:
  case TaskId::text_generation:
    return with_newline(text(r.value("generated_text", json(""))));
  case TaskId::automatic_speech_recognition: {
    std::string out = with_newline(text(r.value("text", json(""))));
    for (const auto& c : r.value("chunks", json::array())) {
      const json ts = c.value("timestamp", json::array());
      out += style.dim(ts.size() == 2 ? fmt::format("[{} – {}] ", ts[0].dump(), ts[1].dump()) : "");
      out += with_newline(text(c.value("text", json(""))));
    }
    return out;
  }
  case TaskId::conversational: {
    std::string out;
    if (r.contains("reasoning")) {
      out += style.dim(with_newline(text(r["reasoning"])));
    }
    out += with_newline(text(r.value("content", json(""))));
    for (const auto& call : r.value("tool_calls", json::array())) {
      out += fmt::format("tool call: {}({})\n", text(call["function"].value("name", json(""))),
                         text(call["function"].value("arguments", json(""))));
    }
    return out;
  }
  case TaskId::fill_mask: {
    std::vector<Row> rows;
    for (const auto& c : r.value("candidates", json::array())) {
      rows.push_back({text(c["token_str"]), c["score"], text(c["sequence"])});
    }
    return score_table(rows, options);
  }
  case TaskId::feature_extraction:
    return render_embeddings(r);
  case TaskId::sentence_similarity: {
    std::vector<Row> rows;
    std::size_t i = 0;
    for (const auto& s : r.value("scores", json::array())) {
      rows.push_back({fmt::format("sentence {}", ++i), s, {}});
    }
    return score_table(rows, options);
  }
  case TaskId::table_question_answering: {
    std::string out = style.bold(text(r.value("answer", json("")))) + "\n";
    if (r.contains("aggregator") && !r["aggregator"].is_null()) {
      out += "  aggregator: " + text(r["aggregator"]) + "\n";
    }
    std::string cells;
    for (const auto& c : r.value("cells", json::array())) {
      cells += (cells.empty() ? "" : ", ") + text(c);
    }
    out += "  cells: " + cells + "\n";
    out += "  coordinates: " + r.value("coordinates", json::array()).dump() + "\n";
    return out;
  }
  case TaskId::tabular_classification:
  case TaskId::tabular_regression: {
    std::string out;
    std::size_t i = 0;
    for (const auto& p : r.value("predictions", json::array())) {
      out += fmt::format("row {}: {}\n", ++i, p.is_number_float() ? fmt::format("{:.4f}", p.get<double>()) : text(p));
    }
    return out;
  }
  case TaskId::object_detection: {
    std::vector<Row> rows;
    for (const auto& o : r.value("objects", json::array())) {
      const json& b = o["box"];
      rows.push_back({text(o["label"]), o["score"],
                      fmt::format("box ({}, {}) – ({}, {})", b["xmin"].dump(), b["ymin"].dump(),
                                  b["xmax"].dump(), b["ymax"].dump())});
    }
    return rows.empty() ? std::string("(no objects)\n") : score_table(rows, options);
  }
  case TaskId::image_segmentation: {
    std::vector<Row> rows;
    for (const auto& s : r.value("segments", json::array())) {
      rows.push_back({text(s["label"]), s["score"],
                      fmt::format("mask: {} bytes of base64 PNG", text(s["mask"]).size())});
    }
    return rows.empty() ? std::string("(no segments)\n") : score_table(rows, options);
  }
  case TaskId::text_to_image:
  case TaskId::image_to_image:
  case TaskId::text_to_speech:
  case TaskId::audio_to_audio: {
    const json outputs = r.contains("outputs") ? r["outputs"] : json::array({r});
    std::string out;
    for (const auto& o : outputs) {
      std::string line = o.contains("label") ? text(o["label"]) + ": " : "";
      line += o.value("content_type", "").empty() ? "binary" : o.value("content_type", "");
      if (o.contains("bytes")) {
        line += fmt::format(", {} bytes", o["bytes"].dump());
      }
      if (o.contains("url")) {
        line += ", " + text(o["url"]);
      }
      if (o.contains("path")) {
        line += " -> " + text(o["path"]);
      }
      out += line + "\n";
    }
    return out;
  }
  }
  return r.dump(2) + "\n";
}

} // namespace

std::string render(const TaskSpec& spec, const json& normalized, const RenderOptions& options) {
  if (!normalized.is_object()) {
    return normalized.dump(2) + "\n";
  }
  if (normalized.contains("batch") && normalized["batch"].is_array()) {
    const Style style{options.color};
    std::string out;
    std::size_t i = 0;
    for (const auto& item : normalized["batch"]) {
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
