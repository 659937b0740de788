// What the serverless backend knows about Inference Providers, for the CLI: the provider x task
// matrix of its provider table (docs/serverless.md holds it, generated), and, for one model, which
// providers the Hub maps it to and whether hfrun runs each pair (`hfrun serverless
// --list-providers MODEL`).
#pragma once

#include <hfrun/client/client.hpp>
#include <hfrun/error.hpp>
#include <string>
#include <vector>

namespace hfrun::backends {

// The Markdown table: one row per provider, one column per task, "yes" (one request), "polled"
// (a queued job hfrun follows), "own key" (not reachable with an HF token).
[[nodiscard]] std::string provider_matrix_markdown();

// One entry of a model's inferenceProviderMapping, as hfrun sees it.
struct ProviderSupport {
  std::string provider;
  std::string task;
  std::string provider_id;
  std::string status;     // live, staging, error
  bool supported = false; // hfrun runs this task on this provider
  std::string how;        // "direct", "polled", "own key", or why not ("unknown provider", ...)
};

// The model's mapping in the Hub's order (the user's preference), one Hub request.
[[nodiscard]] Result<std::vector<ProviderSupport>> list_providers(client::Client& client,
                                                                  const std::string& model);

} // namespace hfrun::backends
