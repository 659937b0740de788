// httpie-style parameters (include/hfrun/util/params.hpp).
#include <cctype>
#include <fstream>
#include <hfrun/util/params.hpp>
#include <hfrun/util/strings.hpp>
#include <sstream>

namespace hfrun::util {

namespace {

Result<std::string> read_text_file(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "parameter '" + key + "': cannot read file '" + path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

bool is_param(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return false;
  }
  const std::string key = arg.substr(0, arg[eq - 1] == ':' ? eq - 1 : eq);
  if (key.empty()) {
    return false;
  }
  // A key is an identifier-like word: "a b=c" is text, not a parameter.
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

Result<nlohmann::json> parse_params(const std::vector<std::string>& items) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& item : items) {
    if (!is_param(item)) {
      return fail(ErrorKind::usage, "'" + truncate_utf8(item, 200) + "' is not a parameter",
                  "use key=value (text), key:=json (any JSON) or key=@file");
    }
    const auto eq = item.find('=');
    const bool is_json = item[eq - 1] == ':';
    const std::string key = item.substr(0, is_json ? eq - 1 : eq);
    std::string value = item.substr(eq + 1);
    const bool from_file = value.starts_with('@');
    if (from_file) {
      HFRUN_TRY_ASSIGN(content, read_text_file(key, value.substr(1)));
      value = std::move(content);
    }
    // JSON text is UTF-8; anything else cannot be sent as a string (and would fail much later).
    if (!is_valid_utf8(value)) {
      return fail(ErrorKind::usage,
                  "parameter '" + key + "': " +
                      (from_file ? "file '" + truncate_utf8(item.substr(eq + 2), 200) + "' is"
                                 : std::string("the value is")) +
                      " not UTF-8 text",
                  "convert it to UTF-8 (iconv -t UTF-8), or send binary data with --file");
    }
    if (!is_json) {
      params[key] = value;
      continue;
    }
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (parsed.is_discarded()) {
      return fail(
          ErrorKind::usage, "parameter '" + key + "': not valid JSON: " + truncate_utf8(value, 80),
          "key:=json takes JSON (numbers, true, [\"a\",\"b\"], {\"k\":1}); use key=value for text");
    }
    params[key] = std::move(parsed);
  }
  return params;
}

} // namespace hfrun::util
