#include "support/json_schema.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace hfrun::test {

namespace {

using nlohmann::json;

const std::set<std::string>& annotations() {
  static const std::set<std::string> names{"$schema",     "$id",      "$comment", "title",
                                           "description", "examples", "default",  "$defs"};
  return names;
}

const std::set<std::string>& assertions() {
  static const std::set<std::string> names{
      "type",      "enum",        "const",    "required", "properties", "additionalProperties",
      "items",     "prefixItems", "minItems", "maxItems", "minimum",    "maximum",
      "minLength", "pattern",     "oneOf",    "anyOf",    "allOf",      "not",
      "$ref"};
  return names;
}

const std::set<std::string>& type_names() {
  static const std::set<std::string> names{"object",  "array",  "string", "boolean",
                                           "integer", "number", "null"};
  return names;
}

bool has_type(const json& value, const std::string& type) {
  if (type == "object")
    return value.is_object();
  if (type == "array")
    return value.is_array();
  if (type == "string")
    return value.is_string();
  if (type == "boolean")
    return value.is_boolean();
  if (type == "integer") {
    // JSON Schema: 2.0 is an integer too.
    return value.is_number_integer() ||
           (value.is_number_float() && std::trunc(value.get<double>()) == value.get<double>());
  }
  if (type == "number")
    return value.is_number();
  if (type == "null")
    return value.is_null();
  return false;
}

// A non-negative integer keyword argument (minItems, minLength ...), however it was built.
std::optional<std::size_t> count_of(const json& argument) {
  if (argument.is_number_integer() && argument.get<long long>() >= 0) {
    return static_cast<std::size_t>(argument.get<long long>());
  }
  return std::nullopt;
}

std::string shorten(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 120 ? text.substr(0, 117) + "..." : text;
}

// "#/$defs/a" inside `document`: the referenced value, or nullptr.
const json* follow_pointer(const json& document, const std::string& fragment) {
  if (fragment.empty() || fragment == "/") {
    return fragment.empty() ? &document : nullptr;
  }
  if (fragment.front() != '/') {
    return nullptr;
  }
  const json* at = &document;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = fragment.find('/', start);
    std::string token =
        fragment.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    for (std::size_t tilde = token.find('~'); tilde != std::string::npos;
         tilde = token.find('~', tilde + 1)) {
      if (tilde + 1 < token.size() && token[tilde + 1] == '1') {
        token.replace(tilde, 2, "/");
      } else if (tilde + 1 < token.size() && token[tilde + 1] == '0') {
        token.replace(tilde, 2, "~");
      }
    }
    if (!at->is_object()) {
      return nullptr;
    }
    const auto next = at->find(token);
    if (next == at->end()) {
      return nullptr;
    }
    at = &*next;
    if (slash == std::string::npos) {
      return at;
    }
    start = slash + 1;
  }
}

class Validator {
public:
  explicit Validator(std::filesystem::path base_dir) : m_base_dir(std::move(base_dir)) {}

  void run(const json& schema,
           const json& root,
           const json& value,
           const std::string& at,
           std::vector<std::string>& errors) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) {
        errors.push_back(at + ": no value is allowed here, got " + shorten(value));
      }
      return;
    }
    if (!schema.is_object()) {
      errors.push_back(at + ": the schema is not an object or boolean");
      return;
    }
    if (++m_depth > 64) {
      errors.push_back(at + ": $ref nesting deeper than 64 (a reference loop?)");
      --m_depth;
      return;
    }
    for (const auto& [keyword, argument] : schema.items()) {
      if (annotations().contains(keyword)) {
        continue;
      }
      if (!assertions().contains(keyword)) {
        errors.push_back(at + ": the schema uses \"" + keyword +
                         "\", which this validator does not check");
        continue;
      }
      keyword_check(keyword, argument, schema, root, value, at, errors);
    }
    --m_depth;
  }

  // The schema `ref` names, with the document it lives in; nullopt (and an error) when it does
  // not resolve.
  std::optional<std::pair<const json*, const json*>> resolve(const std::string& ref,
                                                             const json& root,
                                                             const std::string& at,
                                                             std::vector<std::string>& errors) {
    const std::size_t hash = ref.find('#');
    const std::string file = ref.substr(0, hash);
    const std::string fragment = hash == std::string::npos ? "" : ref.substr(hash + 1);
    const json* document = &root;
    if (!file.empty()) {
      auto cached = m_files.find(file);
      if (cached == m_files.end()) {
        cached = m_files.emplace(file, load_json_file(m_base_dir / file)).first;
      }
      if (cached->second.is_discarded()) {
        errors.push_back(at + ": $ref " + ref + ": cannot read " + (m_base_dir / file).string());
        return std::nullopt;
      }
      document = &cached->second;
    }
    const json* target = follow_pointer(*document, fragment);
    if (target == nullptr) {
      errors.push_back(at + ": $ref " + ref + " does not resolve");
      return std::nullopt;
    }
    return std::make_pair(target, document);
  }

