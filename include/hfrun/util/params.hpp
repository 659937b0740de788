// httpie-style parameters as users type them on the command line and in batch lines
// (docs/serverless.md): `key=value`, `key:=json`, `key=@path`, `key:=@path`. Read by the cli layer;
// here, below every layer, so the fuzz target (tests/fuzz/fuzz_params.cpp) reaches it without the
// CLI.
#pragma once

#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hfrun::util {

// True when the argument is a parameter (`key=value`, `key:=json`, `key=@path`), not an input.
[[nodiscard]] bool is_param(const std::string& arg);

// `key=value` a string, `key:=json` any JSON, `key=@path` the file's text, `key:=@path` the file's
// JSON. Later keys win. A bad JSON value or an unreadable file is a usage error naming the key.
[[nodiscard]] Result<nlohmann::json> parse_params(const std::vector<std::string>& items);

} // namespace hfrun::util
