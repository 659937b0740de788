#include <hfrun/client/errors.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/util/json.hpp>
#include <optional>
#include <type_traits>

namespace hfrun::hub {

namespace {

// The mapping dict {provider: entry} as the list form [{"provider", ...entry}], in the dict's own
// iteration order; entries that are not objects are skipped.
template <class Json> nlohmann::json list_from_dict(const Json& dict) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [provider, entry] : dict.items()) {
    if (!entry.is_object()) {
      continue;
    }
    nlohmann::json item;
    if constexpr (std::is_same_v<Json, nlohmann::json>) {
      item = entry;
    } else {
      item = nlohmann::json::parse(entry.dump(), nullptr, false);
    }
    item["provider"] = provider;
    list.push_back(std::move(item));
  }
  return list;
}

// An optional text field: absent or null gives `fallback`; another type is malformed (nullopt).
std::optional<std::string>
optional_text(const nlohmann::json& entry, std::string_view key, std::string_view fallback) {
  const nlohmann::json* value = util::json_member(entry, key);
  if (value == nullptr || value->is_null()) {
    return std::string(fallback);
  }
  return util::as_string(*value);
}

std::optional<ProviderMapping> typed_entry(const nlohmann::json& entry, std::string provider) {
  if (!entry.is_object() || provider.empty()) {
    return std::nullopt;
  }
  auto provider_id = optional_text(entry, "providerId", "");
  auto task = optional_text(entry, "task", "");
  auto status = optional_text(entry, "status", "live");
  auto adapter = optional_text(entry, "adapter", "");
  auto type = optional_text(entry, "type", "");
  if (!provider_id || !task || !status || !adapter || !type) {
    return std::nullopt;
  }
  return ProviderMapping{std::move(provider), std::move(*task),    std::move(*provider_id),
                         std::move(*status),  std::move(*adapter), std::move(*type)};
}

Result<nlohmann::json> decode_json_response(const Result<http::Response>& sent,
                                            const std::string& what) {
  if (!sent) {
    return unexpected<Error>(sent.error());
  }
  const http::Response& response = *sent;
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, what));
  }
  auto body = util::parse_untrusted(response.body);
  if (body.is_discarded() || !body.is_object()) {
    return fail(ErrorKind::bad_response,
                what + ": the Hub answered with a body that is not a JSON object");
  }
  if (util::json_object(body, "inferenceProviderMapping") != nullptr) {
    // The dict's key order is the user's provider preference, and nlohmann::json sorts keys:
    // re-read it in document order and store it as the list form list_models uses.
    const auto ordered = nlohmann::ordered_json::parse(response.body, nullptr, false);
    const auto dict =
        ordered.is_object() ? ordered.find("inferenceProviderMapping") : ordered.end();
    if (dict != ordered.end() && dict->is_object()) {
      body["inferenceProviderMapping"] = list_from_dict(*dict);
    }
  }
  return body;
}

http::Request get(std::string url) {
  http::Request request;
  request.method = "GET";
  request.url = std::move(url);
  return request;
}

} // namespace

std::string model_info_url(const std::string& endpoint, const ModelQuery& query) {
  std::string url = endpoint + "/api/models/" + http::percent_encode(query.id, /*keep_slash=*/true);
  if (!query.revision.empty()) {
    url += "/revision/" + http::percent_encode(query.revision);
  }
  char separator = '?';
  for (const auto& field : query.expand) {
    url += separator;
    url += "expand%5B%5D=" + http::percent_encode(field);
    separator = '&';
  }
  return url;
}

Result<void> validate_repo_id(const std::string& id) {
  const auto valid_part = [](std::string_view part) {
    if (part.empty() || part.size() > 96 || part.starts_with('.') || part.starts_with('-') ||
        part.ends_with('.') || part.find("..") != std::string_view::npos) {
      return false;
    }
    for (char c : part) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
        return false;
      }
    }
    return true;
  };
  const auto slash = id.find('/');
  const bool ok = slash == std::string::npos
                      ? valid_part(id)
                      : id.find('/', slash + 1) == std::string::npos &&
                            valid_part(std::string_view(id).substr(0, slash)) &&
                            valid_part(std::string_view(id).substr(slash + 1));
  if (!ok) {
    return fail(ErrorKind::usage, "'" + id + "' is not a Hugging Face repo id",
                "use OWNER/NAME as on the model's page, e.g. google/vit-base-patch16-224");
  }
  return {};
}

Result<nlohmann::json> fetch_model_info(client::Client& client, const ModelQuery& query) {
  HFRUN_TRY(validate_repo_id(query.id));
  http::Request request = get(model_info_url(client.config().endpoint, query));
  auto sent = client.send(request);
  return decode_json_response(sent, "model " + query.id);
}

std::vector<Result<nlohmann::json>> fetch_model_infos(client::Client& client,
                                                      const std::vector<ModelQuery>& queries) {
  std::vector<Result<nlohmann::json>> out(queries.size(), fail(ErrorKind::internal, "not fetched"));
  std::vector<http::Request> requests;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (auto valid = validate_repo_id(queries[i].id); !valid) {
      out[i] = unexpected<Error>(valid.error());
      continue;
    }
    requests.push_back(get(model_info_url(client.config().endpoint, queries[i])));
    positions.push_back(i);
  }
  auto results = client.send_all(requests);
  for (std::size_t k = 0; k < positions.size(); ++k) {
    out[positions[k]] = decode_json_response(results[k], "model " + queries[positions[k]].id);
  }
  return out;
}

std::vector<Result<nlohmann::json>> fetch_space_runtimes(client::Client& client,
                                                         const std::vector<std::string>& ids) {
  std::vector<http::Request> requests;
  requests.reserve(ids.size());
  for (const auto& id : ids) {
    requests.push_back(get(client.config().endpoint + "/api/spaces/" +
                           http::percent_encode(id, /*keep_slash=*/true) + "/runtime"));
  }
  auto results = client.send_all(requests);
  std::vector<Result<nlohmann::json>> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out.push_back(decode_json_response(results[i], "Space " + ids[i]));
  }
  return out;
}

nlohmann::json provider_mapping_list(const nlohmann::json& model_info) {
  nlohmann::json list = nlohmann::json::array();
  const nlohmann::json* mapping = util::json_member(model_info, "inferenceProviderMapping");
  if (mapping == nullptr) {
    return list;
  }
  if (mapping->is_object()) {
    // Already a list when it came through fetch_model_info (which keeps the Hub's order); a dict
    // here has lost its order, so this branch serves only hand-made JSON.
    return list_from_dict(*mapping);
  }
  if (mapping->is_array()) {
    for (const auto& entry : *mapping) {
      if (util::json_string(entry, "provider")) {
        list.push_back(entry);
      }
    }
  }
  return list;
}

std::vector<ProviderMapping> provider_mappings(const nlohmann::json& model_info) {
  std::vector<ProviderMapping> out;
  const nlohmann::json* mapping = util::json_member(model_info, "inferenceProviderMapping");
  if (mapping == nullptr) {
    return out;
  }
  auto add = [&out](const nlohmann::json& entry, std::string provider) {
    if (auto typed = typed_entry(entry, std::move(provider))) {
      out.push_back(std::move(*typed));
    }
  };
  if (mapping->is_object()) {
    for (const auto& [provider, entry] : mapping->items()) {
      add(entry, provider);
    }
  } else if (mapping->is_array()) {
    for (const auto& entry : *mapping) {
      add(entry, util::string_or(entry, "provider", ""));
    }
  }
  return out;
}

} // namespace hfrun::hub