private:
  void keyword_check(const std::string& keyword,
                     const json& argument,
                     const json& schema,
                     const json& root,
                     const json& value,
                     const std::string& at,
                     std::vector<std::string>& errors) {
    if (keyword == "type") {
      bool ok = false;
      if (argument.is_string()) {
        ok = has_type(value, argument.get<std::string>());
      } else if (argument.is_array()) {
        for (const auto& one : argument) {
          ok = ok || (one.is_string() && has_type(value, one.get<std::string>()));
        }
      }
      if (!ok) {
        errors.push_back(at + ": expected type " + shorten(argument) + ", got " + shorten(value));
      }
    } else if (keyword == "enum") {
      bool found = false;
      if (argument.is_array()) {
        for (const auto& allowed : argument) {
          found = found || allowed == value;
        }
      }
      if (!found) {
        errors.push_back(at + ": " + shorten(value) + " is not one of " + shorten(argument));
      }
    } else if (keyword == "const") {
      if (argument != value) {
        errors.push_back(at + ": expected " + shorten(argument) + ", got " + shorten(value));
      }
    } else if (keyword == "required") {
      if (value.is_object() && argument.is_array()) {
        for (const auto& key : argument) {
          if (key.is_string() && !value.contains(key.get<std::string>())) {
            errors.push_back(at + ": missing key " + key.dump());
          }
        }
      }
    } else if (keyword == "properties") {
      if (value.is_object() && argument.is_object()) {
        for (const auto& [key, sub] : argument.items()) {
          if (auto v = value.find(key); v != value.end()) {
            run(sub, root, *v, at + "." + key, errors);
          }
        }
      }
    } else if (keyword == "additionalProperties") {
      if (value.is_object()) {
        const json* named = nullptr;
        if (auto p = schema.find("properties"); p != schema.end() && p->is_object()) {
          named = &*p;
        }
        for (const auto& [key, sub] : value.items()) {
          if (named != nullptr && named->contains(key)) {
            continue;
          }
          if (argument.is_boolean() && !argument.get<bool>()) {
            errors.push_back(at + ": unexpected key \"" + key + "\"");
          } else {
            run(argument, root, sub, at + "." + key, errors);
          }
        }
      }
    } else if (keyword == "items") {
      if (value.is_array()) {
        std::size_t first = 0;
        if (auto p = schema.find("prefixItems"); p != schema.end() && p->is_array()) {
          first = p->size();
        }
        for (std::size_t n = first; n < value.size(); ++n) {
          run(argument, root, value[n], at + "[" + std::to_string(n) + "]", errors);
        }
      }
    } else if (keyword == "prefixItems") {
      if (value.is_array() && argument.is_array()) {
        for (std::size_t n = 0; n < value.size() && n < argument.size(); ++n) {
          run(argument[n], root, value[n], at + "[" + std::to_string(n) + "]", errors);
        }
      }
    } else if (keyword == "minItems" || keyword == "maxItems") {
      if (const auto limit_of = count_of(argument); value.is_array() && limit_of) {
        const std::size_t limit = *limit_of;
        if (keyword == "minItems" ? value.size() < limit : value.size() > limit) {
          errors.push_back(at + ": " + std::to_string(value.size()) + " items, " + keyword + " " +
                           std::to_string(limit));
        }
      }
    } else if (keyword == "minimum" || keyword == "maximum") {
      if (value.is_number() && argument.is_number()) {
        const double v = value.get<double>();
        const double limit = argument.get<double>();
        if (keyword == "minimum" ? v < limit : v > limit) {
          errors.push_back(at + ": " + shorten(value) + " is outside " + keyword + " " +
                           shorten(argument));
        }
      }
    } else if (keyword == "minLength") {
      if (const auto limit = count_of(argument);
          value.is_string() && limit && value.get_ref<const std::string&>().size() < *limit) {
        errors.push_back(at + ": " + shorten(value) + " is shorter than " + shorten(argument));
      }
    } else if (keyword == "pattern") {
      if (value.is_string() && argument.is_string()) {
        const std::regex re(argument.get<std::string>(), std::regex::ECMAScript);
        if (!std::regex_search(value.get_ref<const std::string&>(), re)) {
          errors.push_back(at + ": " + shorten(value) + " does not match " + shorten(argument));
        }
      }
    } else if (keyword == "allOf" || keyword == "anyOf" || keyword == "oneOf") {
      if (!argument.is_array()) {
        return;
      }
      std::size_t passed = 0;
      std::vector<std::string> reasons;
      for (std::size_t n = 0; n < argument.size(); ++n) {
        std::vector<std::string> branch;
        run(argument[n], root, value, at, branch);
        if (branch.empty()) {
          ++passed;
        } else if (keyword == "allOf") {
          errors.insert(errors.end(), branch.begin(), branch.end());
        } else {
          reasons.push_back("[" + std::to_string(n) + "] " + branch.front());
        }
      }
      if (keyword == "anyOf" && passed == 0) {
        std::string why;
        for (const auto& r : reasons) {
          why += "; " + r;
        }
        errors.push_back(at + ": matches none of anyOf" + why);
      } else if (keyword == "oneOf" && passed != 1) {
        std::string why;
        for (const auto& r : reasons) {
          why += "; " + r;
        }
        errors.push_back(at + ": matches " + std::to_string(passed) + " of oneOf, not one" + why);
      }
    } else if (keyword == "not") {
      std::vector<std::string> branch;
      run(argument, root, value, at, branch);
      if (branch.empty()) {
        errors.push_back(at + ": " + shorten(value) + " matches the schema under \"not\"");
      }
    } else if (keyword == "$ref") {
      if (!argument.is_string()) {
        errors.push_back(at + ": $ref is not a string");
        return;
      }
      if (auto target = resolve(argument.get<std::string>(), root, at, errors)) {
        run(*target->first, *target->second, value, at, errors);
      }
    }
  }

  std::filesystem::path m_base_dir;
  std::map<std::string, json> m_files;
  int m_depth = 0;
};

