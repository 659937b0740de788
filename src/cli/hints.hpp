// PRIVATE to the cli layer: the options that help with an error. The layers below say what went
// wrong and what to do in their own terms (a transport cause, a Hub meaning); only the CLI knows
// which flags the user can reach for.
#pragma once

#include <hfrun/error.hpp>
#include <string_view>

namespace hfrun::cli {

// Adds the flags that address `error` to its hint (--timeout, --token, --retries, --bill-to,
// `hfrun COMMAND --help`).
void add_option_hints(Error& error, std::string_view command);

} // namespace hfrun::cli
