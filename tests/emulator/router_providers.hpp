// The providers the router knows (serverless.md §1.4, §6.3) and the routes each serves under
// /{provider}/..., as the clients build them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace emulator::router {

enum class RouteKind { chat, completions, images, fal, replicate };

struct ProviderRoute {
  std::string provider;
  std::string
      route; // path below /{provider}/ ("" for fal-ai and replicate, which carry the model id)
  RouteKind kind;
};

// Every provider name the clients accept (without "auto").
[[nodiscard]] const std::vector<std::string>& provider_names();
// The fixed routes (chat, completions, images) of every third-party provider.
[[nodiscard]] const std::vector<ProviderRoute>& provider_routes();
[[nodiscard]] bool is_provider(std::string_view name);

} // namespace emulator::router
