#include "providers.hpp"

#include <array>

namespace hfrun::backends {

namespace {

// hf-inference is not listed here: its routes come from the task table (models/{id}[/pipeline/..]).
constexpr std::array k_providers{
    ProviderInfo{"baseten", "/v1/chat/completions", "", ""},
    ProviderInfo{"cerebras", "/v1/chat/completions", "", ""},
    ProviderInfo{"cohere", "/compatibility/v1/chat/completions", "", ""},
    ProviderInfo{"deepinfra", "/v1/openai/chat/completions", "/v1/openai/completions", ""},
    ProviderInfo{"fal-ai", "", "", "/{id}"},
    ProviderInfo{"featherless-ai", "/v1/chat/completions", "/v1/completions", ""},
    ProviderInfo{"fireworks-ai", "/inference/v1/chat/completions", "", ""},
    ProviderInfo{"groq", "/openai/v1/chat/completions", "", ""},
    ProviderInfo{"hf-inference", "", "", ""},
    ProviderInfo{"novita", "/v3/openai/chat/completions", "/v3/openai/completions", ""},
    ProviderInfo{"nscale", "/v1/chat/completions", "", "/v1/images/generations"},
    ProviderInfo{"openai", "/v1/chat/completions", "", ""},
    ProviderInfo{"ovhcloud", "/v1/chat/completions", "", ""},
    ProviderInfo{"publicai", "/v1/chat/completions", "", ""},
    ProviderInfo{"replicate", "", "", "/v1/models/{id}/predictions"},
    ProviderInfo{"scaleway", "/v1/chat/completions", "", ""},
    ProviderInfo{"together", "/v1/chat/completions", "/v1/completions", "/v1/images/generations"},
    ProviderInfo{"wavespeed", "", "", "/api/v3/{id}"},
    ProviderInfo{"zai-org", "/api/paas/v4/chat/completions", "", ""},
};

} // namespace

std::span<const ProviderInfo> all_providers() {
  return k_providers;
}

const ProviderInfo* find_provider(std::string_view name) {
  for (const auto& p : k_providers) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

std::string provider_names() {
  std::string out;
  for (const auto& p : k_providers) {
    out += (out.empty() ? "" : ", ") + std::string(p.name);
  }
  return out;
}

bool is_routing_policy(std::string_view suffix) {
  return suffix == "fastest" || suffix == "cheapest" || suffix == "preferred";
}

} // namespace hfrun::backends