void check_node(const json& schema,
                const json& root,
                const std::string& at,
                Validator& resolver,
                std::vector<std::string>& problems);

void check_list(const json& argument,
                const json& root,
                const std::string& at,
                Validator& resolver,
                std::vector<std::string>& problems) {
  if (!argument.is_array() || argument.empty()) {
    problems.push_back(at + ": expected a non-empty array of schemas");
    return;
  }
  for (std::size_t n = 0; n < argument.size(); ++n) {
    check_node(argument[n], root, at + "/" + std::to_string(n), resolver, problems);
  }
}

void check_node(const json& schema,
                const json& root,
                const std::string& at,
                Validator& resolver,
                std::vector<std::string>& problems) {
  if (schema.is_boolean()) {
    return;
  }
  if (!schema.is_object()) {
    problems.push_back(at + ": a schema must be an object or a boolean");
    return;
  }
  for (const auto& [keyword, argument] : schema.items()) {
    const std::string here = at + "/" + keyword;
    if (annotations().contains(keyword)) {
      if (keyword == "$defs") {
        if (!argument.is_object()) {
          problems.push_back(here + ": expected an object");
          continue;
        }
        for (const auto& [name, sub] : argument.items()) {
          check_node(sub, root, here + "/" + name, resolver, problems);
        }
      }
      continue;
    }
    if (!assertions().contains(keyword)) {
      problems.push_back(here + ": \"" + keyword + "\" is outside the supported subset");
    } else if (keyword == "type") {
      const auto known = [](const json& t) {
        return t.is_string() && type_names().contains(t.get<std::string>());
      };
      bool ok = known(argument);
      if (argument.is_array()) {
        ok = !argument.empty();
        for (const auto& t : argument) {
          ok = ok && known(t);
        }
      }
      if (!ok) {
        problems.push_back(here + ": not a type name or list of them: " + shorten(argument));
      }
    } else if (keyword == "enum" || keyword == "required") {
      if (!argument.is_array() || (keyword == "enum" && argument.empty())) {
        problems.push_back(here + ": expected an array");
      } else if (keyword == "required") {
        for (const auto& key : argument) {
          if (!key.is_string()) {
            problems.push_back(here + ": expected strings");
          }
        }
      }
    } else if (keyword == "properties") {
      if (!argument.is_object()) {
        problems.push_back(here + ": expected an object");
        continue;
      }
      for (const auto& [name, sub] : argument.items()) {
        check_node(sub, root, here + "/" + name, resolver, problems);
      }
    } else if (keyword == "additionalProperties" || keyword == "items" || keyword == "not") {
      check_node(argument, root, here, resolver, problems);
    } else if (keyword == "prefixItems" || keyword == "allOf" || keyword == "anyOf" ||
               keyword == "oneOf") {
      check_list(argument, root, here, resolver, problems);
    } else if (keyword == "minItems" || keyword == "maxItems" || keyword == "minLength") {
      if (!count_of(argument)) {
        problems.push_back(here + ": expected a non-negative integer");
      }
    } else if (keyword == "minimum" || keyword == "maximum") {
      if (!argument.is_number()) {
        problems.push_back(here + ": expected a number");
      }
    } else if (keyword == "pattern") {
      if (!argument.is_string()) {
        problems.push_back(here + ": expected a string");
        continue;
      }
      try {
        const std::regex re(argument.get<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        problems.push_back(here + ": not a regular expression: " + e.what());
      }
    } else if (keyword == "$ref") {
      if (!argument.is_string()) {
        problems.push_back(here + ": expected a string");
        continue;
      }
      std::vector<std::string> errors;
      (void)resolver.resolve(argument.get<std::string>(), root, here, errors);
      problems.insert(problems.end(), errors.begin(), errors.end());
    }
  }
}

} // namespace

