// The human rendering of a task's normalized result, for a terminal (label/score bars, entities
// inline, tables). Plain text with no ANSI escapes unless `color` is set.
#pragma once

#include <hfrun/tasks/task.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hfrun::tasks {

struct RenderOptions {
  bool color = false;
  int width = 80;              // terminal columns
  std::string_view input_text; // the --text given, so entities can be shown inline in it
  bool details = false;        // text-generation: TGI's details after the text (details=true)
};

// The rendering of `normalized` (the output of decode or ChatStreamAssembler::result), ending in a
// newline. Unknown shapes fall back to indented JSON.
[[nodiscard]] std::string
render(const TaskSpec& spec, const nlohmann::json& normalized, const RenderOptions& options = {});

// text-generation's TGI details (finish reason, counts, seed; each token with its id, logprob
// and top alternatives; the prefill; the best-of sequences), ending in a newline; "" when the
// result has none. render() appends it when options.details is set.
[[nodiscard]] std::string render_generation_details(const nlohmann::json& normalized,
                                                    const RenderOptions& options = {});

} // namespace hfrun::tasks
