// PRIVATE to the backends layer: the serverless backend (Inference Providers through the router).
// Declared here so the unit tests can drive its plan step through a fake transport.
#pragma once

#include <hfrun/backends/backend.hpp>
#include <memory>

namespace hfrun::backends {

// Options: "provider" ("auto" or a provider name).
[[nodiscard]] std::unique_ptr<Backend> make_serverless_backend();

} // namespace hfrun::backends
