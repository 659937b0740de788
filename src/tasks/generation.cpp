// TGI's generation parameters and details: types of the parameters the user gives as key=value,
// their OpenAI completions equivalents, and the normalized form of the details TGI answers with
// (text-generation-inference's GenerateParameters, Details, StreamDetails, Token, PrefillToken,
// BestOfSequence; recorded shapes in tests/data/tgi/).
#include <array>
#include <charconv>
#include <cstdlib>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/util/json.hpp>
#include <string_view>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;

enum class ParamType { boolean, count, number, string_list, grammar };

struct ParamSpec {
  std::string_view key;
  ParamType type;
  bool tgi_only; // no OpenAI completions equivalent
};

// TGI's GenerateParameters (router/src/lib.rs); `seed` is u64, the other counts u32.
constexpr std::array<ParamSpec, 19> k_params{{
    {"details", ParamType::boolean, true},
    {"decoder_input_details", ParamType::boolean, true},
    {"do_sample", ParamType::boolean, false},
    {"return_full_text", ParamType::boolean, false},
    {"watermark", ParamType::boolean, true},
    {"max_new_tokens", ParamType::count, false},
    {"max_tokens", ParamType::count, false},
    {"best_of", ParamType::count, false},
    {"top_n_tokens", ParamType::count, true},
    {"seed", ParamType::count, false},
    {"top_k", ParamType::count, false},
    {"truncate", ParamType::count, true},
    {"temperature", ParamType::number, false},
    {"top_p", ParamType::number, false},
    {"typical_p", ParamType::number, true},
    {"repetition_penalty", ParamType::number, false},
    {"frequency_penalty", ParamType::number, false},
    {"stop", ParamType::string_list, false},
    {"grammar", ParamType::grammar, true},
}};

const ParamSpec* spec_of(std::string_view key) {
  for (const auto& p : k_params) {
    if (p.key == key) {
      return &p;
    }
  }
  return nullptr;
}

Error bad_value(std::string_view key, std::string_view expected, const json& value) {
  const std::string shown = value.is_string() ? value.get_ref<const std::string&>() : value.dump();
  return make_error(ErrorKind::usage,
                    "parameter " + std::string(key) + ": expected " + std::string(expected) +
                        ", got '" + shown.substr(0, 80) + "'",
                    "for example " + std::string(key) +
                        (expected == "true or false"       ? ":=true"
                         : expected.starts_with("a whole") ? ":=20"
                         : expected == "a number"          ? ":=0.5"
                                                           : ":='[\"\\n\"]'"));
}

Result<json> as_boolean(std::string_view key, const json& value) {
  if (value.is_boolean()) {
    return value;
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "true" || s == "false") {
      return json(s == "true");
    }
  }
  return unexpected(bad_value(key, "true or false", value));
}

Result<json> as_count(std::string_view key, const json& value) {
  if (value.is_number_unsigned()) {
    return value;
  }
  if (value.is_number_integer() && util::as_int(value).value_or(-1) >= 0) {
    return value;
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      return json(n);
    }
  }
  return unexpected(bad_value(key, "a whole number >= 0", value));
}

Result<json> as_real(std::string_view key, const json& value) {
  if (value.is_number()) {
    return value;
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) {
      return json(d);
    }
  }
  return unexpected(bad_value(key, "a number", value));
}

Result<json> as_string_list(std::string_view key, const json& value) {
  if (value.is_string()) {
    return json::array({value}); // stop=END: one stop sequence
  }
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) {
        return unexpected(bad_value(key, "a list of strings", value));
      }
    }
    return value;
  }
  return unexpected(bad_value(key, "a list of strings", value));
}

