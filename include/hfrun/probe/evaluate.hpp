// The probe's decision rules (docs/probe.md "Verdict rules"): model info in, Report out. Pure.
#pragma once

#include <hfrun/probe/report.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace hfrun::probe {

// Judges every way for the model described by `model_info` (the body of the expanded model-info
// request, see request.hpp). `space_runtimes` maps Space ids (from spaces_to_check) to the body of
// `/api/spaces/{id}/runtime`; a missing or unreadable entry counts as "not checked". Never fails:
// absent or mistyped fields lower a verdict to unknown or no, as the rules say.
[[nodiscard]] Report evaluate(const nlohmann::json& model_info,
                              const std::map<std::string, nlohmann::json>& space_runtimes = {});

} // namespace hfrun::probe
