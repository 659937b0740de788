// PRIVATE to the backends layer: the endpoint backend (an Inference Endpoint or any self-hosted
// server by URL). Declared here so the unit tests can drive its plan step through a fake transport.
#pragma once

#include <hfrun/backends/backend.hpp>
#include <memory>

namespace hfrun::backends {

// Options: "flavor" ("" to detect, or a name of flavor.hpp).
[[nodiscard]] std::unique_ptr<Backend> make_endpoint_backend();

} // namespace hfrun::backends
