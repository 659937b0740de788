// The proxy in front of managed endpoints (skeleton: filled in by the endpoints part).
#include "context.hpp"

namespace emulator {

void register_endpoint_proxy_routes(httplib::Server& /*server*/, Context& /*ctx*/) {}

} // namespace emulator