std::filesystem::path schema_dir() {
  return HFRUN_SCHEMA_DIR;
}

json load_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return json(json::value_t::discarded);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str(), nullptr, false);
}

std::vector<std::string> validate_json(const json& schema,
                                       const json& value,
                                       const std::optional<json>& root,
                                       const std::filesystem::path& base_dir) {
  std::vector<std::string> errors;
  Validator validator(base_dir);
  validator.run(schema, root ? *root : schema, value, "$", errors);
  return errors;
}

std::vector<std::string>
validate_against(const std::string& file, const json& value, const std::string& def) {
  const json schema = load_json_file(schema_dir() / file);
  if (schema.is_discarded()) {
    return {"cannot read or parse " + (schema_dir() / file).string()};
  }
  if (def.empty()) {
    return validate_json(schema, value, schema);
  }
  const json* sub = follow_pointer(schema, "/$defs/" + def);
  if (sub == nullptr) {
    return {file + " has no $defs/" + def};
  }
  return validate_json(*sub, value, schema);
}

std::vector<std::string> check_schema(const json& schema, const std::filesystem::path& base_dir) {
  std::vector<std::string> problems;
  Validator resolver(base_dir);
  check_node(schema, schema, "#", resolver, problems);
  return problems;
}

} // namespace hfrun::test
