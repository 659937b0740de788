#include "endpoint_state.hpp"

namespace emulator {

EndpointStates::EndpointStates(const nlohmann::json& /*world*/) {}

} // namespace emulator
