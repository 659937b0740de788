#include <fmt/format.h>
#include <hfrun/probe/request.hpp>

namespace hfrun::probe {
namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Percent-encodes every byte outside RFC 3986's unreserved set, except `keep`.
std::string percent_encode(std::string_view s, char keep) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c) || (keep != '\0' && c == keep)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

} // namespace

const std::array<std::string_view, 16>& expand_fields() {
  return k_expand_fields;
}

std::string model_info_target(std::string_view model, std::string_view revision) {
  std::string target = "/api/models/" + percent_encode(model, '/');
  if (!revision.empty()) {
    target += "/revision/" + percent_encode(revision, '\0');
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
    if (space.is_string()) {
      out.push_back(space.get<std::string>());
    }
  }
  return out;
}

std::string space_runtime_target(std::string_view space) {
  return "/api/spaces/" + percent_encode(space, '/') + "/runtime";
}

} // namespace hfrun::probe
