// The verdict rules of docs/probe.md, one function per way, then the next-step commands.
#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <hfrun/probe/commands.hpp>
#include <hfrun/probe/evaluate.hpp>
#include <hfrun/probe/local_apps.hpp>
#include <hfrun/probe/request.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::probe {

using facts::has_tag;
using facts::string_field;
using nlohmann::json;

namespace {

using util::join;
using util::json_member;

bool bool_field(const json& object, std::string_view key) {
  return util::bool_or(object, key, false);
}

std::optional<std::string> optional_string(const json& object, std::string_view key) {
  std::string value = string_field(object, key);
  return value.empty() ? std::nullopt : std::optional<std::string>(std::move(value));
}

// The pipeline task: pipeline_tag, else transformersInfo's, else the model card's.
std::optional<std::string> pipeline_task(const json& info) {
  if (auto tag = optional_string(info, "pipeline_tag")) {
    return tag;
  }
  for (std::string_view holder : {"transformersInfo", "cardData"}) {
    const json* object = json_member(info, holder);
    if (object != nullptr) {
      if (auto tag = optional_string(*object, "pipeline_tag")) {
        return tag;
      }
    }
  }
  return std::nullopt;
}

Access access_of(const json& info) {
  Access access;
  access.is_private = bool_field(info, "private");
  access.disabled = bool_field(info, "disabled");
  if (auto gated = util::json_string(info, "gated")) {
    access.gated = *gated;
  } else if (util::bool_or(info, "gated", false)) {
    access.gated = "manual"; // an old-style `true` gate is reviewed by the owners
  }
  access.needs_terms = !access.gated.empty();
  access.needs_token = access.is_private || access.needs_terms;
  return access;
}

void mark_disabled(WayBase& way) {
  way.available = Verdict::no;
  way.evidence = {"the model is disabled"};
}

ServerlessWay serverless_of(const json& info) {
  ServerlessWay way;
  way.warm = string_field(info, "inference") == "warm";
  const json* mapping = json_member(info, "inferenceProviderMapping");
  way.providers = hub::provider_mappings(info);
  std::vector<std::string> live;
  std::vector<std::string> staging;
  std::vector<std::string> error;
  std::vector<std::string> other;
  for (const auto& p : way.providers) {
    if (p.status == "live") {
      live.push_back(p.provider);
    } else if (p.status == "staging") {
      staging.push_back(p.provider);
    } else if (p.status == "error") {
      error.push_back(p.provider);
    } else {
      other.push_back(
          fmt::format("{} ({})", p.provider, p.status.empty() ? "no status" : p.status));
    }
  }
  if (!live.empty()) {
    way.evidence.push_back("live: " + join(live, ", "));
  }
  if (!staging.empty()) {
    way.evidence.push_back("staging (the provider's org only): " + join(staging, ", "));
  }
  if (!error.empty()) {
    way.evidence.push_back("error (failed its latest health check): " + join(error, ", "));
  }
  if (!other.empty()) {
    way.evidence.push_back("other: " + join(other, ", "));
  }
  if (way.warm) {
    way.evidence.emplace_back("inference: warm");
  }
  if (!live.empty() || way.warm) {
    way.available = Verdict::yes;
  } else if (mapping != nullptr) {
    way.available = Verdict::no;
    if (way.providers.empty()) {
      way.evidence.emplace_back("no Inference Provider serves it");
    } else {
      way.evidence.insert(way.evidence.begin(), "no live provider");
    }
  } else {
    way.available = Verdict::unknown;
    way.evidence.emplace_back("the Hub sent no inferenceProviderMapping");
  }
  return way;
}

bool uses_transformers_weights(const json& info) {
  return (has_tag(info, "transformers") || string_field(info, "library_name") == "transformers") &&
         !has_tag(info, "mlx") && string_field(info, "library_name") != "mlx";
}

std::vector<std::string> engines_of(const json& info, const std::optional<std::string>& task) {
  std::vector<std::string> engines;
  std::string library = string_field(info, "library_name");
  std::string pipeline = task.value_or("");
  bool mlx = has_tag(info, "mlx") || library == "mlx";
  if ((pipeline == "text-generation" || pipeline == "image-text-to-text") &&
      uses_transformers_weights(info)) {
    engines.insert(engines.end(), {"vllm", "sglang"});
    if (has_tag(info, "text-generation-inference")) {
      engines.emplace_back("tgi");
    }
  }
  if (!mlx && (library == "sentence-transformers" || has_tag(info, "text-embeddings-inference") ||
               pipeline == "feature-extraction" || pipeline == "sentence-similarity" ||
               pipeline == "text-ranking")) {
    engines.emplace_back("tei");
  }
  if (facts::has_gguf_files(info)) {
    engines.emplace_back("llamacpp");
  }
  bool toolkit_library = library == "transformers" || library == "sentence-transformers" ||
                         library == "diffusers" ||
                         (library.empty() && has_tag(info, "transformers"));
  if (engines.empty() && !mlx && toolkit_library && !pipeline.empty()) {
    engines.emplace_back("inference-toolkit");
  }
  return engines;
}

EndpointWay endpoint_of(const json& info, const std::optional<std::string>& task) {
  EndpointWay way;
  way.endpoints_compatible = has_tag(info, "endpoints_compatible");
  way.engines = engines_of(info, task);
  way.evidence.emplace_back("heuristic: the site's rule is not public");
  way.evidence.emplace_back(way.endpoints_compatible ? "endpoints_compatible tag"
                                                     : "no endpoints_compatible tag");
  way.evidence.push_back(way.engines.empty() ? std::string("no engine fits")
                                             : "engines: " + join(way.engines, ", "));
  if (way.endpoints_compatible) {
    way.available = Verdict::yes;
  } else {
    way.available = way.engines.empty() ? Verdict::no : Verdict::unknown;
  }
  return way;
}

enum class StageClass { running, waking, down };

StageClass classify_stage(std::string_view stage) {
  static constexpr std::array<std::string_view, 3> k_running = {"RUNNING", "RUNNING_BUILDING",
                                                                "RUNNING_APP_STARTING"};
  // A sleeping or stopped Space wakes on the first request; a building one is on its way up.
  static constexpr std::array<std::string_view, 4> k_waking = {"SLEEPING", "STOPPED", "BUILDING",
                                                               "APP_STARTING"};
  if (std::find(k_running.begin(), k_running.end(), stage) != k_running.end()) {
    return StageClass::running;
  }
  if (std::find(k_waking.begin(), k_waking.end(), stage) != k_waking.end()) {
    return StageClass::waking;
  }
  return StageClass::down;
}

SpaceWay space_of(const json& info, const std::map<std::string, json>& runtimes) {
  SpaceWay way;
  const json* spaces = json_member(info, "spaces");
  if (spaces == nullptr || !spaces->is_array()) {
    way.available = Verdict::unknown;
    way.evidence.emplace_back("the Hub sent no spaces list");
    return way;
  }
  way.total = static_cast<std::size_t>(
      std::count_if(spaces->begin(), spaces->end(), [](const json& s) { return s.is_string(); }));
  if (way.total == 0) {
    way.available = Verdict::no;
    way.evidence.emplace_back("no Space uses it");
    return way;
  }
  way.evidence.push_back(way.total == 1 ? std::string("1 Space uses it")
                                        : fmt::format("{} Spaces use it", way.total));
  // Group the checked Spaces by stage, in first-seen order, for the evidence line.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_stage;
  bool any_running = false;
  bool any_waking = false;
  bool any_unchecked = way.total > k_spaces_to_check;
  for (const auto& id : spaces_to_check(info)) {
    SpaceEntry entry{id, std::nullopt};
    auto it = runtimes.find(id);
    if (it != runtimes.end()) {
      if (auto stage = optional_string(it->second, "stage")) {
        entry.stage = std::move(stage);
      }
    }
    std::string label = entry.stage.value_or("not checked");
    if (!entry.stage) {
      any_unchecked = true;
    } else {
      StageClass c = classify_stage(*entry.stage);
      any_running = any_running || c == StageClass::running;
      any_waking = any_waking || c == StageClass::waking;
    }
    auto group = std::find_if(by_stage.begin(), by_stage.end(),
                              [&](const auto& g) { return g.first == label; });
    if (group == by_stage.end()) {
      by_stage.push_back({label, {id}});
    } else {
      group->second.push_back(id);
    }
    way.checked.push_back(std::move(entry));
  }
  for (const auto& [label, ids] : by_stage) {
    way.evidence.push_back(label + ": " + join(ids, ", "));
  }
  if (any_running) {
    way.available = Verdict::yes;
  } else if (any_waking || any_unchecked) {
    way.available = Verdict::unknown; // one may wake up, or an unchecked one may run
  } else {
    way.available = Verdict::no;
    way.evidence.emplace_back("none of them runs");
  }
  return way;
}

LibrariesWay libraries_of(const json& info, const std::optional<std::string>& task) {
  LibrariesWay way;
  way.library = optional_string(info, "library_name");
  way.pipeline_tag = task;
  const json* transformers_info = json_member(info, "transformersInfo");
  if (transformers_info != nullptr) {
    way.auto_model = optional_string(*transformers_info, "auto_model");
  }
  if (!way.library) {
    way.available = Verdict::no;
    way.evidence.emplace_back("no library_name");
  } else {
    way.evidence.push_back("library: " + *way.library);
    if (*way.library == "transformers" && !way.auto_model) {
      // Without transformersInfo the site's snippet is "# ⚠️ Type of model unknown".
      way.available = Verdict::unknown;
      way.evidence.emplace_back("no transformersInfo: model type unknown");
    } else {
      way.available = Verdict::yes;
      if (way.auto_model) {
        way.evidence.push_back("auto_model: " + *way.auto_model);
      }
    }
  }
  if (task) {
    way.evidence.push_back("pipeline: " + *task);
  }
  return way;
}

LocalWay local_of(const json& info, std::string_view model) {
  LocalWay way;
  std::vector<std::string> labels;
  for (const auto& app : local_apps()) {
    if (app.shown(info)) {
      way.apps.push_back(
          {std::string(app.key), std::string(app.label), local_app_snippet(app, model)});
      labels.emplace_back(app.label);
    }
  }
  way.available = way.apps.empty() ? Verdict::no : Verdict::yes;
  way.evidence.push_back(labels.empty() ? std::string("no local app matches")
                                        : "apps: " + join(labels, ", "));
  if (facts::has_gguf_files(info) && !facts::is_llamacpp_gguf(info)) {
    way.evidence.emplace_back("GGUF without a parsed context_length: the GGUF apps are hidden");
  }
  return way;
}

bool is_chat_model(const json& info, const std::optional<std::string>& task) {
  return has_tag(info, "conversational") &&
         (task == "text-generation" || task == "image-text-to-text");
}

void add_commands(Report& report, const json& info) {
  const std::string id = shell_quote(report.model);
  const auto& serverless = report.ways.serverless;
  if (serverless.available == Verdict::yes) {
    std::vector<const ProviderEntry*> live;
    for (const auto& p : serverless.providers) {
      if (p.status == "live") {
        live.push_back(&p);
      }
    }
    bool chat = std::any_of(live.begin(), live.end(),
                            [](const ProviderEntry* p) { return p->task == "conversational"; }) ||
                (live.empty() && is_chat_model(info, report.task));
    std::string via =
        live.empty() ? std::string("the warm model")
                     : fmt::format("{} live provider{}", live.size(), live.size() == 1 ? "" : "s");
    if (chat) {
      report.commands.push_back(
          {"serverless", fmt::format("hfrun serverless {} {}", id, sample_input("conversational")),
           "Chat through Inference Providers (" + via + ")."});
    } else {
      std::string task = !live.empty() && !live.front()->task.empty() ? live.front()->task
                                                                      : report.task.value_or("");
      std::string command = "hfrun serverless " + id;
      if (!task.empty()) {
        command += " --task " + shell_quote(task);
      }
      command += " " + sample_input(task);
      report.commands.push_back(
          {"serverless", command, "Run it on Inference Providers (" + via + ")."});
    }
  }
  if (report.ways.endpoint.available == Verdict::yes) {
    std::string command =
        fmt::format("hfrun endpoint create {} --model {}", endpoint_name_for(report.model), id);
    if (report.task) {
      command += " --task " + shell_quote(*report.task);
    }
    report.commands.push_back(
        {"endpoint", command, "Deploy a dedicated Inference Endpoint (billed while running)."});
  }
  std::size_t space_commands = 0;
  for (const auto& space : report.ways.space.checked) {
    if (report.ways.space.available == Verdict::yes && space.stage &&
        classify_stage(*space.stage) == StageClass::running && space_commands < 3) {
      report.commands.push_back({"space",
                                 fmt::format("hfrun space {} --list", shell_quote(space.id)),
                                 "List the API of a running Space that uses the model."});
      ++space_commands;
    }
  }
  // `hfrun local` runs GGUF files (llama.cpp) and Transformers / Sentence Transformers weights.
  const auto& library = report.ways.libraries.library;
  bool local_runnable = facts::is_llamacpp_gguf(info) ||
                        (report.ways.libraries.available == Verdict::yes && library &&
                         (*library == "transformers" || *library == "sentence-transformers"));
  if (!report.access.disabled && local_runnable) {
    std::string sample =
        sample_input(is_chat_model(info, report.task) || facts::is_llamacpp_gguf(info)
                         ? std::string("conversational")
                         : report.task.value_or(""));
    report.commands.push_back({"local", fmt::format("hfrun local {} {}", id, sample),
                               report.access.needs_token
                                   ? "Download into the HF cache and run here (needs a token"
                                     " with access)."
                                   : "Download into the HF cache and run on this machine."});
  }
}

void add_notes(Report& report) {
  const Access& access = report.access;
  if (access.disabled) {
    report.notes.emplace_back("The model is disabled on the Hub: no way runs it.");
  }
  if (access.is_private) {
    report.notes.emplace_back(
        "Private: only a token of its owner (or of a member of the owning org) sees it.");
  }
  if (access.gated == "auto") {
    report.notes.emplace_back("Gated (auto): downloads need a token and the terms accepted on the "
                              "model page; access is granted at once.");
  } else if (!access.gated.empty()) {
    report.notes.emplace_back(fmt::format(
        "Gated ({}): downloads need a token and the terms accepted on the model page; the "
        "owners review each request.",
        access.gated));
  }
  if (!access.disabled && !report.ways.local.apps.empty()) {
    report.notes.push_back(fmt::format("Local apps: the site lists only the apps enabled at {}.",
                                       k_local_apps_settings_url));
  }
}

} // namespace