// TGI's GrammarType: {"type": "json", "value": <JSON Schema>} or {"type": "regex", "value": "..."}
// ("json_object" is TGI's alias of "json").
Result<json> as_grammar(const json& given) {
  json value = given;
  if (value.is_string()) { // grammar=@grammar.json gives the file's text
    value = util::parse_untrusted(value.get_ref<const std::string&>());
  }
  const std::string hint =
      R"x(for example grammar:='{"type":"json","value":{"properties":{"answer":{"type":"string"}}}}')x"
      R"x( or grammar:='{"type":"regex","value":"(yes|no)"}')x";
  if (!value.is_object()) {
    return fail(ErrorKind::usage, "parameter grammar: expected {\"type\", \"value\"} JSON", hint);
  }
  const std::string type = util::string_or(value, "type", "");
  const json* inner = util::json_member(value, "value");
  if (type != "json" && type != "json_object" && type != "regex") {
    return fail(ErrorKind::usage,
                "parameter grammar: \"type\" must be \"json\" or \"regex\", got '" + type + "'",
                hint);
  }
  if (inner == nullptr || inner->is_null()) {
    return fail(ErrorKind::usage, "parameter grammar: \"value\" is missing", hint);
  }
  if (type == "regex" && !inner->is_string()) {
    return fail(ErrorKind::usage, "parameter grammar: a regex grammar's \"value\" is a string",
                hint);
  }
  if (type != "regex" && !inner->is_object() && !inner->is_string()) {
    return fail(ErrorKind::usage, "parameter grammar: a json grammar's \"value\" is a JSON Schema",
                hint);
  }
  return value;
}

Result<json> typed(const ParamSpec& spec, const json& value) {
  switch (spec.type) {
  case ParamType::boolean:
    return as_boolean(spec.key, value);
  case ParamType::count:
    return as_count(spec.key, value);
  case ParamType::number:
    return as_real(spec.key, value);
  case ParamType::string_list:
    return as_string_list(spec.key, value);
  case ParamType::grammar:
    return as_grammar(value);
  }
  return value;
}

// Whether a TGI-only parameter asks for something: a false flag or a zero count does not.
bool asks_for_something(const json& value) {
  if (value.is_null() || (value.is_boolean() && !value.get_ref<const json::boolean_t&>())) {
    return false;
  }
  return !(value.is_number() && util::as_number(value).value_or(1) == 0);
}

bool is_sampling_key(std::string_view key) {
  return key == "temperature" || key == "top_k" || key == "top_p" || key == "typical_p";
}

json token_of(const json& token, bool with_special) {
  json out{{"id", util::number_or_null(token, "id")},
           {"text", util::member_or(token, "text", "")},
           {"logprob", util::number_or_null(token, "logprob")}};
  if (with_special) {
    out["special"] = util::bool_or(token, "special", false);
  }
  return out;
}

json tokens_of(const json* tokens, bool with_special) {
  json out = json::array();
  if (tokens != nullptr) {
    for (const auto& t : *tokens) {
      if (t.is_object()) {
        out.push_back(token_of(t, with_special));
      }
    }
  }
  return out;
}

// Details.top_tokens: one list of candidates per generated token.
json top_tokens_of(const json* lists) {
  json out = json::array();
  if (lists != nullptr) {
    for (const auto& list : *lists) {
      out.push_back(list.is_array() ? tokens_of(&list, true) : json::array());
    }
  }
  return out;
}

json sequence_of(const json& seq) {
  return json{{"generated_text", util::member_or(seq, "generated_text", "")},
              {"finish_reason", util::member_or(seq, "finish_reason")},
              {"generated_tokens", util::number_or_null(seq, "generated_tokens")},
              {"seed", util::number_or_null(seq, "seed")},
              {"prefill", tokens_of(util::json_array(seq, "prefill"), false)},
              {"tokens", tokens_of(util::json_array(seq, "tokens"), true)},
              {"top_tokens", top_tokens_of(util::json_array(seq, "top_tokens"))}};
}

} // namespace

