#include "space_state.hpp"

namespace emulator {

std::string SpaceStates::stage(const nlohmann::json& space) {
  const std::string configured = space.value("stage", "RUNNING");
  if (configured != "SLEEPING" && configured != "STOPPED") {
    return configured;
  }
  const std::string id = space.value("id", "");
  std::lock_guard lock(m_mutex);
  const auto it = m_woken.find(id);
  if (it == m_woken.end()) {
    return configured;
  }
  const auto gradio = space.value("gradio", nlohmann::json::object());
  const auto wake =
      std::chrono::milliseconds(gradio.is_object() ? gradio.value("wake_ms", 1500) : 1500);
  return std::chrono::steady_clock::now() - it->second < wake ? "APP_STARTING" : "RUNNING";
}

void SpaceStates::visit(const nlohmann::json& space) {
  std::lock_guard lock(m_mutex);
  m_woken.emplace(space.value("id", ""), std::chrono::steady_clock::now());
}

std::string space_host_url(const nlohmann::json& space, const std::string& gradio_url) {
  if (space.contains("gradio") && !gradio_url.empty()) {
    return gradio_url + "/spaces/" + space.value("id", "");
  }
  return space.value("_host", "");
}

} // namespace emulator
