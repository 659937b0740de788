#include "router_providers.hpp"

#include <algorithm>

namespace emulator::router {

const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> names = {
      "baseten",        "cerebras",     "cohere",    "deepinfra",    "fal-ai",
      "featherless-ai", "fireworks-ai", "groq",      "hf-inference", "novita",
      "nscale",         "openai",       "ovhcloud",  "publicai",     "replicate",
      "scaleway",       "together",     "wavespeed", "zai-org"};
  return names;
}

const std::vector<ProviderRoute>& provider_routes() {
  static const std::vector<ProviderRoute> routes = {
      {"baseten", "v1/chat/completions", RouteKind::chat},
      {"cerebras", "v1/chat/completions", RouteKind::chat},
      {"cohere", "compatibility/v1/chat/completions", RouteKind::chat},
      {"deepinfra", "v1/openai/chat/completions", RouteKind::chat},
      {"deepinfra", "v1/openai/completions", RouteKind::completions},
      {"deepinfra", "v1/openai/images/generations", RouteKind::images},
      {"featherless-ai", "v1/chat/completions", RouteKind::chat},
      {"featherless-ai", "v1/completions", RouteKind::completions},
      {"fireworks-ai", "inference/v1/chat/completions", RouteKind::chat},
      {"groq", "openai/v1/chat/completions", RouteKind::chat},
      {"novita", "v3/openai/chat/completions", RouteKind::chat},
      {"novita", "v3/openai/completions", RouteKind::completions},
      {"nscale", "v1/chat/completions", RouteKind::chat},
      {"nscale", "v1/images/generations", RouteKind::images},
      {"openai", "v1/chat/completions", RouteKind::chat},
      {"ovhcloud", "v1/chat/completions", RouteKind::chat},
      {"ovhcloud", "v1/completions", RouteKind::completions},
      {"publicai", "v1/chat/completions", RouteKind::chat},
      {"scaleway", "v1/chat/completions", RouteKind::chat},
      {"scaleway", "v1/completions", RouteKind::completions},
      {"together", "v1/chat/completions", RouteKind::chat},
      {"together", "v1/completions", RouteKind::completions},
      {"together", "v1/images/generations", RouteKind::images},
      {"zai-org", "api/paas/v4/chat/completions", RouteKind::chat},
  };
  return routes;
}

bool is_provider(std::string_view name) {
  const auto& names = provider_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace emulator::router
