// The website's "Use this model → local app" rules, reimplemented as a table.
//
// Source of the rules: huggingface/huggingface.js, packages/tasks/src/local-apps.ts, `LOCAL_APPS`
// and each app's `displayOnModelPage`, at commit fe42e680 (2026-08-21), as recorded in
// shared/protocols/hub.md §2.1. The site additionally shows only the apps a user enabled at
// https://huggingface.co/settings/local-apps, so "shown" here means "shown when enabled".
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace hfrun::probe {

// Where the predicate table comes from; printed in --json (ways.local.source) and docs/probe.md.
inline constexpr std::string_view k_local_apps_repo = "huggingface/huggingface.js";
inline constexpr std::string_view k_local_apps_file = "packages/tasks/src/local-apps.ts";
inline constexpr std::string_view k_local_apps_commit = "fe42e680";
inline constexpr std::string_view k_local_apps_settings_url =
    "https://huggingface.co/settings/local-apps";

// One row: the app's key (also the Hub's `?apps=` filter value), its label on the site, the
// predicate over the model-info JSON, and a command or deeplink to start it ("{id}" stands for the
// model id, already shell-quoted where it is a command).
struct LocalApp {
  std::string_view key;
  std::string_view label;
  bool (*shown)(const nlohmann::json& model_info);
  std::string_view snippet;
};

// Every app of the table, in the site's order.
[[nodiscard]] std::span<const LocalApp> local_apps();

// The app's snippet with "{id}" replaced by the model id (shell-quoted when it needs quoting).
[[nodiscard]] std::string local_app_snippet(const LocalApp& app, std::string_view model);

// The helpers the predicates share, exposed so tests and the endpoint rule use the same reading.
namespace facts {
// `isLlamaCppGgufModel`: the Hub parsed a GGUF file *with* a context length (not merely .gguf
// files).
[[nodiscard]] bool is_llamacpp_gguf(const nlohmann::json& model_info);
// Any GGUF evidence at all: a `gguf` object, the `gguf` tag or a `.gguf` sibling.
[[nodiscard]] bool has_gguf_files(const nlohmann::json& model_info);
[[nodiscard]] bool has_tag(const nlohmann::json& model_info, std::string_view tag);
// config.quantization_config.quant_method == method (awq, gptq, aqlm, marlin).
[[nodiscard]] bool has_quant_method(const nlohmann::json& model_info, std::string_view method);
// awq || gptq || aqlm || marlin || GGUF || transformers tag, and pipeline_tag is
// text-generation or image-text-to-text.
[[nodiscard]] bool is_vllm_model(const nlohmann::json& model_info);
// (GGUF || mlx) && conversational tag && the chat template mentions "tools".
[[nodiscard]] bool is_tool_calling_agent_model(const nlohmann::json& model_info);
// A string field of model_info, or "" when absent or not a string.
[[nodiscard]] std::string string_field(const nlohmann::json& model_info, std::string_view key);
} // namespace facts

} // namespace hfrun::probe
