#include <hfrun/client/errors.hpp>

#include <hfrun/http/server_error.hpp>

namespace hfrun::client {

Error error_from_response(const http::Response& response, std::string what) {
  return http::error_from_response(response, std::move(what));
}

} // namespace hfrun::client
