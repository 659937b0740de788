// The self-hosted inference servers (skeleton: filled in by the endpoint-servers part).
#include "context.hpp"

namespace emulator {

void register_endpoint_server_routes(httplib::Server& /*server*/, Context& /*ctx*/) {}

void serve_flavor(Context& /*ctx*/,
                  const nlohmann::json& /*spec*/,
                  const std::string& /*path*/,
                  const httplib::Request& /*req*/,
                  httplib::Response& res) {
  res.status = 404;
}

} // namespace emulator