Result<json> tgi_parameters(const json& params) {
  json out = json::object();
  if (!params.is_object()) {
    return out;
  }
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (it.value().is_null()) {
      continue;
    }
    const ParamSpec* spec = spec_of(it.key());
    if (spec == nullptr) {
      out[it.key()] = it.value();
      continue;
    }
    HFRUN_TRY_ASSIGN(value, typed(*spec, it.value()));
    out[it.key()] = std::move(value);
  }
  return out;
}

std::vector<std::string> tgi_only_parameters(const json& params) {
  std::vector<std::string> out;
  if (!params.is_object()) {
    return out;
  }
  for (auto it = params.begin(); it != params.end(); ++it) {
    const ParamSpec* spec = spec_of(it.key());
    const bool tgi_only = (spec != nullptr && spec->tgi_only) || it.key() == "adapter_id";
    if (tgi_only && asks_for_something(it.value())) {
      out.push_back(it.key());
    }
  }
  return out;
}

Result<json> completions_parameters(const json& params) {
  HFRUN_TRY_ASSIGN(typed_params, tgi_parameters(params));
  if (const auto only = tgi_only_parameters(typed_params); !only.empty()) {
    std::string names;
    for (const auto& name : only) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return fail(ErrorKind::usage,
                "this server speaks OpenAI completions, which has no " + names +
                    " (TGI's native text-generation route has them)",
                "drop " + names +
                    ", or run the model where TGI serves it (an endpoint with the "
                    "TGI image); see docs/serverless.md, \"text-generation\"");
  }
  json out = json::object();
  bool sampling = false;
  for (auto it = typed_params.begin(); it != typed_params.end(); ++it) {
    sampling = sampling || is_sampling_key(it.key());
  }
  for (auto it = typed_params.begin(); it != typed_params.end(); ++it) {
    const std::string& key = it.key();
    if (key == "max_new_tokens") {
      out["max_tokens"] = it.value();
    } else if (key == "return_full_text") {
      out["echo"] = it.value();
    } else if (key == "do_sample") {
      if (!util::as_bool(it.value()).value_or(true) && !sampling) {
        out["temperature"] = 0; // greedy, as TGI without sampling
      }
    } else if (spec_of(key) == nullptr || !spec_of(key)->tgi_only) {
      out[key] = it.value(); // false flags of TGI-only keys ask for nothing: dropped
    }
  }
  return out;
}

json normalize_tgi_token(const json& token) {
  return token_of(token, util::json_member(token, "special") != nullptr);
}

json normalize_tgi_tokens(const json& tokens) {
  return tokens_of(tokens.is_array() ? &tokens : nullptr, true);
}

json normalize_tgi_details(const json& details) {
  json out{{"finish_reason", util::member_or(details, "finish_reason")},
           {"generated_tokens", util::number_or_null(details, "generated_tokens")},
           {"seed", util::number_or_null(details, "seed")},
           {"input_length", util::number_or_null(details, "input_length")},
           {"prefill", tokens_of(util::json_array(details, "prefill"), false)},
           {"tokens", tokens_of(util::json_array(details, "tokens"), true)},
           {"top_tokens", top_tokens_of(util::json_array(details, "top_tokens"))},
           {"best_of_sequences", json::array()}};
  if (const json* sequences = util::json_array(details, "best_of_sequences")) {
    for (const auto& seq : *sequences) {
      if (seq.is_object()) {
        out["best_of_sequences"].push_back(sequence_of(seq));
      }
    }
  }
  return out;
}

json usage_from_details(const json& details) {
  const auto completion = util::json_int(details, "generated_tokens");
  std::optional<std::int64_t> prompt = util::json_int(details, "input_length");
  if (!prompt) {
    const json* prefill = util::json_array(details, "prefill");
    if (prefill != nullptr && !prefill->empty()) {
      prompt = static_cast<std::int64_t>(prefill->size());
    }
  }
  if (!completion || !prompt) {
    return nullptr;
  }
  return json{{"prompt_tokens", *prompt},
              {"completion_tokens", *completion},
              {"total_tokens", *prompt + *completion}};
}

} // namespace hfrun::tasks
