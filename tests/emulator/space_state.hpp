// The runtime stage of the world's Spaces as time goes by: a SLEEPING Space wakes when its host is
// first visited, reports APP_STARTING for its "wake_ms", then RUNNING (spaces.md §1.4). Shared by
// the Hub part (GET /api/spaces/{id}/runtime) and the gradio part (which answers 503 until then).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace emulator {

class SpaceStates {
public:
  // The stage now of a Space whose world entry is `space` (its "stage", "gradio.wake_ms").
  [[nodiscard]] std::string stage(const nlohmann::json& space);
  // A request reached the Space's host: a sleeping one starts waking.
  void visit(const nlohmann::json& space);

private:
  std::mutex m_mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> m_woken;
};

// The URL the Hub names as a Space's host: the gradio role's for a Space with an app, else
// https://{subdomain}.hf.space.
[[nodiscard]] std::string space_host_url(const nlohmann::json& space,
                                         const std::string& gradio_url);

} // namespace emulator
