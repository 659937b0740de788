// The serverless adapter: Inference Providers through the router. `plan` decides the task, the
// provider and the URL (one Hub request when the model must be looked up); `encode` builds the
// request from the shared task codec plus the provider's body quirks; decoding is the task codec's.
#pragma once

#include <hfrun/client/client.hpp>
#include <hfrun/http/message.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/task.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hfrun::backends {

struct ServerlessCall {
  std::string model;               // as given: "org/name", or "org/name:provider|fastest|..."
  std::optional<std::string> task; // --task
  std::string provider = "auto";   // --provider
  std::vector<std::string> param_keys; // the user's key=value names: input fields hint the task
};

struct ServerlessPlan {
  const tasks::TaskSpec* task = nullptr;
  std::string hub_id;          // the model id without any suffix
  std::string provider;        // "hf-inference", "together", ... or "auto" (router-side choice)
  std::string body_model;      // what goes in the body's "model" (providerId, or the id as given)
  std::string url;
  std::vector<std::string> warnings; // staging/error provider status ...
  nlohmann::json mapping = nlohmann::json::array(); // the provider mapping that was consulted
};

// Decide task, provider and URL. Needs no request when --task is given and the provider is
// hf-inference or the chat router; otherwise one GET of the model's info (pipeline tag and provider
// mapping, with the token so the provider order is the user's).
[[nodiscard]] Result<ServerlessPlan> plan_serverless(client::Client& client, const ServerlessCall& call);

// Whether planning needs the Hub lookup (so --dry-run can say why it stops there).
[[nodiscard]] bool plan_needs_lookup(const ServerlessCall& call);

// The request for a plan and the user's inputs. `stream` sets "stream" for chat/text-generation.
[[nodiscard]] Result<http::Request> encode_serverless(const ServerlessPlan& plan,
                                                      const tasks::Inputs& inputs,
                                                      std::optional<bool> stream);

// Request body from an encoded task body (streams files, never loads them).
[[nodiscard]] Result<std::shared_ptr<http::BodySource>> body_source(const tasks::EncodedBody& body);

} // namespace hfrun::backends
