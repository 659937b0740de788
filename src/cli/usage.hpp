// PRIVATE to the cli layer: usage errors that say what to do. CLI11's own messages for a failed
// parse are replaced where they mislead: a typo'd command ("A subcommand is required"), a command
// of the contract that is not built yet, an unknown option reported after a missing positional.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::cli {

// Every command the product defines, built or not (probe, serverless, endpoint, space, local,
// download, cache, whoami, doctor, completion): one not built yet is "not available in this version
// yet" rather than an unknown command. docs/commands.md lists the built ones.
[[nodiscard]] const std::vector<std::string>& contract_commands();

// The first problem in `args` that CLI11 would report late or wrongly, in command-line order: an
// unknown command (with "did you mean"), a contract command not built yet, an unknown option of the
// command or the globals (with "did you mean"). Nothing when there is none: CLI11's message stands.
[[nodiscard]] std::optional<std::string> explain_parse_error(const CLI::App& app,
                                                             const std::vector<std::string>& args);

// Secrets on a command line that may not have parsed: the values of --token, and the credential
// header values of -H/--header, as {name, value} pairs (the token's name is "--token").
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
secrets_in_args(const std::vector<std::string>& args);

// `message` with every word (a run of non-blanks) longer than `max_word` bytes cut to that length
// plus "…", and at most `max_total` bytes in all: a user's 10 KB argument is not echoed whole.
[[nodiscard]] std::string
shorten_echoes(std::string_view message, std::size_t max_word = 200, std::size_t max_total = 1000);

// A CLI11 check for a number of seconds: finite, above 0 (or 0 too when `allow_zero`), at most a
// year; its message is short, unlike CLI::NonNegativeNumber's 300-digit bound.
[[nodiscard]] CLI::Validator seconds_check(bool allow_zero);

// A CLI11 check that a value has no CR or LF (a header value must not start another header).
[[nodiscard]] CLI::Validator no_line_breaks_check();

} // namespace hfrun::cli
