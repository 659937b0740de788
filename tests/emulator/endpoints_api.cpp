// The Inference Endpoints management API (skeleton: filled in by the endpoints part).
#include "context.hpp"

namespace emulator {

void register_endpoints_api_routes(httplib::Server& /*server*/, Context& /*ctx*/) {}

} // namespace emulator
