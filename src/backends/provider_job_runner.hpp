// PRIVATE to the backends layer: one call to a third-party provider row whose reply is not the
// result itself: a queued job polled through the router until it ends (progress on stderr), a
// result document in the provider's own shape, a mask to fetch.
#pragma once

#include "providers.hpp"

#include <chrono>
#include <hfrun/backends/backend.hpp>

namespace hfrun::backends {

// How long a queued job may take, all polls together, before hfrun gives up (exit 7). Video
// generation takes minutes; huggingface_hub waits ~5 min for Together, fal-ai without a limit.
inline constexpr std::chrono::minutes k_job_timeout{30};

[[nodiscard]] Result<Outcome> run_provider_job(client::Client& client,
                                               const Plan& plan,
                                               const ProviderTask& row,
                                               http::Request& request,
                                               const ExecuteOptions& options);

} // namespace hfrun::backends