Report evaluate(const json& model_info, const std::map<std::string, json>& space_runtimes) {
  Report report;
  report.model = string_field(model_info, "id");
  if (report.model.empty()) {
    report.model = string_field(model_info, "modelId");
  }
  report.sha = optional_string(model_info, "sha");
  report.access = access_of(model_info);

  report.ways.serverless = serverless_of(model_info);
  report.task = pipeline_task(model_info);
  if (!report.task) {
    for (const auto& p : report.ways.serverless.providers) {
      if (p.status == "live" && !p.task.empty()) {
        report.task = p.task;
        break;
      }
    }
  }
  report.ways.endpoint = endpoint_of(model_info, report.task);
  report.ways.space = space_of(model_info, space_runtimes);
  report.ways.libraries = libraries_of(model_info, report.task);
  report.ways.local = local_of(model_info, report.model);

  if (report.access.disabled) {
    // The facts (providers, Spaces, apps) stay in the report; no way is available.
    mark_disabled(report.ways.serverless);
    mark_disabled(report.ways.endpoint);
    mark_disabled(report.ways.space);
    mark_disabled(report.ways.libraries);
    mark_disabled(report.ways.local);
  }
  add_commands(report, model_info);
  add_notes(report);
  return report;
}

} // namespace hfrun::probe
