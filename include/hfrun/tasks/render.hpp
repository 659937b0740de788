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
};

// The rendering of `normalized` (the output of decode or ChatStreamAssembler::result), ending in a
// newline. Unknown shapes fall back to indented JSON.
[[nodiscard]] std::string
render(const TaskSpec& spec, const nlohmann::json& normalized, const RenderOptions& options = {});

} // namespace hfrun::tasks
