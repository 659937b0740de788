#include <hfrun/http/url.hpp>
#include <hfrun/probe/request.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::probe {

const std::array<std::string_view, 16>& expand_fields() {
  return k_expand_fields;
}

std::string model_info_target(std::string_view model, std::string_view revision) {
  std::string target = "/api/models/" + http::percent_encode(model, /*keep_slash=*/true);
  if (!revision.empty()) {
    target += "/revision/" + http::percent_encode(revision);
  }
  char sep = '?';
  for (std::string_view field : k_expand_fields) {
    target += sep;
    target += "expand[]=";
    target += field;
    sep = '&';
  }
  return target;
}

std::vector<std::string> spaces_to_check(const nlohmann::json& model_info) {
  std::vector<std::string> out;
  if (!model_info.is_object()) {
    return out;
  }
  auto it = model_info.find("spaces");
  if (it == model_info.end() || !it->is_array()) {
    return out;
  }
  for (const auto& space : *it) {
    if (out.size() == k_spaces_to_check) {
      break;
    }
    if (auto id = util::as_string(space)) {
      out.push_back(std::move(*id));
    }
  }
  return out;
}

std::string space_runtime_target(std::string_view space) {
  return "/api/spaces/" + http::percent_encode(space, /*keep_slash=*/true) + "/runtime";
}

} // namespace hfrun::probe
