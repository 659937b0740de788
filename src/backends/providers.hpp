// PRIVATE to the backends layer: the Inference Providers hfrun knows: each provider's routes under
// the router
// ({router}/{provider}{route}), as huggingface_hub's inference/_providers/*.py (at commit ee0a4510)
// builds them; docs/serverless.md says how a provider is chosen.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace hfrun::backends {

struct ProviderInfo {
  std::string_view name;
  std::string_view chat;        // chat completions route ("" = no chat)
  std::string_view completions; // OpenAI text completions route ("" = none)
  std::string_view
      text_to_image; // route; "{id}" is replaced by the provider's model id ("" = none)
};

[[nodiscard]] std::span<const ProviderInfo> all_providers();
// nullptr for an unknown provider name.
[[nodiscard]] const ProviderInfo* find_provider(std::string_view name);
// "baseten, cerebras, ..." for error messages.
[[nodiscard]] std::string provider_names();

// The chat-routing policies the router accepts as a model suffix (`model:fastest`).
[[nodiscard]] bool is_routing_policy(std::string_view suffix);

} // namespace hfrun::backends
