#include <fmt/format.h>
#include <hfrun/probe/local_apps.hpp>
#include <hfrun/probe/output.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::probe {

using nlohmann::json;

namespace {

using util::join;

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json way_json(const WayBase& way) {
  return json{{"available", verdict_name(way.available)}, {"evidence", way.evidence}};
}

// Columns a string takes on a terminal: one per UTF-8 code point (our text has no wide glyphs).
std::size_t columns(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// The longest prefix of `s` within `width` columns, ending in "…" when cut.
std::string fit(std::string_view s, int width) {
  if (width <= 0 || columns(s) <= static_cast<std::size_t>(width)) {
    return std::string(s);
  }
  std::size_t keep = static_cast<std::size_t>(width) - 1;
  std::size_t n = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    bool starts_code_point = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts_code_point) {
      if (n == keep) {
        break;
      }
      ++n;
    }
  }
  return std::string(s.substr(0, i)) + "…";
}

std::string_view colour_of(Verdict verdict) {
  switch (verdict) {
  case Verdict::yes:
    return "\x1b[32m";
  case Verdict::no:
    return "\x1b[31m";
  case Verdict::unknown:
    break;
  }
  return "\x1b[33m";
}

std::string pretty_engine(std::string_view engine) {
  if (engine == "vllm")
    return "vLLM";
  if (engine == "sglang")
    return "SGLang";
  if (engine == "tgi")
    return "TGI";
  if (engine == "tei")
    return "TEI";
  if (engine == "llamacpp")
    return "llama.cpp";
  if (engine == "inference-toolkit")
    return "Inference Toolkit";
  return std::string(engine);
}

// One way's evidence as the terminal shows it: the same facts, engines prettified.
std::string evidence_line(const WayBase& way, const EndpointWay* endpoint) {
  std::vector<std::string> parts;
  bool heuristic = false;
  for (const auto& e : way.evidence) {
    if (endpoint != nullptr && e.starts_with("heuristic")) {
      heuristic = true; // shown once, as the line's prefix
      continue;
    }
    if (endpoint != nullptr && e.starts_with("engines: ")) {
      std::vector<std::string> names;
      for (const auto& engine : endpoint->engines) {
        names.push_back(pretty_engine(engine));
      }
      parts.push_back("engines: " + join(names, ", "));
    } else {
      parts.push_back(e);
    }
  }
  std::string line = join(parts, "; ");
  return heuristic ? "heuristic: " + line : line;
}

} // namespace

json to_json(const Report& report) {
  json providers = json::array();
  for (const auto& p : report.ways.serverless.providers) {
    providers.push_back({{"provider", p.provider},
                         {"provider_id", p.provider_id},
                         {"task", p.task},
                         {"status", p.status},
                         {"adapter", p.adapter.empty() ? json(nullptr) : json(p.adapter)}});
  }
  json serverless = way_json(report.ways.serverless);
  serverless["warm"] = report.ways.serverless.warm;
  serverless["providers"] = providers;

  json endpoint = way_json(report.ways.endpoint);
  endpoint["heuristic"] = true;
  endpoint["endpoints_compatible"] = report.ways.endpoint.endpoints_compatible;
  endpoint["engines"] = report.ways.endpoint.engines;

  json checked = json::array();
  for (const auto& s : report.ways.space.checked) {
    checked.push_back({{"id", s.id}, {"stage", optional_json(s.stage)}});
  }
  json space = way_json(report.ways.space);
  space["total"] = report.ways.space.total;
  space["checked"] = checked;

  json apps = json::array();
  for (const auto& a : report.ways.local.apps) {
    apps.push_back({{"key", a.key}, {"label", a.label}, {"snippet", a.snippet}});
  }
  json local = way_json(report.ways.local);
  local["apps"] = apps;
  local["settings_url"] = k_local_apps_settings_url;
  local["source"] = {
      {"repo", k_local_apps_repo}, {"file", k_local_apps_file}, {"commit", k_local_apps_commit}};

  json libraries = way_json(report.ways.libraries);
  libraries["library"] = optional_json(report.ways.libraries.library);
  libraries["auto_model"] = optional_json(report.ways.libraries.auto_model);
  libraries["pipeline_tag"] = optional_json(report.ways.libraries.pipeline_tag);

  const Access& a = report.access;
  json access = {{"private", a.is_private},
                 {"gated", a.gated.empty() ? json(false) : json(a.gated)},
                 {"disabled", a.disabled},
                 {"needs_token", a.needs_token},
                 {"needs_terms", a.needs_terms}};

  json commands = json::array();
  for (const auto& c : report.commands) {
    commands.push_back({{"way", c.way}, {"command", c.command}, {"description", c.description}});
  }

  return json{{"input", report.input},
              {"model", report.model},
              {"sha", optional_json(report.sha)},
              {"task", optional_json(report.task)},
              {"ways",
               {{"serverless", serverless},
                {"endpoint", endpoint},
                {"space", space},
                {"local", local},
                {"libraries", libraries}}},
              {"access", access},
              {"commands", commands},
              {"notes", report.notes}};
}

json failure_json(std::string_view input, const Error& error) {
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? json(nullptr) : json(text);
  };
  return json{{"input", input},
              {"error",
               {{"kind", kind_name(error.kind)},
                {"exit_code", exit_code_for(error.kind)},
                {"status", error.http_status ? json(*error.http_status) : json(nullptr)},
                {"message", error.message},
                {"server_message", text_or_null(error.server_message)},
                {"request_id", text_or_null(error.request_id)},
                {"hint", text_or_null(error.hint)}}}};
}

std::string render(const Report& report, bool color, int width) {
  std::string out = report.model;
  if (report.sha) {
    out += " @ " + report.sha->substr(0, 7);
  }
  out += "  task: " + report.task.value_or("unknown") + "\n";

  const std::pair<std::string_view, const WayBase*> rows[] = {
      {"serverless", &report.ways.serverless}, {"endpoint", &report.ways.endpoint},
      {"space", &report.ways.space},           {"libraries", &report.ways.libraries},
      {"local", &report.ways.local},
  };
  for (const auto& [name, way] : rows) {
    const EndpointWay* endpoint = way == &report.ways.endpoint ? &report.ways.endpoint : nullptr;
    std::string line = fmt::format("{} {:<10} {}", verdict_mark(way->available), name,
                                   evidence_line(*way, endpoint));
    line = fit(line, width);
    if (color) {
      // The mark is the line's first code point; colour only it.
      std::string_view mark = verdict_mark(way->available);
      line =
          fmt::format("{}{}\x1b[0m{}", colour_of(way->available), mark, line.substr(mark.size()));
    }
    out += line + "\n";
  }
  const Access& a = report.access;
  if (a.is_private || !a.gated.empty() || a.disabled) {
    std::vector<std::string> parts;
    if (a.disabled)
      parts.emplace_back("disabled");
    if (a.is_private)
      parts.emplace_back("private");
    if (!a.gated.empty())
      parts.push_back("gated (" + a.gated + ")");
    out += fit("! access     " + join(parts, ", "), width) + "\n";
  }
  for (const auto& note : report.notes) {
    out += "note: " + note + "\n";
  }
  if (!report.commands.empty()) {
    out += "Next:\n";
    for (const auto& c : report.commands) {
      out += "  " + c.command + "\n";
    }
  }
  return out;
}

} // namespace hfrun::probe
