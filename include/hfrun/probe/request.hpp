// What `hfrun probe` asks the Hub for: the expand fields its rules read, the model-info request
// target, and which of a model's Spaces get a runtime lookup. Pure: fetch.hpp does the I/O.
#pragma once

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::probe {

// Every model-info field the verdict rules read (docs/probe.md), in the order they are requested.
// With `expand`, the Hub returns only these (plus `_id`, `id`), and rejects unknown ones with 400.
// clang-format off
inline constexpr std::array<std::string_view, 16> k_expand_fields = {
    "pipeline_tag", "library_name", "tags", "gguf", "config", "transformersInfo", "safetensors",
    "siblings", "spaces", "inference", "inferenceProviderMapping", "gated", "private", "disabled",
    "sha", "cardData"};
// clang-format on

// How many of a model's Spaces get a `/api/spaces/{id}/runtime` lookup (popular models list
// hundreds; the first few are enough to find a running one without spending the rate limit).
inline constexpr std::size_t k_spaces_to_check = 5;

// The expand fields above, as a span-like view.
[[nodiscard]] const std::array<std::string_view, 16>& expand_fields();

// Path and query of the model-info request, relative to HF_ENDPOINT:
// `/api/models/{id}[/revision/{rev}]?expand[]=pipeline_tag&expand[]=...`. The revision is
// percent-encoded whole (so `refs/pr/1` becomes `refs%2Fpr%2F1`); an empty revision means the
// default branch.
[[nodiscard]] std::string model_info_target(std::string_view model, std::string_view revision = {});

// The Spaces whose runtime the caller should fetch: the first k_spaces_to_check string entries of
// model_info["spaces"], in the Hub's order. Empty when the field is missing or not a list.
[[nodiscard]] std::vector<std::string> spaces_to_check(const nlohmann::json& model_info);

// Path of the runtime request for one Space: `/api/spaces/{id}/runtime`.
[[nodiscard]] std::string space_runtime_target(std::string_view space);

} // namespace hfrun::probe
