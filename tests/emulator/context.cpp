#include "context.hpp"

#include <algorithm>

namespace emulator {

const nlohmann::json* Context::find_model(std::string_view id) const {
  if (!world.contains("models")) {
    return nullptr;
  }
  for (const auto& m : world["models"]) {
    if (m.is_object() && m.contains("id") && m["id"] == id) {
      return &m;
    }
  }
  return nullptr;
}

const nlohmann::json* Context::user_for_token(std::string_view token) const {
  if (token.empty() || !world.contains("users")) {
    return nullptr;
  }
  for (const auto& u : world["users"]) {
    if (u.is_object() && u.value("token", "") == token) {
      return &u;
    }
  }
  return nullptr;
}

std::vector<std::string> provider_order(const nlohmann::json& model) {
  std::vector<std::string> out;
  if (!model.is_object() || !model.contains("inferenceProviderMapping") ||
      !model["inferenceProviderMapping"].is_object()) {
    return out;
  }
  const auto& mapping = model["inferenceProviderMapping"];
  if (model.contains("_provider_order") && model["_provider_order"].is_array()) {
    for (const auto& name : model["_provider_order"]) {
      if (name.is_string() && mapping.contains(name.get<std::string>()) &&
          std::find(out.begin(), out.end(), name.get<std::string>()) == out.end()) {
        out.push_back(name.get<std::string>());
      }
    }
  }
  for (const auto& [name, entry] : mapping.items()) {
    if (std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
  }
  return out;
}

std::string bearer_token(const httplib::Request& req) {
  const auto value = req.get_header_value("Authorization");
  constexpr std::string_view k_prefix = "Bearer ";
  if (value.size() <= k_prefix.size()) {
    return {};
  }
  // The scheme is case-insensitive (RFC 7235).
  for (std::size_t i = 0; i < k_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(k_prefix[i]))) {
      return {};
    }
  }
  return value.substr(k_prefix.size());
}

} // namespace emulator
