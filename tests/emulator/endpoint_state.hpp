// The endpoints part's state: the Inference Endpoints of the world ("inference_endpoints") and
// those created since, each with its state machine (docs/emulator.md, "Endpoints"). The management
// API changes them; the data-plane proxy reads them. Thread-safe.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

namespace emulator {

class EndpointStates {
public:
  explicit EndpointStates(const nlohmann::json& world);

private:
  std::mutex m_mutex;
};

} // namespace emulator
