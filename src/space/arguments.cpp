#include <algorithm>
#include <charconv>
#include <hfrun/space/arguments.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::space {

namespace {

using nlohmann::json;

bool is_url(std::string_view text) {
  return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
}

std::string schema_type(const json& schema) {
  return util::string_or(schema, "type", "");
}

// "20" for a number parameter is 20; what the user typed otherwise.
json coerce_text(const Parameter& param, const std::string& text) {
  const std::string type = schema_type(param.schema);
  if (type == "number" || type == "integer" || param.python_type == "float" ||
      param.python_type == "int") {
    json parsed = util::parse_untrusted(text);
    if (parsed.is_number()) {
      return parsed;
    }
  }
  if (type == "boolean" || param.python_type == "bool") {
    if (text == "true" || text == "false") {
      return text == "true";
    }
  }
  return text;
}

std::string names_of(const ApiEndpoint& endpoint) {
  std::vector<std::string> names;
  for (const auto& p : endpoint.parameters) {
    names.push_back(p.name + (p.has_default ? "" : " (required)"));
  }
  return names.empty() ? "none" : util::join(names, ", ");
}

std::string value_hint(const Parameter& param) {
  if (param.is_file) {
    return param.name + "=@PATH";
  }
  const std::string type = schema_type(param.schema);
  if (type == "number" || type == "integer" || type == "boolean" || type == "array" ||
      type == "object") {
    return param.name + ":=JSON";
  }
  return param.name + "=TEXT";
}

} // namespace

Result<Argument> parse_argument(const std::string& item) {
  const auto colon = item.find(":=");
  const auto equals = item.find('=');
  // The values go out as JSON, which is UTF-8: text in another encoding (a Latin-1 shell) cannot
  // be sent (nor a file name in one), and would only fail when the request body is written.
  if (!util::is_valid_utf8(item)) {
    const std::string name = item.substr(0, std::min(colon, equals));
    return fail(ErrorKind::usage,
                util::is_valid_utf8(name) ? "parameter " + name + ": the value is not UTF-8 text"
                                          : std::string("a parameter's name is not UTF-8 text"),
                "convert it to UTF-8 (iconv -t UTF-8); a file to upload needs a UTF-8 name");
  }
  Argument arg;
  if (colon != std::string::npos && colon < equals) {
    arg.name = item.substr(0, colon);
    const std::string text = item.substr(colon + 2);
    arg.kind = Argument::Kind::json;
    arg.value = util::parse_untrusted(text);
    if (arg.value.is_discarded()) {
      return fail(ErrorKind::usage,
                  "parameter " + arg.name + ": " + util::shell_quote(text) + " is not valid JSON",
                  "`name:=JSON` takes a JSON value (20, true, \"text\", [1,2]); use name=TEXT for "
                  "a plain string");
    }
  } else if (equals != std::string::npos) {
    arg.name = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (!value.empty() && value.front() == '@') {
      arg.kind = Argument::Kind::file;
      arg.path = value.substr(1);
    } else {
      arg.text = value;
    }
  } else {
    return fail(ErrorKind::usage, "'" + item + "' is not a parameter",
                "parameters are name=TEXT, name:=JSON or name=@FILE");
  }
  if (arg.name.empty()) {
    return fail(ErrorKind::usage, "'" + item + "': a parameter needs a name before = or :=");
  }
  return arg;
}

json url_file_data(const std::string& url) {
  std::string name = url.substr(url.find_last_of('/') + 1);
  name = name.substr(0, name.find_first_of("?#"));
  return {
      {"path", url}, {"url", url}, {"orig_name", name}, {"meta", {{"_type", "gradio.FileData"}}}};
}

json uploaded_file_data(const std::string& server_path,
                        const std::string& original_name,
                        const std::string& base) {
  return {{"path", server_path},
          {"url", base + "/file=" + server_path},
          {"orig_name", original_name},
          {"meta", {{"_type", "gradio.FileData"}}}};
}

