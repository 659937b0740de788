// Text generation with TGI's parameters and outputs (its /generate API: GenerateParameters,
// Details, StreamDetails, Token, PrefillToken, BestOfSequence), and how they map onto the OpenAI
// completions route a server may offer instead (docs/outputs.md, "text-generation").
#pragma once

#include <hfrun/error.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hfrun::tasks {

// The user's generation parameters with TGI's types: `key=value` text of a known key becomes its
// type ("true" -> true, "20" -> 20, "0.5" -> 0.5), a single `stop` string becomes a list, and a
// `grammar` given as JSON text (grammar=@schema.json) is parsed and checked to be
// {"type": "json"|"regex", "value": ...}. Unknown keys pass untouched. A value that cannot have
// its key's type is ErrorKind::usage naming the key.
[[nodiscard]] Result<nlohmann::json> tgi_parameters(const nlohmann::json& params);

// The keys among `params` that ask for something only TGI's native route gives (details,
// decoder_input_details, top_n_tokens, grammar, watermark, truncate, typical_p, adapter_id); a
// flag set to false or a zero count asks for nothing and is not listed.
[[nodiscard]] std::vector<std::string> tgi_only_parameters(const nlohmann::json& params);

// The same request in OpenAI completions terms: max_new_tokens -> max_tokens, return_full_text ->
// echo, do_sample false (and no sampling parameter) -> temperature 0, the rest flat. Any key of
// tgi_only_parameters is ErrorKind::usage: those answers do not exist on that route.
[[nodiscard]] Result<nlohmann::json> completions_parameters(const nlohmann::json& params);

// One token of TGI's answer as hfrun shows it: {"id", "text", "logprob", "special"} (PrefillToken
// has no "special": false then).
[[nodiscard]] nlohmann::json normalize_tgi_token(const nlohmann::json& token);

// A list of tokens, normalized (non-objects dropped).
[[nodiscard]] nlohmann::json normalize_tgi_tokens(const nlohmann::json& tokens);

// TGI's `details` (Details of /generate, or StreamDetails of a stream's last event) as
// {"finish_reason", "generated_tokens", "seed", "input_length", "prefill", "tokens",
// "top_tokens", "best_of_sequences"}: every field present, null or [] when the server gave none.
[[nodiscard]] nlohmann::json normalize_tgi_details(const nlohmann::json& details);

// {"prompt_tokens", "completion_tokens", "total_tokens"} from normalized details when both counts
// are known (input_length, or the prefill of decoder_input_details); else null.
[[nodiscard]] nlohmann::json usage_from_details(const nlohmann::json& details);

} // namespace hfrun::tasks
