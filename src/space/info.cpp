// GET {base}/info read into ApiInfo (spaces.md §2.2), keeping the app's order of endpoints.
#include <algorithm>
#include <hfrun/space/app.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::space {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string bare(std::string_view name) {
  if (!name.empty() && name.front() == '/') {
    name.remove_prefix(1);
  }
  return std::string(name);
}

// "#/$defs/FileData" inside `root`, or nullptr.
const json* resolve_ref(const json& schema, const json& root) {
  const auto ref = util::json_string(schema, "$ref");
  if (!ref || ref->rfind("#/", 0) != 0) {
    return nullptr;
  }
  const json* at = &root;
  std::size_t start = 2;
  while (at != nullptr && start <= ref->size()) {
    const std::size_t end = std::min(ref->find('/', start), ref->size());
    at = util::json_member(*at, std::string_view(*ref).substr(start, end - start));
    start = end + 1;
  }
  return at;
}

bool file_schema_at(const json& schema, const json& root, int depth) {
  if (depth > 8 || !schema.is_object()) {
    return false;
  }
  if (const json* target = resolve_ref(schema, root)) {
    return file_schema_at(*target, root, depth + 1);
  }
  if (const json* props = util::json_object(schema, "properties")) {
    const json* path = util::json_member(*props, "path");
    const json* meta = util::json_object(*props, "meta");
    if (path != nullptr && meta != nullptr) {
      const json* meta_schema = meta;
      if (const json* target = resolve_ref(*meta, root)) {
        meta_schema = target;
      }
      if (const json* meta_props = util::json_object(*meta_schema, "properties")) {
        if (const json* type = util::json_object(*meta_props, "_type")) {
          return util::string_or(*type, "const", util::string_or(*type, "default", "")) ==
                 "gradio.FileData";
        }
      }
      // Older schemas describe meta without _type; path + meta is still FileData.
      return true;
    }
  }
  // A list of files (Gallery, File with file_count="multiple").
  if (const json* items = util::json_object(schema, "items")) {
    return file_schema_at(*items, root, depth + 1);
  }
  return false;
}

std::string python_type_of(const json& entry) {
  if (const json* python = util::json_object(entry, "python_type")) {
    return util::string_or(*python, "type", "");
  }
  return "";
}

json schema_of(const json& entry) {
  const json* type = util::json_member(entry, "type");
  return type != nullptr ? *type : json(nullptr);
}

bool is_file_entry(const json& entry, const std::string& python_type) {
  const json schema = schema_of(entry);
  return is_file_schema(schema) || python_type == "filepath" || python_type == "list[filepath]";
}

ApiEndpoint endpoint_of(const std::string& name, const json& entry) {
  ApiEndpoint endpoint;
  endpoint.name = "/" + bare(name);
  endpoint.description = util::string_or(entry, "description", "");
  if (const json* params = util::json_array(entry, "parameters")) {
    for (const auto& p : *params) {
      if (!p.is_object()) {
        continue;
      }
      Parameter param;
      param.label = util::string_or(p, "label", "");
      param.name = util::string_or(p, "parameter_name", param.label);
      param.component = util::string_or(p, "component", "");
      param.python_type = python_type_of(p);
      param.schema = schema_of(p);
      param.has_default = util::bool_or(p, "parameter_has_default", false);
      param.default_value = util::member_or(p, "parameter_default");
      param.example = util::member_or(p, "example_input");
      param.is_file = is_file_entry(p, param.python_type);
      endpoint.parameters.push_back(std::move(param));
    }
  }
  if (const json* returns = util::json_array(entry, "returns")) {
    for (const auto& r : *returns) {
      if (!r.is_object()) {
        continue;
      }
      ReturnValue value;
      value.label = util::string_or(r, "label", "");
      value.component = util::string_or(r, "component", "");
      value.python_type = python_type_of(r);
      value.schema = schema_of(r);
      value.is_file = is_file_entry(r, value.python_type);
      endpoint.returns.push_back(std::move(value));
    }
  }
  return endpoint;
}

} // namespace

bool is_file_schema(const json& schema) {
  return file_schema_at(schema, schema, 0);
}

const ApiEndpoint* ApiInfo::find(std::string_view name) const {
  const std::string wanted = "/" + bare(name);
  const auto it = std::find_if(endpoints.begin(), endpoints.end(),
                               [&](const ApiEndpoint& e) { return e.name == wanted; });
  return it == endpoints.end() ? nullptr : &*it;
}

Result<ApiInfo> parse_info(std::string_view body) {
  if (!util::json_depth_within(body, util::k_max_json_depth)) {
    return fail(ErrorKind::bad_response, "the app's /info nests too deep");
  }
  // ordered: the app lists its endpoints in its own order, which --list keeps.
  const auto doc = ordered_json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(ErrorKind::bad_response, "the app's /info is not a JSON object");
  }
  ApiInfo info;
  const auto named = doc.find("named_endpoints");
  if (named == doc.end() || !named->is_object()) {
    return fail(ErrorKind::bad_response, "the app's /info has no named_endpoints");
  }
  for (const auto& [name, entry] : named->items()) {
    if (entry.is_object()) {
      // Each endpoint is read with the unordered readers; only the endpoint order matters here.
      const json plain = util::parse_untrusted(entry.dump());
      info.endpoints.push_back(endpoint_of(name, plain));
    }
  }
  return info;
}

} // namespace hfrun::space