Result<std::vector<Slot>> map_arguments(const ApiEndpoint& endpoint,
                                        const std::vector<Argument>& named,
                                        const std::optional<json>& positional,
                                        const std::string& example) {
  const auto& params = endpoint.parameters;
  std::vector<std::optional<Slot>> slots(params.size());
  if (positional) {
    if (!positional->is_array()) {
      return fail(ErrorKind::usage, "--inputs takes a JSON list of the values in order",
                  "e.g. --inputs '[\"a cat\", 20]' for " + endpoint.name + " (" +
                      names_of(endpoint) + ")");
    }
    if (positional->size() > params.size()) {
      return fail(ErrorKind::usage, "--inputs has " + std::to_string(positional->size()) +
                                        " values, but " + endpoint.name + " takes " +
                                        std::to_string(params.size()) + " (" + names_of(endpoint) +
                                        ")");
    }
    for (std::size_t i = 0; i < positional->size(); ++i) {
      slots[i] = Slot{(*positional)[i], std::nullopt};
    }
  }
  std::vector<std::string> known;
  known.reserve(params.size());
  for (const auto& p : params) {
    known.push_back(p.name);
  }
  for (const auto& arg : named) {
    const auto it = std::find(known.begin(), known.end(), arg.name);
    if (it == known.end()) {
      std::string message = endpoint.name + " has no parameter '" + arg.name + "'";
      if (auto match = util::closest_match(arg.name, known)) {
        message += "; did you mean '" + *match + "'?";
      }
      return fail(ErrorKind::usage, message,
                  "its parameters: " + names_of(endpoint) + " (`" + example +
                      " --list` shows them)");
    }
    const Parameter& param = params[static_cast<std::size_t>(it - known.begin())];
    Slot slot;
    switch (arg.kind) {
    case Argument::Kind::file:
      if (!param.is_file) {
        return fail(ErrorKind::usage,
                    "parameter " + param.name + " is not a file (" +
                        (param.python_type.empty() ? param.component : param.python_type) + ")",
                    "give it as " + value_hint(param));
      }
      slot.upload = arg.path;
      break;
    case Argument::Kind::json:
      slot.value = arg.value;
      if (const auto text = util::as_string(arg.value); param.is_file && text && is_url(*text)) {
        slot.value = url_file_data(*text);
      }
      break;
    case Argument::Kind::text:
      if (param.is_file) {
        if (!is_url(arg.text)) {
          return fail(ErrorKind::usage, "parameter " + param.name + " is a file",
                      "give a file to upload as " + param.name + "=@PATH, or a URL");
        }
        slot.value = url_file_data(arg.text);
      } else {
        slot.value = coerce_text(param, arg.text);
      }
      break;
    }
    slots[static_cast<std::size_t>(it - known.begin())] = std::move(slot);
  }
  std::vector<Slot> out;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (slots[i]) {
      out.push_back(std::move(*slots[i]));
    } else if (params[i].has_default) {
      out.push_back(Slot{params[i].default_value, std::nullopt});
    } else {
      missing.push_back(value_hint(params[i]));
    }
  }
  if (!missing.empty()) {
    return fail(ErrorKind::usage, endpoint.name + " needs " + util::join(missing, " "),
                "e.g. " + example + " " + util::join(missing, " ") +
                    " (its parameters: " + names_of(endpoint) + ")");
  }
  return out;
}

json payload_data(const AppConfig& config,
                  const Dependency* dependency,
                  const std::vector<json>& values) {
  if (dependency == nullptr) {
    return json(values);
  }
  json data = json::array();
  std::size_t next = 0;
  for (const int id : dependency->inputs) {
    const Component* c = config.component(id);
    if (c != nullptr && c->skip_api) {
      data.push_back(nullptr);
    } else {
      data.push_back(next < values.size() ? values[next] : json(nullptr));
      ++next;
    }
  }
  // More values than the config's inputs (a config that lists none): keep them all.
  for (; next < values.size(); ++next) {
    data.push_back(values[next]);
  }
  return data;
}

} // namespace hfrun::space
