// Building the copy-pasteable hfrun commands of the probe's "Next:" section.
#pragma once

#include <hfrun/util/strings.hpp>
#include <string>
#include <string_view>

namespace hfrun::probe {

// Shell quoting is util::shell_quote; probe code names it unqualified.
using util::shell_quote;

// Input options that make a runnable example for a task, e.g. `--text "Hello"`,
// `--file image.png`, `question="..." context="..."`. "conversational" means chat. An unknown or
// empty task gets `--text "Hello"`.
[[nodiscard]] std::string sample_input(std::string_view task);

// A valid Inference Endpoint name derived from a model id: the part after the owner, lowercased,
// runs of other characters turned into one '-', at most 32 characters, no leading/trailing '-'.
[[nodiscard]] std::string endpoint_name_for(std::string_view model);

} // namespace hfrun::probe
