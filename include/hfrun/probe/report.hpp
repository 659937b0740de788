// The result of probing one model: a verdict with evidence for each way to run it, the access
// rules, and the hfrun commands to try next. Plain data; evaluate() fills it, output.hpp prints it.
#pragma once

#include <cstddef>
#include <hfrun/hub/model_info.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::probe {

// yes = the way is available, no = it is not, unknown = the signals do not decide.
enum class Verdict { yes, no, unknown };

// "yes" / "no" / "unknown" (the JSON value).
[[nodiscard]] std::string_view verdict_name(Verdict verdict);
// "✓" / "✗" / "?" (the terminal mark).
[[nodiscard]] std::string_view verdict_mark(Verdict verdict);

// What every way has: the verdict and the human-readable evidence behind it.
struct WayBase {
  Verdict available = Verdict::unknown;
  std::vector<std::string> evidence;
};

// One entry of inferenceProviderMapping, as the Hub layer types it (hub::provider_mappings: dict or
// list form, malformed entries skipped, status "live" when absent).
using ProviderEntry = hub::ProviderMapping;

// Inference Providers (`hfrun serverless`).
struct ServerlessWay : WayBase {
  bool warm = false; // `inference == "warm"`
  std::vector<ProviderEntry> providers;
};

// Inference Endpoints (`hfrun endpoint create`). Always a heuristic: the site's rule is closed.
struct EndpointWay : WayBase {
  bool endpoints_compatible = false; // the Hub-computed tag
  std::vector<std::string>
      engines; // fitting engines: vllm, sglang, tgi, tei, llamacpp, inference-toolkit
};

struct SpaceEntry {
  std::string id;
  std::optional<std::string> stage; // runtime stage; nullopt when not looked up or unreadable
};

// Spaces that use the model (`hfrun space`).
struct SpaceWay : WayBase {
  std::size_t total = 0;           // how many Spaces the Hub lists
  std::vector<SpaceEntry> checked; // the first few, with their runtime stage
};

struct LocalAppMatch {
  std::string key;
  std::string label;
  std::string snippet;
};

// Local apps of the "Use this model" menu (`hfrun local`).
struct LocalWay : WayBase {
  std::vector<LocalAppMatch> apps;
};

// Libraries of the "Use this model" menu.
struct LibrariesWay : WayBase {
  std::optional<std::string> library;      // library_name
  std::optional<std::string> auto_model;   // transformersInfo.auto_model
  std::optional<std::string> pipeline_tag; // the pipeline task
};

struct Ways {
  ServerlessWay serverless;
  EndpointWay endpoint;
  SpaceWay space;
  LocalWay local;
  LibrariesWay libraries;
};

struct Access {
  bool is_private = false;
  std::string gated; // "" (not gated), "auto" or "manual"
  bool disabled = false;
  bool needs_token = false; // private or gated
  bool needs_terms = false; // gated: the user must accept the terms on the model page
};

// A copy-pasteable next step for one available way.
struct Command {
  std::string way;         // serverless, endpoint, space, local, libraries
  std::string command;     // e.g. hfrun serverless org/name --text "Hello"
  std::string description; // one short sentence
};

struct Report {
  std::string input; // the id as the user gave it (fetch_reports sets it; evaluate() leaves it "")
  std::string model; // the id as the Hub spells it (a renamed repo answers under its new id)
  std::optional<std::string> sha;
  std::optional<std::string> task;
  Ways ways;
  Access access;
  std::vector<Command> commands;
  std::vector<std::string> notes;
};

} // namespace hfrun::probe
